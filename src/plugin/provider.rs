//! The API a provider implements, shaped like terraform-plugin-framework:
//! a small core trait ([`Provider`]) plus optional capabilities (data
//! sources, resources in [`resource`](super::resource), functions in
//! [`function`](super::function)). Every operation takes a request value
//! and returns a response carrying its diagnostics beside its result, so a
//! warning can accompany a success. Provider code sees schemas, typed
//! values and diagnostics; it never touches protobuf or msgpack.

use std::sync::Arc;

use super::config::{Config, State, ValidateRequest};
use super::context::{Context, ProviderData};
use super::diagnostics::Diagnostics;
use super::function::Function;
use super::resource::Resource;
use super::schema::Schema;

/// ConfigureProvider.
#[derive(Clone, Debug)]
pub struct ConfigureRequest {
    /// May hold unknown values (while planning).
    pub config: Config,
    pub terraform_version: String,
}

/// The outcome of configuring the provider.
#[derive(Clone, Debug, Default)]
pub struct ConfigureResponse {
    /// Handed to every later operation; `None` leaves the provider
    /// unconfigured (functions still work).
    pub provider_data: Option<ProviderData>,
    pub diagnostics: Diagnostics,
}

impl From<Result<ProviderData, Diagnostics>> for ConfigureResponse {
    fn from(result: Result<ProviderData, Diagnostics>) -> Self {
        match result {
            Ok(data) => Self {
                provider_data: Some(data),
                diagnostics: Diagnostics::new(),
            },
            Err(diagnostics) => Self {
                provider_data: None,
                diagnostics,
            },
        }
    }
}

/// A provider: its configuration schema, how it validates and applies its
/// configuration, and the optional capabilities it offers (each defaults to
/// none).
#[async_trait::async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider type name, e.g. `cams`. Resource and data source names
    /// start with it.
    fn type_name(&self) -> &'static str;

    /// The schema of the `provider` block.
    fn schema(&self) -> Schema;

    /// Checks the configuration. Values may be unknown here.
    async fn validate(&self, _req: ValidateRequest) -> Diagnostics {
        Diagnostics::new()
    }

    /// Applies the configuration; the result reaches every data source and
    /// resource through [`Context::provider_data`].
    async fn configure(&self, ctx: &Context, req: ConfigureRequest) -> ConfigureResponse;

    /// Data sources (capability).
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }

    /// Managed resources (capability).
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        Vec::new()
    }

    /// Provider-defined functions (capability; Terraform 1.8 and later).
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        Vec::new()
    }
}

/// ReadDataSource: the configuration is wholly known.
#[derive(Clone, Debug)]
pub struct ReadDataSourceRequest {
    pub config: Config,
}

/// The outcome of a data source read.
#[derive(Clone, Debug, Default)]
pub struct ReadDataSourceResponse {
    /// An object with every attribute of the schema (see [`State`]); `None`
    /// only together with an error.
    pub state: Option<State>,
    pub diagnostics: Diagnostics,
}

impl From<Result<State, Diagnostics>> for ReadDataSourceResponse {
    fn from(result: Result<State, Diagnostics>) -> Self {
        match result {
            Ok(state) => Self {
                state: Some(state),
                diagnostics: Diagnostics::new(),
            },
            Err(diagnostics) => Self {
                state: None,
                diagnostics,
            },
        }
    }
}

/// A data source: a schema, validation and a read.
#[async_trait::async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// The full type name, e.g. `cams_flow_json`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Checks the configuration. Values may be unknown here.
    async fn validate(&self, _req: ValidateRequest) -> Diagnostics {
        Diagnostics::new()
    }

    /// Reads the data.
    async fn read(&self, ctx: &Context, req: ReadDataSourceRequest) -> ReadDataSourceResponse;
}
