//! The one implementation of the provider RPCs, in protocol-neutral types.
//! `v5` and `v6` are thin adapters over this.
//!
//! Every operation runs behind a panic guard: a panic becomes an error
//! diagnostic and the process keeps serving. Operations see a cancellation
//! token that StopProvider cancels.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, RwLock};

use futures_util::FutureExt as _;
use tokio_util::sync::CancellationToken;

use super::diagnostics::{Diagnostic, Diagnostics};
use super::provider::{Config, Context, DataSource, Provider, ProviderData};
use super::schema::Schema;
use super::value::{self, Type, Value};

/// A `DynamicValue` as received: msgpack (what Terraform sends) or JSON.
#[derive(Clone, Copy, Debug, Default)]
pub struct RawValue<'a> {
    pub msgpack: &'a [u8],
    pub json: &'a [u8],
}

/// Everything a GetProviderSchema response holds, protocol-neutral.
pub struct SchemaSet<'a> {
    pub provider: &'a Schema,
    pub data_sources: &'a BTreeMap<String, Schema>,
}

struct DataSourceEntry {
    source: Arc<dyn DataSource>,
    ty: Type,
}

/// The provider as the protocol adapters see it.
pub struct ProviderServer {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    provider_type: Type,
    data_sources: HashMap<String, DataSourceEntry>,
    data_source_schemas: BTreeMap<String, Schema>,
    configured: RwLock<Option<(ProviderData, String)>>,
    stop: CancellationToken,
}

impl ProviderServer {
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        let provider_schema = provider.schema();
        let provider_type = provider_schema.block.implied_type();
        let mut data_sources = HashMap::new();
        let mut data_source_schemas = BTreeMap::new();
        for source in provider.data_sources() {
            let schema = source.schema();
            let ty = schema.block.implied_type();
            data_source_schemas.insert(source.type_name().to_owned(), schema);
            data_sources.insert(
                source.type_name().to_owned(),
                DataSourceEntry { source, ty },
            );
        }
        Self {
            provider,
            provider_schema,
            provider_type,
            data_sources,
            data_source_schemas,
            configured: RwLock::new(None),
            stop: CancellationToken::new(),
        }
    }

    pub fn schemas(&self) -> SchemaSet<'_> {
        SchemaSet {
            provider: &self.provider_schema,
            data_sources: &self.data_source_schemas,
        }
    }

    pub fn data_source_names(&self) -> impl Iterator<Item = &String> {
        self.data_source_schemas.keys()
    }

    /// Cancels every in-flight and future operation: on StopProvider, and
    /// when the process shuts down. `why` goes into the log, so a normal
    /// exit does not read like Terraform asked to stop.
    pub fn stop(&self, why: &'static str) {
        tracing::info!(target: "provider", why, "cancelling in-flight operations");
        self.stop.cancel();
    }

    fn context(&self) -> Context {
        let configured = self
            .configured
            .read()
            .map(|g| g.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone());
        let (provider_data, terraform_version) = match configured {
            Some((data, version)) => (Some(data), version),
            None => (None, String::new()),
        };
        Context {
            cancel: self.stop.clone(),
            provider_data,
            terraform_version,
        }
    }

    pub async fn validate_provider_config(&self, config: RawValue<'_>) -> Diagnostics {
        let config = match decode_config(&self.provider_type, config, "provider") {
            Ok(c) => c,
            Err(d) => return d.into(),
        };
        guarded("ValidateProviderConfig", self.provider.validate(&config)).await
    }

    pub async fn configure_provider(
        &self,
        terraform_version: &str,
        config: RawValue<'_>,
    ) -> Diagnostics {
        let config = match decode_config(&self.provider_type, config, "provider") {
            Ok(c) => c,
            Err(d) => return d.into(),
        };
        let ctx = Context {
            terraform_version: terraform_version.to_owned(),
            ..self.context()
        };
        let result =
            guarded_result("ConfigureProvider", self.provider.configure(&config, &ctx)).await;
        match result {
            Ok(data) => {
                let mut slot = self.configured.write().unwrap_or_else(|p| p.into_inner());
                *slot = Some((data, terraform_version.to_owned()));
                Diagnostics::new()
            }
            Err(diags) => diags,
        }
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry, Diagnostic> {
        self.data_sources.get(type_name).ok_or_else(|| {
            let known: Vec<&str> = self.data_sources.keys().map(String::as_str).collect();
            Diagnostic::error(
                "Data Source Type Not Found",
                format!(
                    "The provider does not offer a data source named {type_name:?}; it offers: {}.",
                    known.join(", ")
                ),
            )
        })
    }

    pub async fn validate_data_source(&self, type_name: &str, config: RawValue<'_>) -> Diagnostics {
        let entry = match self.data_source(type_name) {
            Ok(e) => e,
            Err(d) => return d.into(),
        };
        let config = match decode_config(&entry.ty, config, type_name) {
            Ok(c) => c,
            Err(d) => return d.into(),
        };
        guarded("ValidateDataResourceConfig", entry.source.validate(&config)).await
    }

    /// ReadDataSource: returns the msgpack state (when there is no error).
    pub async fn read_data_source(
        &self,
        type_name: &str,
        config: RawValue<'_>,
    ) -> (Option<Vec<u8>>, Diagnostics) {
        let entry = match self.data_source(type_name) {
            Ok(e) => e,
            Err(d) => return (None, d.into()),
        };
        let config = match decode_config(&entry.ty, config, type_name) {
            Ok(c) => c,
            Err(d) => return (None, d.into()),
        };
        let ctx = self.context();
        if ctx.provider_data.is_none() {
            return (
                None,
                Diagnostic::provider_bug(
                    "Provider Not Configured",
                    format!("Terraform asked to read {type_name} before configuring the provider."),
                )
                .into(),
            );
        }
        let state = match guarded_result("ReadDataSource", entry.source.read(&config, &ctx)).await {
            Ok(state) => state.into_value(),
            Err(diags) => return (None, diags),
        };
        match value::encode_msgpack(&entry.ty, &state) {
            Ok(bytes) => (Some(bytes), Diagnostics::new()),
            Err(e) => (
                None,
                Diagnostic::provider_bug(
                    "Invalid Data Source State",
                    format!("The state produced for {type_name} does not match its schema: {e}."),
                )
                .into(),
            ),
        }
    }
}

