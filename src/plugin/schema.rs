//! Schema declarations: what a provider, a resource or a data source
//! accepts and returns.
//!
//! Provider code builds these with the small builder methods below; the
//! protocol adapters turn them into tfplugin5/6 messages, and a docs
//! generator can read every field (descriptions, sensitivity, deprecation)
//! straight from these types. Every attribute carries a description: it is
//! what `terraform providers schema -json`, editors and generated docs show.

use std::collections::BTreeMap;

use super::plan_modifier::{PlanModifier, PlanModifiers};
use super::value::Type;

/// The schema of a provider configuration, a resource or a data source.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// The state's schema version (resources only): raise it when the
    /// shape of the state changes, and upgrade older states in
    /// `Resource::upgrade_state`.
    pub version: i64,
    pub block: Block,
}

/// A configuration block: attributes and nested blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    /// Plain-text description (the resource's or data source's summary at
    /// the top level).
    pub description: String,
    /// The same in markdown; sent instead of `description` when set.
    pub markdown_description: Option<String>,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    /// Why the block is deprecated and what to use instead.
    pub deprecation: Option<String>,
}

/// How an attribute is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Must be set in configuration.
    Required,
    /// May be set in configuration.
    Optional,
    /// Set by the provider only.
    Computed,
    /// May be set; the provider fills it in otherwise.
    OptionalComputed,
}

/// One attribute of a block.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    /// The value type; for a nested attribute, the type its nesting implies.
    pub ty: Type,
    /// Attributes nested inside this one (protocol 6 only).
    pub nested: Option<NestedAttributes>,
    /// Plain-text description.
    pub description: String,
    /// The same in markdown; sent instead of `description` when set.
    pub markdown_description: Option<String>,
    pub presence: Presence,
    /// Masked in CLI output (still stored in state, as for every provider).
    pub sensitive: bool,
    /// Why the attribute is deprecated and what to use instead; setting it
    /// in configuration gives the user this as a warning.
    pub deprecation: Option<String>,
    /// Never stored in plan or state (Terraform 1.11 and later): the
    /// runtime nulls it in every plan and state it returns.
    pub write_only: bool,
    /// Run, in order, while planning (resources only).
    pub plan_modifiers: PlanModifiers,
}

/// How the objects of a nested attribute repeat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectNesting {
    Single,
    List,
    Set,
    Map,
}

/// The attributes nested inside an attribute, e.g. `rules = [{ ... }]`.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedAttributes {
    pub nesting: ObjectNesting,
    pub attributes: Vec<Attribute>,
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block; the value is an object or null.
    Single,
    /// Exactly one block, possibly empty; the value is never null.
    Group,
    /// A list of blocks.
    List,
    /// A set of blocks.
    Set,
    /// Blocks with a label each: a map of objects.
    Map,
}

/// A nested block type, e.g. `assume_role { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
}

impl Schema {
    pub fn new(block: Block) -> Self {
        Self { version: 0, block }
    }

    /// The schema with another state version.
    pub fn version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }

    /// The object type of values of this schema.
    pub fn implied_type(&self) -> Type {
        self.block.implied_type()
    }

    /// What Terraform (1.1 and later) would refuse when loading this schema
    /// (`configschema` InternalValidate), as `path: problem` sentences; the
    /// runtime sends them as errors with the schema, so a mistake shows at
    /// once and by name.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.version < 0 {
            out.push(format!("schema version {} is negative", self.version));
        }
        block_problems(&self.block, "", &mut out);
        out
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn attribute_problems(attributes: &[Attribute], prefix: &str, in_set: bool, out: &mut Vec<String>) {
    for a in attributes {
        let here = format!("{prefix}{}", a.name);
        if !valid_name(&a.name) {
            out.push(format!("{here}: a name must match ^[a-z0-9_]+$"));
        }
        if in_set && contains_dynamic(&a.ty) {
            out.push(format!("{here}: a set element cannot hold a dynamic value"));
        }
        if let Some(nested) = &a.nested {
            let set = in_set || nested.nesting == ObjectNesting::Set;
            attribute_problems(&nested.attributes, &format!("{here}."), set, out);
        }
    }
}

