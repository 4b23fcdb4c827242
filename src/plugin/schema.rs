//! Schema declarations: what a provider or data source accepts and returns.
//!
//! Provider code builds these with the small builder methods below; the
//! protocol adapters turn them into tfplugin5/6 messages. Every attribute
//! carries a description: it is what `terraform providers schema -json`,
//! editors and generated docs show.

use std::collections::BTreeMap;

use super::value::Type;

/// The schema of a provider configuration or of a data source.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

/// A configuration block: attributes and nested blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    pub description: String,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub deprecated: bool,
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
    pub ty: Type,
    pub description: String,
    pub presence: Presence,
    /// Masked in CLI output (still stored in state, as for every provider).
    pub sensitive: bool,
    pub deprecated: bool,
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block; the value is an object or null.
    Single,
    /// A list of blocks.
    List,
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
}

impl Block {
    pub fn new(description: impl Into<String>) -> Self {
        Self {
            description: description.into(),
            ..Self::default()
        }
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
            let object = b.block.implied_type();
            let ty = match b.nesting {
                Nesting::Single => object,
                Nesting::List => Type::List(Box::new(object)),
            };
            attrs.insert(b.type_name.clone(), ty);
        }
        Type::Object(attrs)
    }

    pub fn find_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

impl Attribute {
    fn new(name: &str, ty: Type, presence: Presence, description: &str) -> Self {
        Self {
            name: name.to_owned(),
            ty,
            description: description.to_owned(),
            presence,
            sensitive: false,
            deprecated: false,
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

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn is_required(&self) -> bool {
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

impl NestedBlock {
    /// A block that may appear at most once.
    pub fn single(type_name: &str, block: Block) -> Self {
        Self {
            type_name: type_name.to_owned(),
            block,
            nesting: Nesting::Single,
            min_items: 0,
            max_items: 0,
        }
    }

    /// A block written as a list; `max_items = 1` is the classic way to
    /// declare an optional singleton block that Terraform 0.12+ all accept.
    pub fn list(type_name: &str, block: Block, min_items: i64, max_items: i64) -> Self {
        Self {
            type_name: type_name.to_owned(),
            block,
            nesting: Nesting::List,
            min_items,
            max_items,
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
            ));
        let mut inner = BTreeMap::new();
        inner.insert("n".to_owned(), Type::Number);
        let mut want = BTreeMap::new();
        want.insert("a".to_owned(), Type::String);
        want.insert(
            "inner".to_owned(),
            Type::List(Box::new(Type::Object(inner))),
        );
        assert_eq!(b.implied_type(), Type::Object(want));
    }
}
