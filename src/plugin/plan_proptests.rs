//! Property test: planning an unchanged configuration against its own
//! applied state is a no-op (the plan equals the state, nothing requires
//! replacement, no diagnostics), for generated schemas and values, through
//! the whole PlanResourceChange path of the runtime.

use std::sync::Arc;

use proptest::prelude::*;

use super::context::Context;
use super::plan_modifier::{RequiresReplace, SemanticEquality, UseStateForUnknown};
use super::provider::{ConfigureRequest, ConfigureResponse, Provider};
use super::resource::{
    ApplyResponse, CreateRequest, DeleteRequest, DeleteResponse, ReadRequest, ReadResponse,
    Resource, UpdateRequest,
};
use super::runtime::{ProviderServer, RawValue};
use super::schema::{
    Attribute, Block, NestedAttributes, NestedBlock, ObjectNesting, Presence, Schema,
};
use super::value::{encode_msgpack, Number, Type, Value};

/// One generated attribute: its schema and its applied value.
#[derive(Clone, Debug)]
struct GenAttr {
    ty: Type,
    presence: Presence,
    modifiers: u8,
    value: Value,
    /// For optional+computed attributes: whether the configuration sets it.
    configured: bool,
}

fn leaf_type() -> impl Strategy<Value = Type> {
    prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::list(Type::String)),
        Just(Type::set(Type::Number)),
        Just(Type::map(Type::String)),
    ]
}