fn decode_config(ty: &Type, raw: RawValue<'_>, what: &str) -> Result<Config, Diagnostic> {
    let decoded = if !raw.msgpack.is_empty() {
        value::decode_msgpack(ty, raw.msgpack)
    } else if !raw.json.is_empty() {
        value::decode_json(ty, raw.json)
    } else {
        Ok(Value::Null)
    };
    decoded.map(Config::new).map_err(|e| {
        Diagnostic::provider_bug(
            "Invalid Configuration Value",
            format!("The configuration of {what} sent by Terraform could not be decoded: {e}."),
        )
    })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_owned()
    }
}

fn panic_diagnostic(operation: &str, payload: &(dyn std::any::Any + Send)) -> Diagnostic {
    let message = panic_message(payload);
    tracing::error!(target: "provider", tf_rpc = operation, panic = %message, "operation panicked");
    Diagnostic::provider_bug(
        "Provider Panicked",
        format!("The provider panicked during {operation}: {message}. The provider process keeps running."),
    )
}

/// Runs an operation that returns diagnostics, turning a panic into one.
async fn guarded<F: Future<Output = Diagnostics>>(operation: &str, fut: F) -> Diagnostics {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(d) => d,
        Err(payload) => panic_diagnostic(operation, payload.as_ref()).into(),
    }
}

/// Runs an operation that returns a result, turning a panic into an error.
async fn guarded_result<T, F: Future<Output = Result<T, Diagnostics>>>(
    operation: &str,
    fut: F,
) -> Result<T, Diagnostics> {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(payload) => Err(panic_diagnostic(operation, payload.as_ref()).into()),
    }
}
