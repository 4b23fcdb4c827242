//! Managed resources: the capability a provider offers through
//! `Provider::resources`. The runtime does Terraform's part of planning
//! (computed attributes, plan modifiers, write-only nulling, consistency
//! checks); a resource implements its CRUD, and optionally a plan hook,
//! import and state upgrades.

use super::config::{Config, State, ValidateRequest};
use super::context::Context;
use super::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use super::schema::Schema;
use super::value::{self, Type, Value};

/// Bytes the provider keeps beside a resource's state, invisible to the
/// user; they round-trip through plan, apply and read unchanged unless the
/// provider sets new ones.
pub(crate) type Private = Vec<u8>;

/// The resource-level plan hook's input, after the runtime has planned
/// computed attributes and run the attribute plan modifiers.
#[derive(Clone, Debug)]
pub struct ModifyPlanRequest {
    /// The configuration (null when destroying).
    pub config: Config,
    /// The prior state (null when creating).
    pub prior_state: Config,
    /// The plan so far (null when destroying).
    pub plan: Config,
    pub private: Private,
}

/// The plan a resource wants: the response starts as the request's plan.
#[derive(Clone, Debug)]
pub struct ModifyPlanResponse {
    /// The planned state; only computed attributes (and configured ones set
    /// back to their prior value) may change.
    pub plan: Value,
    /// Attributes whose change needs the resource replaced.
    pub requires_replace: Vec<AttributePath>,
    pub private: Private,
    /// Warnings are shown with the plan; an error stops it.
    pub diagnostics: Diagnostics,
}

impl ModifyPlanResponse {
    /// Keeps the plan as the runtime made it.
    pub fn keep(req: &ModifyPlanRequest) -> Self {
        Self {
            plan: req.plan.value().clone(),
            requires_replace: Vec::new(),
            private: req.private.clone(),
            diagnostics: Diagnostics::new(),
        }
    }

    /// Sets one attribute of the plan.
    pub fn set(&mut self, name: &str, value: Value) {
        if let Value::Object(attrs) = &mut self.plan {
            attrs.insert(name.to_owned(), value);
        }
    }
}

/// ApplyResourceChange for a create.
#[derive(Clone, Debug)]
pub struct CreateRequest {
    pub config: Config,
    /// The planned state: unknown values are for the provider to fill.
    pub plan: Config,
    pub private: Private,
}

/// ApplyResourceChange for an in-place update.
#[derive(Clone, Debug)]
pub struct UpdateRequest {
    pub config: Config,
    pub plan: Config,
    pub prior_state: Config,
    pub private: Private,
}

/// ApplyResourceChange for a destroy.
#[derive(Clone, Debug)]
pub struct DeleteRequest {
    pub prior_state: Config,
    pub private: Private,
}

/// The outcome of a create or an update.
#[derive(Clone, Debug, Default)]
pub struct ApplyResponse {
    /// The new state. With an error, whatever exists so far (partial
    /// state), so nothing created is lost from Terraform's state; `None`
    /// with an error means nothing changed (the prior state stays).
    pub new_state: Option<State>,
    /// New private bytes; `None` keeps the planned ones.
    pub private: Option<Private>,
    pub diagnostics: Diagnostics,
}

impl ApplyResponse {
    /// Success.
    pub fn ok(state: State) -> Self {
        Self {
            new_state: Some(state),
            ..Self::default()
        }
    }

    /// Failure before anything changed.
    pub fn failed(diagnostics: impl Into<Diagnostics>) -> Self {
        Self {
            diagnostics: diagnostics.into(),
            ..Self::default()
        }
    }

    /// Failure after something changed: the state so far, with the error.
    pub fn partial(state: State, diagnostics: impl Into<Diagnostics>) -> Self {
        Self {
            new_state: Some(state),
            diagnostics: diagnostics.into(),
            ..Self::default()
        }
    }
}

