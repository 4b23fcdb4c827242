//! The one implementation of the provider RPCs, in protocol-neutral types.
//! `v5` and `v6` are thin adapters over this.
//!
//! Every operation runs behind a panic guard (`guard`): a panic becomes an
//! error diagnostic and the process keeps serving. Operations see a
//! cancellation token that StopProvider cancels.
//!
//! * this module: the server, the provider-level RPCs, decoding and encoding;
//! * `data_sources`, `resources`, `functions`: the RPCs of each
//!   capability.

mod data_sources;
mod functions;
mod guard;
mod resources;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use tokio_util::sync::CancellationToken;

use super::config::{Config, ValidateRequest};
use super::context::{Context, ProviderData};
use super::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use super::function::{Function, FunctionDefinition};
use super::provider::{ConfigureRequest, DataSource, Provider};
use super::resource::{Private, Resource};
use super::schema::{Block, Schema};
use super::shape::{self, ObjectSchema};
use super::value::{self, Type, Value};
use guard::guard;

/// A `DynamicValue` as received: msgpack (what Terraform sends) or JSON.
#[derive(Clone, Copy, Debug, Default)]
pub struct RawValue<'a> {
    pub msgpack: &'a [u8],
    pub json: &'a [u8],
}

/// A state (or plan) to send back, msgpack-encoded, with its private bytes.
#[derive(Clone, Debug, Default)]
pub struct StateOutcome {
    /// `None`: send no value (only together with an error).
    pub state: Option<Vec<u8>>,
    pub private: Private,
    pub diagnostics: Diagnostics,
}

/// A PlanResourceChange answer.
#[derive(Clone, Debug, Default)]
pub struct PlanOutcome {
    pub planned_state: Option<Vec<u8>>,
    pub requires_replace: Vec<AttributePath>,
    pub planned_private: Private,
    pub diagnostics: Diagnostics,
}

/// One schema entry of each kind, for GetProviderSchema.
struct Entry<T: ?Sized> {
    imp: Arc<T>,
    schema: Schema,
    ty: Type,
}

impl<T: ?Sized> Entry<T> {
    fn new(imp: Arc<T>, schema: Schema) -> Self {
        let ty = schema.implied_type();
        Self { imp, schema, ty }
    }

    fn object_schema(&self) -> ObjectSchema<'_> {
        ObjectSchema::of_block(&self.schema.block)
    }
}

struct FunctionEntry {
    imp: Arc<dyn Function>,
    definition: FunctionDefinition,
}

/// The provider as the protocol adapters see it.
pub struct ProviderServer {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    provider_type: Type,
    data_sources: BTreeMap<String, Entry<dyn DataSource>>,
    resources: BTreeMap<String, Entry<dyn Resource>>,
    functions: BTreeMap<String, FunctionEntry>,
    configured: RwLock<Option<(ProviderData, String)>>,
    stop: CancellationToken,
    check_consistency: bool,
}

impl ProviderServer {
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        let provider_schema = provider.schema();
        let provider_type = provider_schema.implied_type();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name().to_owned(), Entry::new(d.clone(), d.schema())))
            .collect();
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| (r.type_name().to_owned(), Entry::new(r.clone(), r.schema())))
            .collect();
        let functions = provider
            .functions()
            .into_iter()
            .map(|f| {
                let definition = f.definition();
                (f.name().to_owned(), FunctionEntry { imp: f, definition })
            })
            .collect();
        Self {
            provider,
            provider_schema,
            provider_type,
            data_sources,
            resources,
            functions,
            configured: RwLock::new(None),
            stop: CancellationToken::new(),
            // Terraform checks these too; checking here as well names the
            // attribute, which is what a failing test needs. Release builds
            // leave it to Terraform.
            check_consistency: cfg!(debug_assertions),
        }
    }

    pub fn provider_schema(&self) -> &Schema {
        &self.provider_schema
    }

    pub fn data_source_schemas(&self) -> impl Iterator<Item = (&String, &Schema)> {
        self.data_sources.iter().map(|(n, e)| (n, &e.schema))
    }

    pub fn resource_schemas(&self) -> impl Iterator<Item = (&String, &Schema)> {
        self.resources.iter().map(|(n, e)| (n, &e.schema))
    }

    pub(crate) fn function_definitions(
        &self,
    ) -> impl Iterator<Item = (&String, &FunctionDefinition)> {
        self.functions.iter().map(|(n, e)| (n, &e.definition))
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
        Context::new(self.stop.clone(), provider_data, terraform_version)
    }

    // ---- provider ------------------------------------------------------

    pub async fn validate_provider_config(&self, config: RawValue<'_>) -> Diagnostics {
        let config = match decode(&self.provider_type, config) {
            Ok(c) => c,
            Err(d) => return d.into(),
        };
        let mut diags = deprecation_warnings(&self.provider_schema.block, &config);
        let req = ValidateRequest {
            config: Config::new(config),
        };
        diags.extend(guard("ValidateProviderConfig", self.provider.validate(req)).await);
        diags
    }

    pub async fn configure_provider(
        &self,
        terraform_version: &str,
        config: RawValue<'_>,
    ) -> Diagnostics {
        let config = match decode(&self.provider_type, config) {
            Ok(c) => c,
            Err(d) => return d.into(),
        };
        let ctx = Context::new(self.stop.clone(), None, terraform_version.to_owned());
        let req = ConfigureRequest {
            config: Config::new(config),
            terraform_version: terraform_version.to_owned(),
        };
        let resp = guard("ConfigureProvider", async {
            let r = self.provider.configure(&ctx, req).await;
            (r.provider_data, r.diagnostics)
        })
        .await;
        let (data, diags) = resp;
        if let Some(data) = data {
            if !diags.has_errors() {
                let mut slot = self.configured.write().unwrap_or_else(|p| p.into_inner());
                *slot = Some((data, terraform_version.to_owned()));
            }
        }
        diags
    }

    /// Encodes a state to send: it must be wholly known and of the schema.
    fn finish_state(
        &self,
        ty: &Type,
        state: Value,
        private: Private,
        mut diags: Diagnostics,
        what: &str,
    ) -> StateOutcome {
        if let Some(path) = shape::first_unknown(&state, AttributePath::root()) {
            diags.push(
                Diagnostic::provider_bug(
                    format!("Invalid {what} State"),
                    format!("The provider returned a state that is not wholly known: {path} is unknown."),
                )
                .at(path),
            );
            return StateOutcome::failed(diags);
        }
        match value::encode_msgpack(ty, &state) {
            Ok(bytes) => StateOutcome {
                state: Some(bytes),
                private,
                diagnostics: diags,
            },
            Err(e) => {
                diags.push(
                    Diagnostic::provider_bug(
                        format!("Invalid {what} State"),
                        format!("The state produced does not match its schema: {e}."),
                    )
                    .at(e.path),
                );
                StateOutcome::failed(diags)
            }
        }
    }
}

