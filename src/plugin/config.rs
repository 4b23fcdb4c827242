//! Object values as provider code reads and writes them: a configuration,
//! plan or state ([`Config`], read with typed accessors that tell null,
//! unknown and known apart, [`Attr`]) and a state being built ([`State`]).

use std::collections::BTreeMap;

use super::diagnostics::{AttributePath, Diagnostic, PathStep};
use super::value::{Number, Value};

/// A request that only carries a configuration (the Validate* RPCs).
#[derive(Clone, Debug)]
pub struct ValidateRequest {
    /// May hold unknown values.
    pub config: Config,
}

/// A configured value, tri-state as in Terraform.
#[derive(Clone, Debug, PartialEq)]
pub enum Attr<T> {
    Null,
    Unknown,
    Known(T),
}

/// Null: what an attribute is until something sets it.
impl<T> Default for Attr<T> {
    fn default() -> Self {
        Attr::Null
    }
}

/// `Some` as known, `None` as null: a value read back from the API, where
/// nothing is unknown.
impl<T> From<Option<T>> for Attr<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Attr::Null, Attr::Known)
    }
}

impl<T> Attr<T> {
    /// The value if it is known, `None` when null or unknown.
    pub fn known(self) -> Option<T> {
        match self {
            Attr::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Attr::Unknown)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Attr::Null)
    }
}

/// Read access to an object value: a configuration (the provider block, a
/// data source or resource block, a nested block), a plan or a state. Typed
/// accessors tell null, unknown and known apart and point type errors at
/// the attribute.
#[derive(Clone, Debug)]
pub struct Config {
    value: Value,
    path: AttributePath,
}

impl Config {
    /// Wraps a decoded object value.
    pub fn new(value: Value) -> Self {
        Self {
            value,
            path: AttributePath::default(),
        }
    }

    /// Wraps an object value found at `path` (for diagnostics).
    pub fn at(value: Value, path: AttributePath) -> Self {
        Self { value, path }
    }

    /// The whole value.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The whole value, owned.
    pub fn into_value(self) -> Value {
        self.value
    }

    /// Whether the whole object is null (a resource being created has a
    /// null prior state; one being destroyed a null plan).
    pub fn is_null(&self) -> bool {
        self.value.is_null()
    }

    /// An attribute's raw value; `None` when the object lacks it.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.value.get_attr(name)
    }

    /// The attribute path of `name` within this object, for diagnostics.
    pub fn path_of(&self, name: &str) -> AttributePath {
        self.path.clone().attribute(name)
    }

    fn raw(&self, name: &str) -> Attr<&Value> {
        match &self.value {
            Value::Unknown(..) => Attr::Unknown,
            Value::Object(attrs) => match attrs.get(name) {
                None | Some(Value::Null) => Attr::Null,
                Some(Value::Unknown(..)) => Attr::Unknown,
                Some(v) => Attr::Known(v),
            },
            _ => Attr::Null,
        }
    }

    fn type_error(&self, name: &str, want: &str) -> Diagnostic {
        Diagnostic::provider_bug(
            "Unexpected Configuration Type",
            format!(
                "The attribute {} was expected to be a {want}.",
                self.path_of(name)
            ),
        )
        .at(self.path_of(name))
    }

    /// A string attribute.
    pub fn string(&self, name: &str) -> Result<Attr<String>, Diagnostic> {
        match self.raw(name) {
            Attr::Null => Ok(Attr::Null),
            Attr::Unknown => Ok(Attr::Unknown),
            Attr::Known(Value::String(s)) => Ok(Attr::Known(s.clone())),
            Attr::Known(_) => Err(self.type_error(name, "string")),
        }
    }

    /// A number attribute.
    pub fn number(&self, name: &str) -> Result<Attr<Number>, Diagnostic> {
        match self.raw(name) {
            Attr::Null => Ok(Attr::Null),
            Attr::Unknown => Ok(Attr::Unknown),
            Attr::Known(Value::Number(n)) => Ok(Attr::Known(n.clone())),
            Attr::Known(_) => Err(self.type_error(name, "number")),
        }
    }

    /// A bool attribute.
    pub fn bool(&self, name: &str) -> Result<Attr<bool>, Diagnostic> {
        match self.raw(name) {
            Attr::Null => Ok(Attr::Null),
            Attr::Unknown => Ok(Attr::Unknown),
            Attr::Known(Value::Bool(b)) => Ok(Attr::Known(*b)),
            Attr::Known(_) => Err(self.type_error(name, "bool")),
        }
    }

    /// A list or set of strings (an unknown element makes it unknown).
    pub fn strings(&self, name: &str) -> Result<Attr<Vec<String>>, Diagnostic> {
        match self.raw(name) {
            Attr::Null => Ok(Attr::Null),
            Attr::Unknown => Ok(Attr::Unknown),
            Attr::Known(v) => {
                let Some(items) = v.elements() else {
                    return Err(self.type_error(name, "list or set of strings"));
                };
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        Value::Unknown(..) => return Ok(Attr::Unknown),
                        _ => return Err(self.type_error(name, "list or set of strings")),
                    }
                }
                Ok(Attr::Known(out))
            }
        }
    }

    /// A single nested object (SINGLE block or nested attribute), whose
    /// paths are `name.attr`.
    pub fn object(&self, name: &str) -> Result<Attr<Config>, Diagnostic> {
        match self.raw(name) {
            Attr::Null => Ok(Attr::Null),
            Attr::Unknown => Ok(Attr::Unknown),
            Attr::Known(v @ Value::Object(_)) => Ok(Attr::Known(Config {
                value: v.clone(),
                path: self.path_of(name),
            })),
            Attr::Known(_) => Err(self.type_error(name, "object")),
        }
    }

    /// The objects of a LIST or SET nested block (or nested attribute), each
    /// as a `Config` whose paths are `name[i].attr` (for a set, diagnostics
    /// point at the set: Terraform cannot address its elements).
    pub fn blocks(&self, name: &str) -> Result<Attr<Vec<Config>>, Diagnostic> {
        let step = |i: usize, set: bool| {
            if set {
                self.path_of(name).join(PathStep::SetElement(i as u64))
            } else {
                self.path_of(name).index(i)
            }
        };
        let objects = |items: &[Value], set: bool| {
            items
                .iter()
                .enumerate()
                .map(|(i, v)| Config {
                    value: v.clone(),
                    path: step(i, set),
                })
                .collect()
        };
        match self.raw(name) {
            Attr::Null => Ok(Attr::Known(Vec::new())),
            Attr::Unknown => Ok(Attr::Unknown),
            Attr::Known(Value::List(items)) => Ok(Attr::Known(objects(items, false))),
            Attr::Known(Value::Set(items)) => Ok(Attr::Known(objects(items, true))),
            Attr::Known(_) => Err(self.type_error(name, "list or set of blocks")),
        }
    }
}

