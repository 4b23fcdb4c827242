//! The managed resource RPCs: validate, upgrade, read, plan, apply, import.
//! Planning does Terraform's shared part ([`planning`](crate::plugin::planning))
//! around the resource's own hook; in debug builds plans and applied states
//! are checked against Terraform's consistency rules.

use super::guard::guard;
use super::{
    decode, deprecation_warnings, not_found, Entry, PlanOutcome, ProviderServer, RawValue,
    StateOutcome,
};
use crate::plugin::config::{Config, ValidateRequest};
use crate::plugin::consistency;
use crate::plugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use crate::plugin::planning::{self, PlanInputs};
use crate::plugin::resource::{
    self, CreateRequest, DeleteRequest, ImportRequest, ModifyPlanRequest, Private, ReadRequest,
    Resource, UpdateRequest, UpgradeStateRequest,
};
use crate::plugin::schema::Block;
use crate::plugin::shape::{self, ObjectSchema};
use crate::plugin::value::{self, Value};

impl ProviderServer {
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
            None if diags.has_errors() => current.clone(),
            None => Value::Null,
        };
        let mut state = state;
        if !state.is_null() {
            shape::fill_missing(&entry.ty, &mut state);
            shape::null_write_only(entry.object_schema(), &mut state);
            // A value read back re-formatted is not drift.
            planning::keep_equivalent_values(entry.object_schema(), &current, &mut state);
        }
        let private_out = if state.is_null() {
            Vec::new()
        } else {
            private_out.unwrap_or_else(|| private.to_vec())
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
        let (state, new_private, diags) = guard("ApplyResourceChange", async {
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
            // A value applied re-formatted keeps its planned form.
            planning::keep_equivalent_values(entry.object_schema(), &planned, &mut state);
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
        let private_out = new_private.unwrap_or_else(|| planned_private.to_vec());
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
}

/// An error for each write-only attribute (nested ones too) set in a
/// configuration sent by a Terraform that does not know write-only
/// attributes: it would store their values in state.
fn write_only_refusals(block: &Block, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let mut visit = |item: shape::Configured<'_>, path: &AttributePath, value: &Value| {
        if let shape::Configured::Attribute(a) = item {
            if a.write_only && !value.is_null() {
                diags.attribute_error(
                    path.clone(),
                    "Write-Only Attribute Not Allowed",
                    format!(
                        "{} is write-only: its value is never stored in state. This Terraform version does not support write-only attributes (Terraform 1.11 and later do), so it cannot be set here.",
                        a.name
                    ),
                );
            }
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

fn inconsistent(summary: &str, type_name: &str, problems: &[consistency::Problem]) -> Diagnostic {
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let d = Diagnostic::provider_bug(
        summary,
        format!(
            "The provider produced an invalid value for {type_name}, which Terraform would refuse:\n  - {}",
            listed.join("\n  - ")
        ),
    );
    match problems.first() {
        Some(first) => d.at(first.path.clone()),
        None => d,
    }
}

fn encode_bug(summary: &str, type_name: &str, e: &value::EncodeError) -> Diagnostic {
    Diagnostic::provider_bug(
        summary,
        format!("The value produced for {type_name} does not match its schema: {e}."),
    )
    .at(e.path.clone())
}