impl StateOutcome {
    fn error(d: Diagnostic) -> Self {
        Self::failed(d.into())
    }

    fn failed(diagnostics: Diagnostics) -> Self {
        Self {
            state: None,
            private: Vec::new(),
            diagnostics,
        }
    }
}

impl PlanOutcome {
    fn error(d: Diagnostic) -> Self {
        Self::failed(d.into())
    }

    fn failed(diagnostics: Diagnostics) -> Self {
        Self {
            diagnostics,
            ..Self::default()
        }
    }
}

/// Decodes a value Terraform sent; an absent value is null.
fn decode(ty: &Type, raw: RawValue<'_>) -> Result<Value, Diagnostic> {
    let decoded = if !raw.msgpack.is_empty() {
        value::decode_msgpack(ty, raw.msgpack)
    } else if !raw.json.is_empty() {
        value::decode_json(ty, raw.json)
    } else {
        Ok(Value::Null)
    };
    decoded.map_err(|e| Diagnostic::from_decode_error("Invalid Value From Terraform", &e))
}

/// A warning for each configured attribute or block that is deprecated,
/// nested ones included, with its message, as terraform-plugin-framework
/// does in its Validate handlers (Terraform does not warn by itself).
fn deprecation_warnings(block: &Block, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let mut visit = |item: shape::Configured<'_>, path: &AttributePath, value: &Value| {
        let (deprecation, summary, used) = match item {
            shape::Configured::Attribute(a) => {
                (&a.deprecation, "Attribute Deprecated", !value.is_null())
            }
            shape::Configured::Block(b) => (
                &b.block.deprecation,
                "Block Deprecated",
                !shape::nested_objects(b.nesting.into(), value).is_empty(),
            ),
        };
        if let (Some(message), true) = (deprecation, used) {
            diags.attribute_warning(path.clone(), summary, message);
        }
    };
    shape::visit_configured(
        ObjectSchema::of_block(block),
        &AttributePath::root(),
        config,
        &mut visit,
    );
    diags
}

fn not_found<'a>(kind: &str, name: &str, known: impl Iterator<Item = &'a String>) -> Diagnostic {
    let known: Vec<&str> = known.map(String::as_str).collect();
    Diagnostic::error(
        format!("{kind} Type Not Found"),
        format!(
            "The provider does not offer a {} named {name:?}; it offers: {}.",
            kind.to_lowercase(),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::{Attribute, NestedBlock};

    #[test]
    fn deprecated_attributes_warn_where_they_are_set_nested_ones_too() {
        let block = Block::new("r")
            .attribute(Attribute::optional("old", Type::String, "O.").deprecated("Use new."))
            .block(NestedBlock::list(
                "rule",
                Block::new("R.").attribute(
                    Attribute::optional("port", Type::Number, "P.").deprecated("Use ports."),
                ),
                0,
                0,
            ))
            .block(NestedBlock::list(
                "legacy",
                Block::new("L.").deprecated("Use rule."),
                0,
                0,
            ));
        let config = Value::object([
            ("old", Value::Null),
            (
                "rule",
                Value::List(vec![
                    Value::object([("port", Value::Null)]),
                    Value::object([("port", Value::from(80i64))]),
                ]),
            ),
            ("legacy", Value::List(vec![Value::object::<&str>([])])),
        ]);
        let diags = deprecation_warnings(&block, &config);
        let found: Vec<(String, String)> = diags
            .iter()
            .map(|d| {
                let path = d
                    .attribute
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                (path, d.detail.clone())
            })
            .collect();
        assert_eq!(
            found,
            [
                ("rule[1].port".to_owned(), "Use ports.".to_owned()),
                ("legacy".to_owned(), "Use rule.".to_owned()),
            ]
        );
        assert!(!diags.has_errors());
    }
}