fn block_problems(block: &Block, prefix: &str, out: &mut Vec<String>) {
    attribute_problems(&block.attributes, prefix, false, out);
    let mut names: Vec<&str> = block.attributes.iter().map(|a| a.name.as_str()).collect();
    for b in &block.blocks {
        let here = format!("{prefix}{}", b.type_name);
        if !valid_name(&b.type_name) {
            out.push(format!("{here}: a name must match ^[a-z0-9_]+$"));
        }
        let items_ok = match b.nesting {
            Nesting::Single => b.min_items == b.max_items && (0..=1).contains(&b.min_items),
            Nesting::Group | Nesting::Map => b.min_items == 0 && b.max_items == 0,
            Nesting::List | Nesting::Set => {
                b.min_items >= 0
                    && b.max_items >= 0
                    && (b.max_items == 0 || b.min_items <= b.max_items)
            }
        };
        if !items_ok {
            out.push(format!(
                "{here}: min_items {} and max_items {} do not suit {:?} nesting",
                b.min_items, b.max_items, b.nesting
            ));
        }
        if b.nesting == Nesting::Set && contains_dynamic(&b.block.implied_type()) {
            out.push(format!("{here}: a set element cannot hold a dynamic value"));
        }
        block_problems(&b.block, &format!("{here}."), out);
        names.push(&b.type_name);
    }
    names.sort_unstable();
    for pair in names.windows(2) {
        if pair[0] == pair[1] {
            out.push(format!("{prefix}{}: the name is used twice", pair[0]));
        }
    }
}

fn contains_dynamic(ty: &Type) -> bool {
    match ty {
        Type::Dynamic => true,
        Type::List(e) | Type::Set(e) | Type::Map(e) => contains_dynamic(e),
        Type::Object(attrs) => attrs.values().any(contains_dynamic),
        Type::Tuple(types) => types.iter().any(contains_dynamic),
        _ => false,
    }
}

impl Block {
    pub fn new(description: impl Into<String>) -> Self {
        Self {
            description: description.into(),
            ..Self::default()
        }
    }

    pub fn markdown(mut self, description: impl Into<String>) -> Self {
        self.markdown_description = Some(description.into());
        self
    }

    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecation = Some(message.into());
        self
    }

    pub fn attribute(mut self, a: Attribute) -> Self {
        self.attributes.push(a);
        self
    }

    pub fn block(mut self, b: NestedBlock) -> Self {
        self.blocks.push(b);
        self
    }

    /// The object type Terraform uses for values of this block: every
    /// attribute and every nested block, by name.
    pub fn implied_type(&self) -> Type {
        let mut attrs = BTreeMap::new();
        for a in &self.attributes {
            attrs.insert(a.name.clone(), a.ty.clone());
        }
        for b in &self.blocks {
            attrs.insert(b.type_name.clone(), b.implied_type());
        }
        Type::Object(attrs)
    }
}

impl Attribute {
    fn new(name: &str, ty: Type, presence: Presence, description: &str) -> Self {
        Self {
            name: name.to_owned(),
            ty,
            nested: None,
            description: description.to_owned(),
            markdown_description: None,
            presence,
            sensitive: false,
            deprecation: None,
            write_only: false,
            plan_modifiers: PlanModifiers::default(),
        }
    }

    pub fn required(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Presence::Required, description)
    }

    pub fn optional(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Presence::Optional, description)
    }

    pub fn computed(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Presence::Computed, description)
    }

    pub fn optional_computed(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Presence::OptionalComputed, description)
    }

    /// An attribute holding nested attributes (protocol 6 only).
    pub fn nested(
        name: &str,
        presence: Presence,
        nested: NestedAttributes,
        description: &str,
    ) -> Self {
        Self {
            nested: Some(nested.clone()),
            ..Self::new(name, nested.implied_type(), presence, description)
        }
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn markdown(mut self, description: impl Into<String>) -> Self {
        self.markdown_description = Some(description.into());
        self
    }

    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecation = Some(message.into());
        self
    }

    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    /// Adds a plan modifier (run after the ones added before).
    pub fn plan_modifier(mut self, modifier: impl PlanModifier + 'static) -> Self {
        self.plan_modifiers.push(modifier);
        self
    }

    pub(crate) fn is_required(&self) -> bool {
        self.presence == Presence::Required
    }

    pub fn is_optional(&self) -> bool {
        matches!(
            self.presence,
            Presence::Optional | Presence::OptionalComputed
        )
    }

    pub fn is_computed(&self) -> bool {
        matches!(
            self.presence,
            Presence::Computed | Presence::OptionalComputed
        )
    }
}

impl NestedAttributes {
    pub fn new(nesting: ObjectNesting, attributes: Vec<Attribute>) -> Self {
        Self {
            nesting,
            attributes,
        }
    }

    /// The type of one nested object.
    pub(crate) fn object_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect(),
        )
    }

    /// The type of the attribute holding them.
    pub fn implied_type(&self) -> Type {
        let object = self.object_type();
        match self.nesting {
            ObjectNesting::Single => object,
            ObjectNesting::List => Type::list(object),
            ObjectNesting::Set => Type::set(object),
            ObjectNesting::Map => Type::map(object),
        }
    }
}

