//! The API a provider implements. Provider code sees schemas, typed config
//! values and diagnostics; it never touches protobuf or msgpack.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use super::schema::Schema;
use super::value::{Number, Value};

/// Whatever `Provider::configure` produced (e.g. an API client), handed to
/// every data source read.
pub type ProviderData = Arc<dyn Any + Send + Sync>;

/// Per-operation context.
#[derive(Clone)]
pub struct Context {
    /// Cancelled when Terraform calls StopProvider (Ctrl-C). Long operations
    /// must observe it and return promptly.
    pub cancel: CancellationToken,
    /// The value returned by [`Provider::configure`], if it has run.
    pub provider_data: Option<ProviderData>,
    /// The version of Terraform core, as sent to ConfigureProvider.
    pub terraform_version: String,
}

/// A provider: its configuration schema, its data sources, and how it
/// validates and applies its configuration.
#[async_trait::async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider type name, e.g. `cams`. Data source names start with it.
    fn type_name(&self) -> &'static str;

    /// The schema of the `provider` block.
    fn schema(&self) -> Schema;

    /// Every data source this provider offers.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;

    /// Checks the configuration. Values may be unknown here.
    async fn validate(&self, config: &Config) -> Diagnostics;

    /// Applies the configuration; the result is handed to data sources.
    async fn configure(&self, config: &Config, ctx: &Context) -> Result<ProviderData, Diagnostics>;
}

/// A data source: a schema, validation and a read.
#[async_trait::async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// The full type name, e.g. `cams_flow_json`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Checks the configuration. Values may be unknown here.
    async fn validate(&self, config: &Config) -> Diagnostics;

    /// Reads the data. The configuration is wholly known. The returned
    /// object must hold every attribute of the schema (see [`State`]).
    async fn read(&self, config: &Config, ctx: &Context) -> Result<State, Diagnostics>;
}

/// A configured value, tri-state as in Terraform.
#[derive(Clone, Debug, PartialEq)]
pub enum Attr<T> {
    Null,
    Unknown,
    Known(T),
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

/// Read access to a configuration object (the provider block, a data
/// source block, or a nested block).
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

    /// The whole value.
    pub fn value(&self) -> &Value {
        &self.value
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

    /// The blocks of a LIST nested block, each as a `Config` whose paths are
    /// `name[i].attr`.
    pub fn blocks(&self, name: &str) -> Result<Attr<Vec<Config>>, Diagnostic> {
        match self.raw(name) {
            Attr::Null => Ok(Attr::Known(Vec::new())),
            Attr::Unknown => Ok(Attr::Unknown),
            Attr::Known(Value::List(items)) => Ok(Attr::Known(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Config {
                        value: v.clone(),
                        path: self.path_of(name).index(i as i64),
                    })
                    .collect(),
            )),
            Attr::Known(_) => Err(self.type_error(name, "list of blocks")),
        }
    }
}

/// The result of a read: an object with every attribute of the schema.
/// Start from the configuration (which Terraform requires to be echoed
/// back unchanged) and set the computed attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    attrs: BTreeMap<String, Value>,
}

impl State {
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
    fn a_wrong_type_is_a_diagnostic_with_the_path() {
        let d = config().string("b").unwrap_err();
        assert_eq!(d.attribute, Some(AttributePath::root("b")));
        assert!(d.detail.contains("reported to the provider developers"));
    }
}
