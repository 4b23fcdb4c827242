//! The one implementation of the provider RPCs, in protocol-neutral types.
//! `v5` and `v6` are thin adapters over this.
//!
//! Every operation runs behind a panic guard: a panic becomes an error
//! diagnostic and the process keeps serving. Operations see a cancellation
//! token that StopProvider cancels.

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, RwLock};

use futures_util::FutureExt as _;
use tokio_util::sync::CancellationToken;

use super::consistency;
use super::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use super::function::{CallRequest, Function, FunctionDefinition, FunctionError};
use super::planning::{self, PlanInputs};
use super::provider::{
    Config, ConfigureRequest, Context, DataSource, Provider, ProviderData, ReadDataSourceRequest,
    ValidateRequest,
};
use super::resource::{
    self, CreateRequest, DeleteRequest, ImportRequest, ModifyPlanRequest, Private, ReadRequest,
    Resource, UpdateRequest, UpgradeStateRequest,
};
use super::schema::{Block, Schema};
use super::shape::{self, ObjectSchema};
use super::value::{self, Type, Value};

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

    /// Turns the runtime's own consistency checks on or off (on in debug
    /// builds).
    pub fn with_consistency_checks(mut self, on: bool) -> Self {
        self.check_consistency = on;
        self
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

    pub fn function_definitions(&self) -> impl Iterator<Item = (&String, &FunctionDefinition)> {
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

    // ---- data sources --------------------------------------------------

    fn data_source(&self, type_name: &str) -> Result<&Entry<dyn DataSource>, Diagnostic> {
        self.data_sources
            .get(type_name)
            .ok_or_else(|| not_found("Data Source", type_name, self.data_sources.keys()))
    }

    pub async fn validate_data_source(&self, type_name: &str, config: RawValue<'_>) -> Diagnostics {
        let result = async {
            let entry = self.data_source(type_name)?;
            let config = decode(&entry.ty, config)?;
            Ok::<_, Diagnostic>((entry, config))
        }
        .await;
        let (entry, config) = match result {
            Ok(v) => v,
            Err(d) => return d.into(),
        };
        let mut diags = deprecation_warnings(&entry.schema.block, &config);
        let req = ValidateRequest {
            config: Config::new(config),
        };
        diags.extend(guard("ValidateDataResourceConfig", entry.imp.validate(req)).await);
        diags
    }

    /// ReadDataSource: returns the msgpack state (when there is no error).
    pub async fn read_data_source(&self, type_name: &str, config: RawValue<'_>) -> StateOutcome {
        let (entry, config) = match self
            .data_source(type_name)
            .and_then(|e| Ok((e, decode(&e.ty, config)?)))
        {
            Ok(v) => v,
            Err(d) => return StateOutcome::error(d),
        };
        let ctx = self.context();
        if !ctx.is_configured() {
            return StateOutcome::error(Diagnostic::provider_bug(
                "Provider Not Configured",
                format!("Terraform asked to read {type_name} before configuring the provider."),
            ));
        }
        let req = ReadDataSourceRequest {
            config: Config::new(config),
        };
        let resp = guard("ReadDataSource", async {
            let r = entry.imp.read(&ctx, req).await;
            (r.state, r.diagnostics)
        })
        .await;
        let (state, mut diags) = resp;
        if diags.has_errors() {
            return StateOutcome::failed(diags);
        }
        let Some(state) = state else {
            diags.push(Diagnostic::provider_bug(
                "Missing Data Source State",
                format!("The read of {type_name} returned neither a state nor an error."),
            ));
            return StateOutcome::failed(diags);
        };
        let mut state = state.into_value();
        shape::fill_missing(&entry.ty, &mut state);
        self.finish_state(&entry.ty, state, Private::new(), diags, "Data Source")
    }

    // ---- resources -----------------------------------------------------

    fn resource(&self, type_name: &str) -> Result<&Entry<dyn Resource>, Diagnostic> {
        self.resources
            .get(type_name)
            .ok_or_else(|| not_found("Resource", type_name, self.resources.keys()))
    }

    /// ValidateResourceConfig. `write_only_allowed`: the client said it
    /// supports write-only attributes (Terraform 1.11 and later); older
    /// ones would store their values in state, so setting one is an error.
    pub async fn validate_resource(
        &self,
        type_name: &str,
        config: RawValue<'_>,
        write_only_allowed: bool,
    ) -> Diagnostics {
        let (entry, config) = match self
            .resource(type_name)
            .and_then(|e| Ok((e, decode(&e.ty, config)?)))
        {
            Ok(v) => v,
            Err(d) => return d.into(),
        };
        let mut diags = deprecation_warnings(&entry.schema.block, &config);
        if !write_only_allowed {
            diags.extend(write_only_refusals(&entry.schema.block, &config));
        }
        let req = ValidateRequest {
            config: Config::new(config),
        };
        diags.extend(guard("ValidateResourceConfig", entry.imp.validate(req)).await);
        diags
    }

    /// UpgradeResourceState: JSON raw state of this or an older schema
    /// version, into the current schema's shape.
    pub async fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &[u8],
        has_flatmap: bool,
    ) -> StateOutcome {
        let entry = match self.resource(type_name) {
            Ok(e) => e,
            Err(d) => return StateOutcome::error(d),
        };
        if raw_json.is_empty() && has_flatmap {
            return StateOutcome::error(Diagnostic::error(
                "Unsupported State Format",
                format!(
                    "The stored state of this {type_name} is in the flatmap format of Terraform 0.11 and earlier, which this provider cannot read. Upgrade the state with Terraform 0.12 through 1.x first (any plan and apply refreshes it), or remove the resource from state and import it again."
                ),
            ));
        }
        let current = entry.schema.version;
        let mut state = if version == current {
            match resource::decode_state_json(&entry.ty, raw_json) {
                Ok(v) => v,
                Err(d) => return StateOutcome::error(d),
            }
        } else if version > current {
            return StateOutcome::error(Diagnostic::error(
                "Resource State From a Newer Provider",
                format!(
                    "The state of this {type_name} was written with schema version {version}, newer than this provider's version {current}. Use the provider version that wrote it, or a newer one."
                ),
            ));
        } else {
            let req = UpgradeStateRequest {
                version,
                raw_json: raw_json.to_vec(),
            };
            let resp = guard("UpgradeResourceState", async {
                let r = entry.imp.upgrade_state(req);
                (r.state, r.diagnostics)
            })
            .await;
            match resp {
                (Some(state), diags) if !diags.has_errors() => {
                    let mut v = state.into_value();
                    shape::fill_missing(&entry.ty, &mut v);
                    return self.finish_state(&entry.ty, v, Private::new(), diags, "Upgraded");
                }
                (_, mut diags) => {
                    if !diags.has_errors() {
                        diags.push(Diagnostic::provider_bug(
                            "Missing Upgraded State",
                            format!("The upgrade of {type_name} from version {version} returned no state."),
                        ));
                    }
                    return StateOutcome::failed(diags);
                }
            }
        };
        shape::fill_missing(&entry.ty, &mut state);
        self.finish_state(
            &entry.ty,
            state,
            Private::new(),
            Diagnostics::new(),
            "Upgraded",
        )
    }

    /// ReadResource: a resource that is gone comes back as a null state.
    pub async fn read_resource(
        &self,
        type_name: &str,
        current: RawValue<'_>,
        private: &[u8],
    ) -> StateOutcome {
        let (entry, current) = match self
            .resource(type_name)
            .and_then(|e| Ok((e, decode(&e.ty, current)?)))
        {
            Ok(v) => v,
            Err(d) => return StateOutcome::error(d),
        };
        let ctx = self.context();
        let req = ReadRequest {
            state: Config::new(current.clone()),
            private: private.to_vec(),
        };
        let (state, private_out, diags) = guard("ReadResource", async {
            let r = entry.imp.read(&ctx, req).await;
            (r.state, r.private, r.diagnostics)
        })
        .await;
        let state = match state {
            Some(s) => s.into_value(),
            None if diags.has_errors() => current,
            None => Value::Null,
        };
        let mut state = state;
        if !state.is_null() {
            shape::fill_missing(&entry.ty, &mut state);
            shape::null_write_only(entry.object_schema(), &mut state);
        }
        let private_out = if state.is_null() {
            Vec::new()
        } else {
            private_out
        };
        self.finish_state(&entry.ty, state, private_out, diags, "Resource")
    }

    /// PlanResourceChange.
    pub async fn plan_resource_change(
        &self,
        type_name: &str,
        prior: RawValue<'_>,
        proposed: RawValue<'_>,
        config: RawValue<'_>,
        prior_private: &[u8],
    ) -> PlanOutcome {
        let decoded = self.resource(type_name).and_then(|e| {
            Ok((
                e,
                decode(&e.ty, prior)?,
                decode(&e.ty, proposed)?,
                decode(&e.ty, config)?,
            ))
        });
        let (entry, prior, proposed, config) = match decoded {
            Ok(v) => v,
            Err(d) => return PlanOutcome::error(d),
        };
        let schema = entry.object_schema();
        let creating = prior.is_null();
        let mut diags = Diagnostics::new();
        let mut requires_replace = Vec::new();
        let mut plan = proposed;
        if !plan.is_null() {
            shape::null_write_only(schema, &mut plan);
            // Plan modifiers first see the proposed values as they are, so
            // that one restoring a prior value (semantic equality) can turn a
            // plan back into "no change"; only a plan that still changes
            // something gets its computed attributes marked unknown, and the
            // modifiers run again over that (use state for unknown).
            let mut outcome = None;
            if !creating {
                let (replace, d) = self
                    .run_plan_modifiers(schema, &config, &prior, &mut plan)
                    .await;
                if plan == prior || d.has_errors() {
                    outcome = Some((replace, d));
                }
            }
            let (replace, d) = match outcome {
                Some(done) => done,
                None => {
                    planning::mark_computed_unknown(schema, &config, &mut plan);
                    self.run_plan_modifiers(schema, &config, &prior, &mut plan)
                        .await
                }
            };
            requires_replace.extend(replace);
            diags.extend(d);
            if diags.has_errors() {
                return PlanOutcome::failed(diags);
            }
        }
        let ctx = self.context();
        let req = ModifyPlanRequest {
            config: Config::new(config.clone()),
            prior_state: Config::new(prior.clone()),
            plan: Config::new(plan),
            private: prior_private.to_vec(),
        };
        let (mut plan, replace, planned_private, hook_diags) = guard("PlanResourceChange", async {
            let r = entry.imp.modify_plan(&ctx, req).await;
            (r.plan, r.requires_replace, r.private, r.diagnostics)
        })
        .await;
        diags.extend(hook_diags);
        if diags.has_errors() {
            return PlanOutcome::failed(diags);
        }
        for path in replace {
            if !requires_replace.contains(&path) {
                requires_replace.push(path);
            }
        }
        if !plan.is_null() {
            shape::fill_missing(&entry.ty, &mut plan);
            shape::null_write_only(schema, &mut plan);
            if self.check_consistency {
                let problems = consistency::plan_problems(schema, &prior, &config, &plan);
                if !problems.is_empty() {
                    diags.push(inconsistent(
                        "Provider Produced Invalid Plan",
                        type_name,
                        &problems,
                    ));
                    return PlanOutcome::failed(diags);
                }
            }
        }
        match value::encode_msgpack(&entry.ty, &plan) {
            Ok(bytes) => PlanOutcome {
                planned_state: Some(bytes),
                requires_replace: if creating {
                    Vec::new()
                } else {
                    requires_replace
                },
                planned_private,
                diagnostics: diags,
            },
            Err(e) => {
                diags.push(encode_bug("Invalid Planned State", type_name, &e));
                PlanOutcome::failed(diags)
            }
        }
    }

    /// The attribute plan modifiers over a whole plan, behind the panic
    /// guard.
    async fn run_plan_modifiers(
        &self,
        schema: ObjectSchema<'_>,
        config: &Value,
        prior: &Value,
        plan: &mut Value,
    ) -> (Vec<AttributePath>, Diagnostics) {
        let inputs = PlanInputs {
            config,
            state: prior,
            creating: prior.is_null(),
        };
        guard("PlanResourceChange", async {
            let mut d = Diagnostics::new();
            let r =
                planning::run_plan_modifiers(schema, &AttributePath::root(), &inputs, plan, &mut d);
            (r, d)
        })
        .await
    }

    /// ApplyResourceChange: create, update or delete.
    pub async fn apply_resource_change(
        &self,
        type_name: &str,
        prior: RawValue<'_>,
        planned: RawValue<'_>,
        config: RawValue<'_>,
        planned_private: &[u8],
    ) -> StateOutcome {
        let decoded = self.resource(type_name).and_then(|e| {
            Ok((
                e,
                decode(&e.ty, prior)?,
                decode(&e.ty, planned)?,
                decode(&e.ty, config)?,
            ))
        });
        let (entry, prior, planned, config) = match decoded {
            Ok(v) => v,
            Err(d) => return StateOutcome::error(d),
        };
        let ctx = self.context();
        let private = planned_private.to_vec();
        if planned.is_null() {
            let req = DeleteRequest {
                prior_state: Config::new(prior.clone()),
                private: private.clone(),
            };
            let diags = guard("ApplyResourceChange", async {
                entry.imp.delete(&ctx, req).await.diagnostics
            })
            .await;
            // A failed delete keeps the resource in state.
            let (state, private) = if diags.has_errors() {
                (prior, private)
            } else {
                (Value::Null, Vec::new())
            };
            return self.finish_state(&entry.ty, state, private, diags, "Resource");
        }
        let creating = prior.is_null();
        let (state, private_out, diags) = guard("ApplyResourceChange", async {
            let r = if creating {
                let req = CreateRequest {
                    config: Config::new(config),
                    plan: Config::new(planned.clone()),
                    private,
                };
                entry.imp.create(&ctx, req).await
            } else {
                let req = UpdateRequest {
                    config: Config::new(config),
                    plan: Config::new(planned.clone()),
                    prior_state: Config::new(prior.clone()),
                    private,
                };
                entry.imp.update(&ctx, req).await
            };
            (r.new_state, r.private, r.diagnostics)
        })
        .await;
        let mut diags = diags;
        let mut state = match state {
            Some(s) => s.into_value(),
            // Nothing changed: a failed create leaves nothing, a failed
            // update the prior state.
            None if diags.has_errors() => prior.clone(),
            None => {
                diags.push(Diagnostic::provider_bug(
                    "Missing Resource State After Apply",
                    format!("Applying {type_name} returned neither a state nor an error."),
                ));
                prior.clone()
            }
        };
        if !state.is_null() {
            shape::fill_missing(&entry.ty, &mut state);
            shape::null_write_only(entry.object_schema(), &mut state);
        }
        if diags.has_errors() {
            // Partial state: whatever exists must be saved, unknowns as null.
            shape::unknowns_to_null(&mut state);
        } else if self.check_consistency {
            let problems = consistency::apply_problems(&planned, &state);
            if !problems.is_empty() {
                diags.push(inconsistent(
                    "Provider Produced Inconsistent Result After Apply",
                    type_name,
                    &problems,
                ));
            }
        }
        self.finish_state(&entry.ty, state, private_out, diags, "Resource")
    }

    /// ImportResourceState: returns the imported resource's type, state and
    /// private bytes.
    pub async fn import_resource_state(&self, type_name: &str, id: &str) -> StateOutcome {
        let entry = match self.resource(type_name) {
            Ok(e) => e,
            Err(d) => return StateOutcome::error(d),
        };
        let ctx = self.context();
        let req = ImportRequest { id: id.to_owned() };
        let (state, private, mut diags) = guard("ImportResourceState", async {
            let r = entry.imp.import(&ctx, req).await;
            (r.state, r.private, r.diagnostics)
        })
        .await;
        if diags.has_errors() {
            return StateOutcome::failed(diags);
        }
        let Some(state) = state else {
            diags.push(Diagnostic::provider_bug(
                "Missing Imported State",
                format!("Importing {type_name} {id:?} returned neither a state nor an error."),
            ));
            return StateOutcome::failed(diags);
        };
        let mut state = state.into_value();
        shape::fill_missing(&entry.ty, &mut state);
        self.finish_state(&entry.ty, state, private, diags, "Imported")
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

    // ---- functions -----------------------------------------------------

    /// CallFunction: the msgpack result, or a function error. Needs no
    /// provider configuration.
    pub async fn call_function(
        &self,
        name: &str,
        arguments: &[RawValue<'_>],
    ) -> Result<Vec<u8>, FunctionError> {
        let entry = self.functions.get(name).ok_or_else(|| {
            FunctionError::new(format!(
                "The provider has no function named {name:?}; it offers: {}.",
                self.functions
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        let def = &entry.definition;
        if arguments.len() < def.parameters.len()
            || (def.variadic.is_none() && arguments.len() > def.parameters.len())
        {
            return Err(FunctionError::new(format!(
                "{name} takes {}{} arguments, {} given.",
                def.parameters.len(),
                if def.variadic.is_some() {
                    " or more"
                } else {
                    ""
                },
                arguments.len()
            )));
        }
        let mut req = CallRequest {
            arguments: Vec::new(),
            variadic: Vec::new(),
        };
        for (i, raw) in arguments.iter().enumerate() {
            let param = def
                .parameters
                .get(i)
                .or(def.variadic.as_ref())
                .ok_or_else(|| FunctionError::new("too many arguments"))?;
            let v = decode(&param.ty, *raw).map_err(|d| {
                FunctionError::argument(
                    i,
                    format!("Invalid value for {}: {}", param.name, d.detail),
                )
            })?;
            if v.is_null() && !param.allow_null {
                return Err(FunctionError::argument(
                    i,
                    format!(
                        "Invalid value for {}: the argument must not be null.",
                        param.name
                    ),
                ));
            }
            if !v.is_wholly_known() && !param.allow_unknown {
                return Err(FunctionError::argument(
                    i,
                    format!(
                        "Invalid value for {}: the argument must be known.",
                        param.name
                    ),
                ));
            }
            if i < def.parameters.len() {
                req.arguments.push(v);
            } else {
                req.variadic.push(v);
            }
        }
        let result = match AssertUnwindSafe(entry.imp.call(req)).catch_unwind().await {
            Ok(r) => r?,
            Err(payload) => {
                let d = panic_diagnostic("CallFunction", payload.as_ref());
                return Err(FunctionError::new(d.detail));
            }
        };
        value::encode_msgpack(&def.return_type, &result).map_err(|e| {
            FunctionError::new(format!(
                "The provider's function {name} returned a value that does not match its return type: {e}. This is always an issue with the provider and should be reported to the provider developers."
            ))
        })
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

/// A warning for each configured attribute that is deprecated, with its
/// message, as terraform-plugin-framework does in its Validate handlers
/// (Terraform does not warn by itself).
fn deprecation_warnings(block: &Block, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for a in &block.attributes {
        let Some(message) = &a.deprecation else {
            continue;
        };
        if config.get_attr(&a.name).is_some_and(|v| !v.is_null()) {
            diags.attribute_warning(
                AttributePath::of(a.name.clone()),
                "Attribute Deprecated",
                message,
            );
        }
    }
    for b in &block.blocks {
        let Some(message) = &b.block.deprecation else {
            continue;
        };
        let used = match config.get_attr(&b.type_name) {
            Some(Value::List(v)) | Some(Value::Set(v)) => !v.is_empty(),
            Some(Value::Map(m)) => !m.is_empty(),
            Some(v) => !v.is_null(),
            None => false,
        };
        if used {
            diags.attribute_warning(
                AttributePath::of(b.type_name.clone()),
                "Block Deprecated",
                message,
            );
        }
    }
    diags
}

/// An error for each write-only attribute set in a configuration sent by a
/// Terraform that does not know write-only attributes (top level).
fn write_only_refusals(block: &Block, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for a in block.attributes.iter().filter(|a| a.write_only) {
        if config.get_attr(&a.name).is_some_and(|v| !v.is_null()) {
            diags.attribute_error(
                AttributePath::of(a.name.clone()),
                "Write-Only Attribute Not Allowed",
                format!(
                    "{} is write-only: its value is never stored in state. This Terraform version does not support write-only attributes (Terraform 1.11 and later do), so it cannot be set here.",
                    a.name
                ),
            );
        }
    }
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

fn inconsistent(summary: &str, type_name: &str, problems: &[String]) -> Diagnostic {
    Diagnostic::provider_bug(
        summary,
        format!(
            "The provider produced an invalid value for {type_name}, which Terraform would refuse:\n  - {}",
            problems.join("\n  - ")
        ),
    )
}

fn encode_bug(summary: &str, type_name: &str, e: &value::EncodeError) -> Diagnostic {
    Diagnostic::provider_bug(
        summary,
        format!("The value produced for {type_name} does not match its schema: {e}."),
    )
    .at(e.path.clone())
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

/// What an operation's output becomes when it panics: its empty value
/// with the panic as an error diagnostic.
trait FromPanic {
    fn from_panic(d: Diagnostic) -> Self;
}

impl FromPanic for Diagnostics {
    fn from_panic(d: Diagnostic) -> Self {
        d.into()
    }
}

impl<A: Default> FromPanic for (A, Diagnostics) {
    fn from_panic(d: Diagnostic) -> Self {
        (A::default(), d.into())
    }
}

impl<A: Default, B: Default> FromPanic for (A, B, Diagnostics) {
    fn from_panic(d: Diagnostic) -> Self {
        (A::default(), B::default(), d.into())
    }
}

impl<A: Default, B: Default, C: Default> FromPanic for (A, B, C, Diagnostics) {
    fn from_panic(d: Diagnostic) -> Self {
        (A::default(), B::default(), C::default(), d.into())
    }
}

/// Runs an operation, turning a panic into an error diagnostic.
async fn guard<T: FromPanic, F: Future<Output = T>>(operation: &str, fut: F) -> T {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(out) => out,
        Err(payload) => T::from_panic(panic_diagnostic(operation, payload.as_ref())),
    }
}