/// The outcome of a destroy.
#[derive(Clone, Debug, Default)]
pub struct DeleteResponse {
    /// An error keeps the resource in state.
    pub diagnostics: Diagnostics,
}

/// ReadResource: refresh the state from the real world.
#[derive(Clone, Debug)]
pub struct ReadRequest {
    pub state: Config,
    pub private: Private,
}

/// The refreshed state.
#[derive(Clone, Debug, Default)]
pub struct ReadResponse {
    /// `None`: the resource no longer exists, and Terraform will plan to
    /// create it.
    pub state: Option<State>,
    /// New private bytes; `None` keeps the ones read with the state.
    pub private: Option<Private>,
    pub diagnostics: Diagnostics,
}

impl ReadResponse {
    /// The resource still exists, as `state`.
    pub fn found(state: State) -> Self {
        Self {
            state: Some(state),
            ..Self::default()
        }
    }

    /// The resource is gone.
    pub fn removed() -> Self {
        Self::default()
    }

    /// Reading failed; Terraform keeps the prior state.
    pub fn failed(req: &ReadRequest, diagnostics: impl Into<Diagnostics>) -> Self {
        Self {
            state: Some(State::from_value(req.state.value())),
            private: None,
            diagnostics: diagnostics.into(),
        }
    }
}

/// ImportResourceState: `terraform import ADDRESS ID` or an `import` block.
#[derive(Clone, Debug)]
pub struct ImportRequest {
    pub id: String,
}

/// The imported resource. Terraform reads it (ReadResource) right after,
/// so setting the attributes the read needs is enough.
#[derive(Clone, Debug, Default)]
pub struct ImportResponse {
    pub state: Option<State>,
    pub private: Private,
    pub diagnostics: Diagnostics,
}

impl ImportResponse {
    /// Imports by writing the id into one attribute, as it is.
    pub fn passthrough(attribute: &str, id: &str) -> Self {
        let mut state = State::new();
        state.set(attribute, Value::String(id.to_owned()));
        Self {
            state: Some(state),
            ..Self::default()
        }
    }
}

/// UpgradeResourceState from an older schema version (the current version
/// is decoded by the runtime itself).
#[derive(Clone, Debug)]
pub struct UpgradeStateRequest {
    /// The schema version the state was written with.
    pub version: i64,
    /// The state as Terraform stored it: JSON.
    pub raw_json: Vec<u8>,
}

impl UpgradeStateRequest {
    /// The stored state decoded with the schema it was written with; extra
    /// attributes are ignored and missing ones are null, as Terraform's
    /// own JSON states may differ from a schema in both ways.
    pub fn decode(&self, prior_schema: &Schema) -> Result<Value, Diagnostic> {
        decode_state_json(&prior_schema.implied_type(), &self.raw_json)
    }

    /// The stored state as plain JSON, for upgrades that need no schema.
    pub fn json(&self) -> Result<serde_json::Value, Diagnostic> {
        serde_json::from_slice(&self.raw_json).map_err(|e| {
            Diagnostic::error(
                "Invalid Stored State",
                format!(
                    "The state stored by Terraform is not valid JSON: {}.",
                    crate::json_position::describe(&self.raw_json, &e)
                ),
            )
        })
    }
}

/// The upgraded state, of the current schema.
#[derive(Clone, Debug, Default)]
pub struct UpgradeStateResponse {
    pub state: Option<State>,
    pub diagnostics: Diagnostics,
}

