//! A small provider defined by the tests (not the CAMS provider): one
//! managed resource over an in-memory store and two functions, enough to
//! drive every resource and function RPC of the SDK. Names in the
//! configuration trigger the failure paths: `fail-after-create`,
//! `panic-in-plan`, `panic-in-apply`, `inconsistent`.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cams_provider::plugin::value::{Type, Value};
use cams_provider::plugin::{
    ApplyResponse, Attr, Attribute, Block, CallRequest, CallResponse, ConfigureRequest,
    ConfigureResponse, Context, CreateRequest, DeleteRequest, DeleteResponse, Diagnostic,
    Diagnostics, Function, FunctionDefinition, FunctionError, ImportRequest, ImportResponse,
    ModifyPlanRequest, ModifyPlanResponse, NestedAttributes, NestedBlock, ObjectNesting, Parameter,
    Presence, Provider, ProviderData, ReadRequest, ReadResponse, RequiresReplace, Resource, Schema,
    SemanticEquality, State, UpdateRequest, UpgradeStateRequest, UpgradeStateResponse,
    UseStateForUnknown, ValidateRequest,
};

pub const RESOURCE: &str = "sdktest_thing";
/// The private bytes every create writes, to check they round-trip.
pub const PRIVATE: &[u8] = b"sdktest-private-v1";

/// The "remote API": objects by id, shared through the provider data.
#[derive(Default)]
pub struct Store {
    pub objects: Mutex<BTreeMap<String, Value>>,
    next_id: Mutex<u64>,
}

impl Store {
    fn new_id(&self) -> String {
        let mut n = self.next_id.lock().unwrap();
        *n += 1;
        format!("thing-{n}")
    }
}

pub struct TestProvider {
    /// Nested attributes exist only in protocol 6; the protocol 5 run
    /// leaves them out of the schema.
    pub nested_attributes: bool,
    pub store: Arc<Store>,
}

impl TestProvider {
    pub fn new(nested_attributes: bool) -> Self {
        Self {
            nested_attributes,
            store: Arc::new(Store::default()),
        }
    }
}

#[async_trait::async_trait]
impl Provider for TestProvider {
    fn type_name(&self) -> &'static str {
        "sdktest"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new("The SDK test provider.").attribute(Attribute::optional(
                "prefix",
                Type::String,
                "Prefix of new ids.",
            )),
        )
    }

    async fn configure(&self, _ctx: &Context, _req: ConfigureRequest) -> ConfigureResponse {
        ConfigureResponse {
            provider_data: Some(ProviderData::new(self.store.clone())),
            diagnostics: Diagnostics::new(),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(Thing {
                nested_attributes: self.nested_attributes,
            }),
            Arc::new(super::model_resource::Note),
        ]
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(JoinUpper), Arc::new(ParsePort)]
    }
}

/// `sdktest_thing`, schema version 1 (version 0 called `name` `title`).
pub struct Thing {
    pub nested_attributes: bool,
}

pub fn thing_schema(nested_attributes: bool) -> Schema {
    let mut block = Block::new("A thing in the in-memory store.")
        .markdown("A thing in the **in-memory** store.")
        .attribute(
            Attribute::required(
                "name",
                Type::String,
                "The name; changing it replaces the thing.",
            )
            .plan_modifier(RequiresReplace),
        )
        .attribute(Attribute::optional(
            "size",
            Type::Number,
            "Updated in place.",
        ))
        .attribute(Attribute::optional(
            "tags",
            Type::set(Type::String),
            "Tags.",
        ))
        .attribute(Attribute::optional(
            "labels",
            Type::map(Type::String),
            "Labels.",
        ))
        .attribute(
            Attribute::optional("document", Type::String, "A JSON document.")
                .plan_modifier(SemanticEquality::json()),
        )
        .attribute(
            Attribute::optional("password", Type::String, "Sent, never stored.")
                .write_only()
                .sensitive(),
        )
        .attribute(
            Attribute::optional("old_size", Type::Number, "Use size.")
                .deprecated("old_size is deprecated: use size."),
        )
        .attribute(
            Attribute::computed("id", Type::String, "Assigned on create.")
                .plan_modifier(UseStateForUnknown),
        )
        .attribute(Attribute::computed(
            "revision",
            Type::Number,
            "Grows on every update.",
        ))
        .block(NestedBlock::list(
            "setting",
            Block::new("A setting.")
                .attribute(Attribute::required("key", Type::String, "Key."))
                .attribute(Attribute::optional("value", Type::String, "Value.")),
            0,
            0,
        ));
    if nested_attributes {
        block = block.attribute(Attribute::nested(
            "rules",
            Presence::Optional,
            NestedAttributes::new(
                ObjectNesting::List,
                vec![
                    Attribute::required("port", Type::Number, "Port."),
                    Attribute::computed("rule_id", Type::String, "Assigned on create.")
                        .plan_modifier(UseStateForUnknown),
                ],
            ),
            "Rules.",
        ));
    }
    Schema::new(block).version(1)
}