fn value_of(ty: &Type) -> BoxedStrategy<Value> {
    match ty {
        Type::String => prop_oneof![
            "[a-z ]{0,5}".prop_map(Value::from),
            Just(Value::from(r#"{"a": [1, 2]}"#)),
        ]
        .boxed(),
        Type::Number => (-1000i64..1000)
            .prop_map(|n| Value::Number(Number::from(n)))
            .boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::List(e) => prop::collection::vec(value_of(e), 0..3)
            .prop_map(Value::List)
            .boxed(),
        // Sets of numbers only: distinct elements are easy to generate.
        Type::Set(_) => prop::collection::btree_set(-50i64..50, 0..3)
            .prop_map(|s| Value::Set(s.into_iter().map(Value::from).collect()))
            .boxed(),
        Type::Map(e) => prop::collection::btree_map("[a-z]{1,3}", value_of(e), 0..3)
            .prop_map(Value::Map)
            .boxed(),
        _ => Just(Value::Null).boxed(),
    }
}

fn presence() -> impl Strategy<Value = Presence> {
    prop_oneof![
        Just(Presence::Required),
        Just(Presence::Optional),
        Just(Presence::Computed),
        Just(Presence::OptionalComputed),
    ]
}

fn gen_attr() -> impl Strategy<Value = GenAttr> {
    (
        leaf_type(),
        presence(),
        any::<u8>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_flat_map(|(ty, presence, modifiers, null, configured)| {
            // Required attributes are never null; others may be.
            let value = if null && presence != Presence::Required {
                Just(Value::Null).boxed()
            } else {
                value_of(&ty)
            };
            value.prop_map(move |value| GenAttr {
                ty: ty.clone(),
                presence,
                modifiers,
                value,
                configured,
            })
        })
}

fn schema_attribute(name: &str, g: &GenAttr) -> Attribute {
    let mut a = match g.presence {
        Presence::Required => Attribute::required(name, g.ty.clone(), "R."),
        Presence::Optional => Attribute::optional(name, g.ty.clone(), "O."),
        Presence::Computed => Attribute::computed(name, g.ty.clone(), "C."),
        Presence::OptionalComputed => Attribute::optional_computed(name, g.ty.clone(), "OC."),
    };
    if g.modifiers & 1 != 0 {
        a = a.plan_modifier(UseStateForUnknown);
    }
    if g.modifiers & 2 != 0 {
        a = a.plan_modifier(RequiresReplace);
    }
    if g.modifiers & 4 != 0 && g.ty == Type::String {
        a = a.plan_modifier(SemanticEquality::json());
    }
    a
}

/// Generated attributes, plus a nested list attribute and a list block
/// whose objects each hold a configured and a computed attribute.
#[derive(Clone, Debug)]
struct Case {
    attrs: Vec<GenAttr>,
    nested: Vec<(String, String)>,
    blocks: Vec<String>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(gen_attr(), 1..7),
        prop::collection::vec(("[a-z]{1,3}", "[a-z]{1,3}"), 0..3),
        prop::collection::vec("[a-z]{0,3}", 0..3),
    )
        .prop_map(|(attrs, nested, blocks)| Case {
            attrs,
            nested,
            blocks,
        })
}

fn schema_of(case: &Case) -> Schema {
    let mut block = Block::new("generated");
    for (i, g) in case.attrs.iter().enumerate() {
        block = block.attribute(schema_attribute(&format!("a{i}"), g));
    }
    block = block
        .attribute(Attribute::nested(
            "n",
            Presence::Optional,
            NestedAttributes::new(
                ObjectNesting::List,
                vec![
                    Attribute::required("k", Type::String, "K."),
                    Attribute::computed("c", Type::String, "C.").plan_modifier(UseStateForUnknown),
                ],
            ),
            "N.",
        ))
        .block(NestedBlock::list(
            "b",
            Block::new("B.").attribute(Attribute::optional("v", Type::String, "V.")),
            0,
            0,
        ));
    Schema::new(block)
}

/// The applied state, the configuration that produced it, and Terraform's
/// proposed new state for planning that configuration again.
fn values_of(case: &Case) -> (Value, Value, Value) {
    let mut state = Vec::new();
    let mut config = Vec::new();
    for (i, g) in case.attrs.iter().enumerate() {
        let name = format!("a{i}");
        let configured = match g.presence {
            Presence::Required | Presence::Optional => g.value.clone(),
            Presence::Computed => Value::Null,
            Presence::OptionalComputed if g.configured => g.value.clone(),
            Presence::OptionalComputed => Value::Null,
        };
        state.push((name.clone(), g.value.clone()));
        config.push((name, configured));
    }
    let nested_state = case
        .nested
        .iter()
        .map(|(k, c)| {
            Value::object([
                ("k", Value::from(k.as_str())),
                ("c", Value::from(c.as_str())),
            ])
        })
        .collect();
    let nested_config = case
        .nested
        .iter()
        .map(|(k, _)| Value::object([("k", Value::from(k.as_str())), ("c", Value::Null)]))
        .collect();
    let blocks = Value::List(
        case.blocks
            .iter()
            .map(|v| Value::object([("v", Value::from(v.as_str()))]))
            .collect(),
    );
    let nested = |items: Vec<Value>| {
        if case.nested.is_empty() {
            Value::Null
        } else {
            Value::List(items)
        }
    };
    state.push(("n".into(), nested(nested_state)));
    state.push(("b".into(), blocks.clone()));
    config.push(("n".into(), nested(nested_config)));
    config.push(("b".into(), blocks));
    let state = Value::object(state);
    // Unchanged configuration: Terraform proposes exactly the prior state.
    let proposed = state.clone();
    (state, Value::object(config), proposed)
}

fn raw(msgpack: &[u8]) -> RawValue<'_> {
    RawValue { msgpack, json: &[] }
}

struct Generated(Schema);

#[async_trait::async_trait]
impl Resource for Generated {
    fn type_name(&self) -> &'static str {
        "gen_thing"
    }
    fn schema(&self) -> Schema {
        self.0.clone()
    }
    async fn create(&self, _: &Context, _: CreateRequest) -> ApplyResponse {
        unreachable!("only planned")
    }
    async fn read(&self, _: &Context, _: ReadRequest) -> ReadResponse {
        unreachable!("only planned")
    }
    async fn update(&self, _: &Context, _: UpdateRequest) -> ApplyResponse {
        unreachable!("only planned")
    }
    async fn delete(&self, _: &Context, _: DeleteRequest) -> DeleteResponse {
        unreachable!("only planned")
    }
}

struct GenProvider(Schema);

#[async_trait::async_trait]
impl Provider for GenProvider {
    fn type_name(&self) -> &'static str {
        "gen"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new("p"))
    }
    async fn configure(&self, _: &Context, _: ConfigureRequest) -> ConfigureResponse {
        ConfigureResponse::default()
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Generated(self.0.clone()))]
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn planning_an_unchanged_configuration_is_a_no_op(case in case()) {
        let schema = schema_of(&case);
        let ty = schema.implied_type();
        let (state, config, proposed) = values_of(&case);
        let server = ProviderServer::new(Arc::new(GenProvider(schema)));
        let enc = |v: &Value| encode_msgpack(&ty, v).expect("generated values fit the schema");
        let (s, c, p) = (enc(&state), enc(&config), enc(&proposed));
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let out = rt.block_on(server.plan_resource_change("gen_thing", raw(&s), raw(&p), raw(&c), b"private"));
        prop_assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        prop_assert!(out.requires_replace.is_empty(), "{:?}", out.requires_replace);
        prop_assert_eq!(out.planned_state.as_deref(), Some(s.as_slice()));
        prop_assert_eq!(out.planned_private, b"private".to_vec());
    }
}