impl NestedBlock {
    fn new(type_name: &str, block: Block, nesting: Nesting, min: i64, max: i64) -> Self {
        Self {
            type_name: type_name.to_owned(),
            block,
            nesting,
            min_items: min,
            max_items: max,
        }
    }

    /// A block that may appear at most once.
    pub fn single(type_name: &str, block: Block) -> Self {
        Self::new(type_name, block, Nesting::Single, 0, 0)
    }

    /// A block that always exists (its attributes may all be optional).
    pub fn group(type_name: &str, block: Block) -> Self {
        Self::new(type_name, block, Nesting::Group, 0, 0)
    }

    /// A block written as a list; `max_items = 1` is the classic way to
    /// declare an optional singleton block that Terraform 0.12+ all accept.
    pub fn list(type_name: &str, block: Block, min_items: i64, max_items: i64) -> Self {
        Self::new(type_name, block, Nesting::List, min_items, max_items)
    }

    /// The same block with other item limits.
    pub fn items(mut self, min_items: i64, max_items: i64) -> Self {
        self.min_items = min_items;
        self.max_items = max_items;
        self
    }

    /// Unordered repeated blocks.
    pub fn set(type_name: &str, block: Block, min_items: i64, max_items: i64) -> Self {
        Self::new(type_name, block, Nesting::Set, min_items, max_items)
    }

    /// Labelled blocks (`rule "name" { ... }`).
    pub fn map(type_name: &str, block: Block) -> Self {
        Self::new(type_name, block, Nesting::Map, 0, 0)
    }

    /// The type of the block's value in its parent object.
    pub fn implied_type(&self) -> Type {
        let object = self.block.implied_type();
        match self.nesting {
            Nesting::Single | Nesting::Group => object,
            Nesting::List => Type::list(object),
            Nesting::Set => Type::set(object),
            Nesting::Map => Type::map(object),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implied_type_covers_attributes_and_blocks() {
        let b = Block::new("x")
            .attribute(Attribute::required("a", Type::String, "A."))
            .block(NestedBlock::list(
                "inner",
                Block::new("i").attribute(Attribute::optional("n", Type::Number, "N.")),
                0,
                1,
            ))
            .block(NestedBlock::set(
                "s",
                Block::new("s").attribute(Attribute::optional("b", Type::Bool, "B.")),
                0,
                0,
            ));
        let want = Type::object([
            ("a", Type::String),
            ("inner", Type::list(Type::object([("n", Type::Number)]))),
            ("s", Type::set(Type::object([("b", Type::Bool)]))),
        ]);
        assert_eq!(b.implied_type(), want);
    }

    #[test]
    fn problems_terraform_would_refuse_are_named() {
        let good = Schema::new(
            Block::new("ok")
                .attribute(Attribute::required("name_1", Type::String, "N."))
                .block(NestedBlock::list("rule", Block::new("R."), 0, 3)),
        );
        assert!(good.problems().is_empty(), "{:?}", good.problems());
        let bad = Schema::new(
            Block::new("bad")
                .attribute(Attribute::required("Name", Type::String, "N."))
                .attribute(Attribute::optional("rule", Type::String, "Clash."))
                .block(NestedBlock::list("rule", Block::new("R."), 0, 0))
                .block(NestedBlock::single("one", Block::new("O.")).items(1, 2))
                .block(NestedBlock::set(
                    "s",
                    Block::new("S.").attribute(Attribute::optional("d", Type::Dynamic, "D.")),
                    0,
                    0,
                )),
        )
        .version(-1);
        let problems = bad.problems();
        let expect = [
            "schema version -1 is negative",
            "Name: a name must match ^[a-z0-9_]+$",
            "one: min_items 1 and max_items 2 do not suit Single nesting",
            "s: a set element cannot hold a dynamic value",
            "rule: the name is used twice",
        ];
        for e in expect {
            assert!(problems.iter().any(|p| p == e), "{e:?} in {problems:?}");
        }
        assert_eq!(problems.len(), expect.len(), "{problems:?}");
    }

    #[test]
    fn nested_attributes_imply_their_collection_type() {
        let inner = vec![Attribute::required("port", Type::Number, "Port.")];
        let object = Type::object([("port", Type::Number)]);
        for (nesting, want) in [
            (ObjectNesting::Single, object.clone()),
            (ObjectNesting::List, Type::list(object.clone())),
            (ObjectNesting::Set, Type::set(object.clone())),
            (ObjectNesting::Map, Type::map(object.clone())),
        ] {
            let a = Attribute::nested(
                "rules",
                Presence::Optional,
                NestedAttributes::new(nesting, inner.clone()),
                "Rules.",
            );
            assert_eq!(a.ty, want, "{nesting:?}");
        }
    }
}