/// A state or plan being built: an object with every attribute of the
/// schema. Start from the configuration or the plan (whose configured
/// values Terraform requires unchanged) and set the computed attributes.
/// Attributes never set are sent as null.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    attrs: BTreeMap<String, Value>,
}

impl State {
    /// An empty object: every attribute null until set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts from an object value (a plan, a prior state).
    pub fn from_value(value: &Value) -> Self {
        let attrs = match value {
            Value::Object(attrs) => attrs.clone(),
            _ => BTreeMap::new(),
        };
        Self { attrs }
    }

    /// An attribute as set so far.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.attrs.get(name)
    }

    /// Starts from the configuration values.
    pub fn from_config(config: &Config) -> Self {
        let attrs = match config.value() {
            Value::Object(attrs) => attrs.clone(),
            _ => BTreeMap::new(),
        };
        Self { attrs }
    }

    pub fn set(&mut self, name: &str, value: Value) -> &mut Self {
        self.attrs.insert(name.to_owned(), value);
        self
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.attrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let mut attrs = BTreeMap::new();
        attrs.insert("s".to_owned(), Value::String("x".to_owned()));
        attrs.insert("n".to_owned(), Value::Null);
        attrs.insert("u".to_owned(), Value::Unknown(Default::default()));
        attrs.insert("b".to_owned(), Value::Bool(true));
        Config::new(Value::Object(attrs))
    }

    #[test]
    fn typed_access_distinguishes_null_unknown_known() {
        let c = config();
        assert_eq!(c.string("s").unwrap(), Attr::Known("x".to_owned()));
        assert_eq!(c.string("n").unwrap(), Attr::Null);
        assert_eq!(c.string("u").unwrap(), Attr::Unknown);
        assert_eq!(c.string("missing").unwrap(), Attr::Null);
        assert_eq!(c.bool("b").unwrap(), Attr::Known(true));
    }

    #[test]
    fn collections_and_nested_objects() {
        let c = Config::new(Value::object([
            ("tags", Value::Set(vec!["a".into(), "b".into()])),
            ("half", Value::List(vec!["a".into(), Value::unknown()])),
            ("labels", Value::Map([("k".to_owned(), "v".into())].into())),
            ("inner", Value::object([("x", Value::from("y"))])),
        ]));
        assert_eq!(
            c.strings("tags").unwrap(),
            Attr::Known(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(c.strings("half").unwrap(), Attr::Unknown);
        let set = Config::new(Value::object([(
            "rule",
            Value::Set(vec![Value::object([("port", Value::from(80i64))])]),
        )]));
        let rules = set.blocks("rule").unwrap().known().unwrap();
        let d = Diagnostic::error("Bad Port", "x").at(rules[0].path_of("port"));
        assert_eq!(
            d.attribute,
            Some(AttributePath::of("rule")),
            "stops at the set"
        );
        let inner = c.object("inner").unwrap().known().unwrap();
        assert_eq!(inner.path_of("x").to_string(), "inner.x");
        assert!(c.strings("labels").is_err());
    }

    #[test]
    fn a_wrong_type_is_a_diagnostic_with_the_path() {
        let d = config().string("b").unwrap_err();
        assert_eq!(d.attribute, Some(AttributePath::of("b")));
        assert!(d.detail.contains("reported to the provider developers"));
    }
}
