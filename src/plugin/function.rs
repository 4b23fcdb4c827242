//! Provider-defined functions (Terraform 1.8 and later): the capability a
//! provider offers through `Provider::functions`. Calls are pure: they get
//! no provider configuration, so they work before (and without) it.

use super::value::{Type, Value};

/// One parameter of a function.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub ty: Type,
    /// Plain-text description.
    pub description: String,
    /// The same in markdown; sent instead of `description` when set.
    pub markdown_description: Option<String>,
    /// Whether a null argument reaches the function (otherwise the runtime
    /// refuses it, naming the argument).
    pub allow_null: bool,
    /// Whether an unknown argument reaches the function (otherwise
    /// Terraform returns an unknown result without calling it).
    pub allow_unknown: bool,
}

impl Parameter {
    pub fn new(name: &str, ty: Type, description: &str) -> Self {
        Self {
            name: name.to_owned(),
            ty,
            description: description.to_owned(),
            markdown_description: None,
            allow_null: false,
            allow_unknown: false,
        }
    }

    pub fn markdown(mut self, description: impl Into<String>) -> Self {
        self.markdown_description = Some(description.into());
        self
    }

    pub fn allow_null(mut self) -> Self {
        self.allow_null = true;
        self
    }
}

/// What a function takes and returns, and its documentation.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDefinition {
    /// One short line.
    pub summary: String,
    /// Plain-text description.
    pub description: String,
    /// The same in markdown; sent instead of `description` when set.
    pub markdown_description: Option<String>,
    /// Why the function is deprecated and what to use instead.
    pub deprecation: Option<String>,
    pub parameters: Vec<Parameter>,
    /// Takes any number of further arguments of this parameter's type.
    pub variadic: Option<Parameter>,
    pub return_type: Type,
}

impl FunctionDefinition {
    pub fn new(summary: &str, description: &str, return_type: Type) -> Self {
        Self {
            summary: summary.to_owned(),
            description: description.to_owned(),
            markdown_description: None,
            deprecation: None,
            parameters: Vec::new(),
            variadic: None,
            return_type,
        }
    }

    pub fn parameter(mut self, p: Parameter) -> Self {
        self.parameters.push(p);
        self
    }

    pub fn variadic(mut self, p: Parameter) -> Self {
        self.variadic = Some(p);
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
}

/// A call: the arguments decoded with their parameter types.
#[derive(Clone, Debug, PartialEq)]
pub struct CallRequest {
    /// One per fixed parameter, in order.
    pub arguments: Vec<Value>,
    /// The arguments given for the variadic parameter, if any.
    pub variadic: Vec<Value>,
}

impl CallRequest {
    /// A fixed argument as a string (`None` when null, unknown or not a
    /// string).
    pub fn string(&self, index: usize) -> Option<&str> {
        self.arguments.get(index).and_then(Value::as_str)
    }
}

/// A function error, shown by Terraform against the call or one argument.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text}")]
pub struct FunctionError {
    pub text: String,
    /// The argument at fault (0-based across fixed and variadic ones).
    pub argument: Option<usize>,
}

impl FunctionError {
    /// An error about the call as a whole.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: None,
        }
    }

    /// An error about one argument.
    pub fn argument(index: usize, text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: Some(index),
        }
    }
}

/// The outcome of a call: a value of the return type, or an error.
pub type CallResponse = Result<Value, FunctionError>;

/// A provider-defined function, called as `provider::NAME::FUNCTION(...)`.
#[async_trait::async_trait]
pub trait Function: Send + Sync + 'static {
    /// The name, without the provider prefix.
    fn name(&self) -> &'static str;

    fn definition(&self) -> FunctionDefinition;

    async fn call(&self, req: CallRequest) -> CallResponse;
}