fn name_of(c: &cams_provider::plugin::Config) -> String {
    c.string("name")
        .ok()
        .and_then(Attr::known)
        .unwrap_or_default()
}

/// The store keeps JSON documents re-formatted (compact, keys sorted), as
/// a remote API may: what comes back is equal in meaning, not in text.
fn reformatted(document: Option<&Value>) -> Value {
    match document.and_then(Value::as_str) {
        Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(json) => Value::from(json.to_string()),
            Err(_) => Value::from(text),
        },
        None => Value::Null,
    }
}

/// Fills the computed attributes of a planned state; the document comes
/// back as the store keeps it.
fn realise(plan: &cams_provider::plugin::Config, id: &str, revision: i64) -> State {
    let mut state = State::from_value(plan.value());
    state.set("id", id.into()).set("revision", revision.into());
    state.set("document", reformatted(plan.get("document")));
    if let Some(Value::List(rules)) = plan.get("rules") {
        let rules = rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut r = State::from_value(r);
                if r.get("rule_id").is_none_or(Value::is_unknown) {
                    r.set("rule_id", format!("{id}-rule-{i}").into());
                }
                r.into_value()
            })
            .collect();
        state.set("rules", Value::List(rules));
    }
    state
}

#[async_trait::async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &'static str {
        RESOURCE
    }

    fn schema(&self) -> Schema {
        thing_schema(self.nested_attributes)
    }

    async fn validate(&self, req: ValidateRequest) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Ok(Attr::Known(n)) = req.config.number("size") {
            if n.as_i64().is_some_and(|n| n < 0) {
                diags.attribute_error(
                    req.config.path_of("size"),
                    "Invalid Size",
                    "size must not be negative.",
                );
            }
        }
        diags
    }

    async fn modify_plan(&self, _ctx: &Context, req: ModifyPlanRequest) -> ModifyPlanResponse {
        if !req.plan.is_null() && name_of(&req.plan) == "panic-in-plan" {
            panic!("planned to panic");
        }
        let mut resp = ModifyPlanResponse::keep(&req);
        // A warning beside a successful plan.
        if req
            .plan
            .get("size")
            .and_then(Value::as_number)
            .and_then(|n| n.as_i64())
            == Some(99)
        {
            resp.diagnostics.attribute_warning(
                req.plan.path_of("size"),
                "Large Size",
                "size 99 is allowed but unusual.",
            );
        }
        resp
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyResponse {
        let store = match ctx.provider_data::<Arc<Store>>() {
            Ok(s) => s,
            Err(d) => return ApplyResponse::failed(d),
        };
        let name = name_of(&req.plan);
        if name == "panic-in-apply" {
            panic!("applied to panic");
        }
        let id = store.new_id();
        let mut state = realise(&req.plan, &id, 1);
        if name == "inconsistent" {
            state.set("size", 12345i64.into());
        }
        store
            .objects
            .lock()
            .unwrap()
            .insert(id.clone(), state.clone().into_value());
        let mut resp = if name == "fail-after-create" {
            // Created, but a follow-up step failed: keep what exists.
            let mut partial = State::new();
            partial.set("id", id.into()).set("name", name.into());
            ApplyResponse::partial(
                partial,
                Diagnostic::error(
                    "Follow-Up Failed",
                    "The thing was created, then tagging it failed.",
                ),
            )
        } else {
            ApplyResponse::ok(state)
        };
        resp.private = Some(PRIVATE.to_vec());
        resp
    }

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResponse {
        let store = match ctx.provider_data::<Arc<Store>>() {
            Ok(s) => s,
            Err(d) => return ReadResponse::failed(&req, d),
        };
        let id = req
            .state
            .string("id")
            .ok()
            .and_then(Attr::known)
            .unwrap_or_default();
        let stored = store.objects.lock().unwrap().get(&id).cloned();
        match stored {
            Some(stored) => ReadResponse::found(State::from_value(&stored)),
            None => ReadResponse::removed(),
        }
    }

    async fn update(&self, ctx: &Context, req: UpdateRequest) -> ApplyResponse {
        let store = match ctx.provider_data::<Arc<Store>>() {
            Ok(s) => s,
            Err(d) => return ApplyResponse::failed(d),
        };
        let id = req
            .prior_state
            .string("id")
            .ok()
            .and_then(Attr::known)
            .unwrap_or_default();
        let revision = req
            .prior_state
            .number("revision")
            .ok()
            .and_then(Attr::known)
            .and_then(|n| n.as_i64())
            .unwrap_or(0);
        let state = realise(&req.plan, &id, revision + 1);
        store
            .objects
            .lock()
            .unwrap()
            .insert(id, state.clone().into_value());
        // The private bytes are kept by leaving them unset.
        ApplyResponse::ok(state)
    }

    async fn delete(&self, ctx: &Context, req: DeleteRequest) -> DeleteResponse {
        let store = match ctx.provider_data::<Arc<Store>>() {
            Ok(s) => s,
            Err(d) => {
                return DeleteResponse {
                    diagnostics: d.into(),
                }
            }
        };
        let id = req
            .prior_state
            .string("id")
            .ok()
            .and_then(Attr::known)
            .unwrap_or_default();
        store.objects.lock().unwrap().remove(&id);
        DeleteResponse::default()
    }

    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResponse {
        ImportResponse::passthrough("id", &req.id)
    }

    fn upgrade_state(&self, req: UpgradeStateRequest) -> UpgradeStateResponse {
        if req.version != 0 {
            return UpgradeStateResponse {
                state: None,
                diagnostics: Diagnostic::error("No Upgrade", "Only version 0 upgrades.").into(),
            };
        }
        let json = match req.json() {
            Ok(j) => j,
            Err(d) => {
                return UpgradeStateResponse {
                    state: None,
                    diagnostics: d.into(),
                }
            }
        };
        let mut state = State::new();
        let text = |k: &str| json.get(k).and_then(|v| v.as_str()).map(Value::from).into();
        state.set("id", text("id")).set("name", text("title")).set(
            "revision",
            json.get("revision").and_then(|v| v.as_i64()).into(),
        );
        UpgradeStateResponse {
            state: Some(state),
            diagnostics: Diagnostics::new(),
        }
    }
}