/// A managed resource.
#[async_trait::async_trait]
pub trait Resource: Send + Sync + 'static {
    /// The full type name, e.g. `cams_flow`.
    fn type_name(&self) -> &'static str;

    /// The schema, with its state version.
    fn schema(&self) -> Schema;

    /// Checks the configuration. Values may be unknown here.
    async fn validate(&self, _req: ValidateRequest) -> Diagnostics {
        Diagnostics::new()
    }

    /// Adjusts a plan: conditional replacement, plan-time errors and
    /// warnings. Runs for create, update and destroy plans (the plan is
    /// null when destroying); unchanged by default.
    async fn modify_plan(&self, _ctx: &Context, req: ModifyPlanRequest) -> ModifyPlanResponse {
        ModifyPlanResponse::keep(&req)
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyResponse;

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResponse;

    async fn update(&self, ctx: &Context, req: UpdateRequest) -> ApplyResponse;

    async fn delete(&self, ctx: &Context, req: DeleteRequest) -> DeleteResponse;

    /// Imports an existing object by id; not importable by default.
    async fn import(&self, _ctx: &Context, _req: ImportRequest) -> ImportResponse {
        ImportResponse {
            diagnostics: Diagnostic::error(
                "Resource Import Not Implemented",
                format!(
                    "{} cannot be imported: the provider does not support importing it.",
                    self.type_name()
                ),
            )
            .into(),
            ..ImportResponse::default()
        }
    }

    /// Upgrades a state of an older schema version to the current one. By
    /// default there is no upgrade path.
    fn upgrade_state(&self, req: UpgradeStateRequest) -> UpgradeStateResponse {
        UpgradeStateResponse {
            state: None,
            diagnostics: Diagnostic::provider_bug(
                "Unable to Upgrade Resource State",
                format!(
                    "{} has no upgrade from schema version {} to version {}.",
                    self.type_name(),
                    req.version,
                    self.schema().version
                ),
            )
            .into(),
        }
    }
}

/// Decodes stored JSON state leniently against `ty`: attributes the type
/// lacks are dropped and attributes the JSON lacks become null.
pub(crate) fn decode_state_json(ty: &Type, json: &[u8]) -> Result<Value, Diagnostic> {
    let invalid = |detail: String| {
        Diagnostic::error(
            "Invalid Stored State",
            format!("The state stored by Terraform does not match the resource schema: {detail}."),
        )
    };
    let parsed: serde_json::Value = serde_json::from_slice(json)
        .map_err(|e| invalid(crate::json_position::describe(json, &e)))?;
    let conformed = conform(ty, parsed);
    let bytes = serde_json::to_vec(&conformed).map_err(|e| invalid(e.to_string()))?;
    value::decode_json(ty, &bytes).map_err(|e| invalid(e.to_string()).at(e.path))
}

/// Drops object members the type does not declare and adds the missing ones
/// as null, through every object, list, set and map.
fn conform(ty: &Type, json: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match (ty, json) {
        (Type::Object(attrs), J::Object(mut members)) => {
            let mut out = serde_json::Map::new();
            for (name, attr_ty) in attrs {
                let member = members.remove(name).unwrap_or(J::Null);
                out.insert(name.clone(), conform(attr_ty, member));
            }
            J::Object(out)
        }
        (Type::List(e) | Type::Set(e), J::Array(items)) => {
            J::Array(items.into_iter().map(|i| conform(e, i)).collect())
        }
        (Type::Map(e), J::Object(members)) => J::Object(
            members
                .into_iter()
                .map(|(k, v)| (k, conform(e, v)))
                .collect(),
        ),
        (_, other) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_json_state_is_decoded_leniently() {
        let ty = Type::object([
            ("id", Type::String),
            ("tags", Type::list(Type::object([("k", Type::String)]))),
            ("added_later", Type::Bool),
        ]);
        let v = decode_state_json(&ty, br#"{"id":"a","removed":1,"tags":[{"k":"x","old":2}]}"#)
            .unwrap();
        assert_eq!(v.get_attr("id").and_then(Value::as_str), Some("a"));
        assert!(v.get_attr("added_later").is_some_and(Value::is_null));
        let err = decode_state_json(&ty, br#"{"id":"a","tags":[{"k":[]}]}"#).unwrap_err();
        assert_eq!(
            err.attribute,
            Some(AttributePath::of("tags").index(0).attribute("k"))
        );
    }
}