/// `join_upper(separator, parts...)`: the parts upper-cased and joined.
pub struct JoinUpper;

#[async_trait::async_trait]
impl Function for JoinUpper {
    fn name(&self) -> &'static str {
        "join_upper"
    }

    fn definition(&self) -> FunctionDefinition {
        FunctionDefinition::new(
            "Joins upper-cased strings.",
            "Upper-cases every part and joins them with the separator.",
            Type::String,
        )
        .parameter(Parameter::new(
            "separator",
            Type::String,
            "Put between parts.",
        ))
        .variadic(Parameter::new(
            "parts",
            Type::String,
            "The parts; none may be empty.",
        ))
    }

    async fn call(&self, req: CallRequest) -> CallResponse {
        let separator = req.string(0).unwrap_or_default().to_owned();
        let mut parts = Vec::new();
        for (i, part) in req.variadic.iter().enumerate() {
            let text = part.as_str().unwrap_or_default();
            if text.is_empty() {
                return Err(FunctionError::argument(1 + i, "a part must not be empty"));
            }
            parts.push(text.to_uppercase());
        }
        Ok(Value::from(parts.join(&separator)))
    }
}

/// `parse_port(text)`: a TCP port number.
pub struct ParsePort;

#[async_trait::async_trait]
impl Function for ParsePort {
    fn name(&self) -> &'static str {
        "parse_port"
    }

    fn definition(&self) -> FunctionDefinition {
        FunctionDefinition::new(
            "Parses a port.",
            "Parses a TCP port number (1-65535).",
            Type::Number,
        )
        .parameter(Parameter::new("text", Type::String, "The port as text."))
    }

    async fn call(&self, req: CallRequest) -> CallResponse {
        let text = req.string(0).unwrap_or_default();
        match text.parse::<u16>() {
            Ok(p) if p > 0 => Ok(Value::from(i64::from(p))),
            _ => Err(FunctionError::argument(
                0,
                format!("{text:?} is not a port number"),
            )),
        }
    }
}
