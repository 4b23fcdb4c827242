//! The SDK's resource and function RPCs, driven by a client that plays
//! Terraform core over protocol 6 and 5, against a small test provider
//! defined in the tests (`common::test_provider`), not the CAMS provider.
//!
//! The provider is served in-process over a unix socket with the real gRPC
//! services and adapters; the handshake and mTLS are covered by
//! `tests/protocol.rs`.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use cams_provider::plugin::runtime::ProviderServer;
use cams_provider::plugin::value::{decode_msgpack, encode_msgpack, Type, Value};
use cams_provider::plugin::{Provider, Schema};
use common::test_provider::{thing_schema, TestProvider, PRIVATE, RESOURCE};
use hyper_util::rt::TokioIo;
use tonic::service::Routes;
use tonic::transport::{Channel, Endpoint};

/// Serves `routes` on a fresh unix socket; returns a channel to it.
async fn serve(routes: tonic::service::Routes) -> (Channel, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("provider.sock");
    let listener = tokio::net::UnixListener::bind(&path).expect("bind");
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_routes(routes)
            .serve_with_incoming(tokio_stream::wrappers::UnixListenerStream::new(listener)),
    );
    let channel = Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_| {
            let path = path.clone();
            async move {
                let stream = tokio::net::UnixStream::connect(path).await?;
                Ok::<_, std::io::Error>(TokioIo::new(stream))
            }
        }))
        .await
        .expect("connect");
    (channel, dir)
}

fn runtime_for(provider: TestProvider) -> Arc<ProviderServer> {
    let provider: Arc<dyn Provider> = Arc::new(provider);
    Arc::new(ProviderServer::new(provider))
}

/// Every attribute null (blocks empty), then `set`.
fn object(schema: &Schema, set: &[(&str, Value)]) -> Value {
    let Type::Object(attrs) = schema.implied_type() else {
        unreachable!()
    };
    let mut values: BTreeMap<String, Value> = attrs
        .keys()
        .map(|name| (name.clone(), Value::Null))
        .collect();
    for b in &schema.block.blocks {
        values.insert(b.type_name.clone(), Value::List(Vec::new()));
    }
    for (k, v) in set {
        assert!(values.contains_key(*k), "schema has no attribute {k}");
        values.insert((*k).to_owned(), v.clone());
    }
    Value::Object(values)
}

/// Terraform's proposed new state: the configuration, with computed
/// attributes the configuration leaves null taken from the prior state
/// (top level, and in nested attribute objects paired by position).
fn proposed(schema: &Schema, prior: &Value, config: &Value) -> Value {
    let mut out = config.clone();
    let Value::Object(members) = &mut out else {
        return out;
    };
    for a in &schema.block.attributes {
        let configured = config.get_attr(&a.name).cloned().unwrap_or(Value::Null);
        let before = prior.get_attr(&a.name).cloned().unwrap_or(Value::Null);
        if a.is_computed() && configured.is_null() {
            members.insert(a.name.clone(), before);
        } else if let (Some(nested), Value::List(items)) = (&a.nested, &configured) {
            let prior_items = before.as_list().unwrap_or_default().to_vec();
            let merged = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let mut item = item.clone();
                    if let Value::Object(fields) = &mut item {
                        for na in nested.attributes.iter().filter(|na| na.is_computed()) {
                            if fields.get(&na.name).is_none_or(Value::is_null) {
                                let p = prior_items
                                    .get(i)
                                    .and_then(|p| p.get_attr(&na.name))
                                    .cloned()
                                    .unwrap_or(Value::Null);
                                fields.insert(na.name.clone(), p);
                            }
                        }
                    }
                    item
                })
                .collect();
            members.insert(a.name.clone(), Value::List(merged));
        }
    }
    out
}

fn s(v: &str) -> Value {
    Value::from(v)
}

fn n(v: i64) -> Value {
    Value::from(v)
}

/// The sequence of the issue, for one protocol. The two protocols differ
/// only in a few RPC names, so a macro keeps one copy.
macro_rules! resource_sequence {
    ($pb:ident, $service:path, $nested:expr, $schema_rpc:ident, $configure:ident, $validate:ident) => {{
        use cams_provider::plugin::proto::$pb as pb;
        let nested: bool = $nested;
        let provider = TestProvider::new(nested);
        let store = provider.store.clone();
        let runtime = runtime_for(provider);
        let (channel, _dir) = serve(Routes::new(pb::provider_server::ProviderServer::new(
            $service(runtime),
        )))
        .await;
        let mut c = pb::provider_client::ProviderClient::new(channel);
        let schema = thing_schema(nested);
        let ty = schema.implied_type();
        let dv = |v: &Value| {
            Some(pb::DynamicValue {
                msgpack: encode_msgpack(&ty, v).expect("encode"),
                json: Vec::new(),
            })
        };
        let state_of = |d: Option<pb::DynamicValue>| {
            decode_msgpack(&ty, &d.expect("a value").msgpack).expect("decodes")
        };
        let paths = |ps: &[pb::AttributePath]| -> Vec<String> {
            ps.iter()
                .map(|p| {
                    p.steps
                        .iter()
                        .map(|s| match s.selector.as_ref().expect("selector") {
                            pb::attribute_path::step::Selector::AttributeName(a) => format!(".{a}"),
                            pb::attribute_path::step::Selector::ElementKeyString(k) => {
                                format!("[{k:?}]")
                            }
                            pb::attribute_path::step::Selector::ElementKeyInt(i) => {
                                format!("[{i}]")
                            }
                        })
                        .collect::<String>()
                })
                .collect()
        };
        let errors = |d: &[pb::Diagnostic]| -> Vec<String> {
            d.iter()
                .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
                .map(|d| format!("{}: {}", d.summary, d.detail))
                .collect()
        };

        // Schema: the resource with its version, the functions, capabilities.
        let r = c
            .$schema_rpc(pb::get_provider_schema::Request {})
            .await
            .expect("schema")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let wire = r.resource_schemas.get(RESOURCE).expect("resource schema");
        assert_eq!(wire.version, 1);
        let block = wire.block.as_ref().expect("block");
        assert_eq!(block.description, "A thing in the **in-memory** store.");
        assert_eq!(block.description_kind, pb::StringKind::Markdown as i32);
        let attr = |name: &str| {
            block
                .attributes
                .iter()
                .find(|a| a.name == name)
                .expect(name)
                .clone()
        };
        assert!(attr("password").write_only && attr("password").sensitive);
        assert!(attr("old_size").deprecated);
        assert_eq!(
            attr("old_size").deprecation_message,
            "old_size is deprecated: use size."
        );
        assert!(attr("size").deprecation_message.is_empty());
        assert_eq!(attr("size").description_kind, pb::StringKind::Plain as i32);
        assert_eq!(attr("tags").r#type, br#"["set","string"]"#.to_vec());
        assert_eq!(attr("labels").r#type, br#"["map","string"]"#.to_vec());
        assert!(attr("id").computed && !attr("id").optional);
        assert_eq!(block.block_types[0].type_name, "setting");
        let join = r.functions.get("join_upper").expect("join_upper");
        assert_eq!(join.parameters.len(), 1);
        assert_eq!(
            join.variadic_parameter.as_ref().map(|p| p.name.as_str()),
            Some("parts")
        );
        assert_eq!(
            join.r#return.as_ref().map(|r| r.r#type.clone()),
            Some(b"\"string\"".to_vec())
        );
        let caps = r.server_capabilities.expect("capabilities");
        assert!(
            caps.plan_destroy && caps.get_provider_schema_optional && !caps.move_resource_state
        );

        // Functions need no configuration: call them before configuring.
        let call = |name: &str, args: Vec<Value>, types: Vec<Type>| pb::call_function::Request {
            name: name.to_owned(),
            arguments: args
                .iter()
                .zip(&types)
                .map(|(v, t)| pb::DynamicValue {
                    msgpack: encode_msgpack(t, v).expect("arg"),
                    json: Vec::new(),
                })
                .collect(),
        };
        let st = || Type::String;
        let r = c
            .call_function(call(
                "join_upper",
                vec![s("-"), s("a"), s("b")],
                vec![st(), st(), st()],
            ))
            .await
            .expect("call")
            .into_inner();
        assert_eq!(r.error, None);
        assert_eq!(
            decode_msgpack(&Type::String, &r.result.expect("result").msgpack).expect("string"),
            s("A-B")
        );
        let r = c
            .call_function(call("join_upper", vec![s("-")], vec![st()]))
            .await
            .expect("call")
            .into_inner();
        assert_eq!(
            decode_msgpack(&Type::String, &r.result.expect("result").msgpack).expect("string"),
            s("")
        );
        let r = c
            .call_function(call(
                "join_upper",
                vec![s("-"), s("a"), s("")],
                vec![st(), st(), st()],
            ))
            .await
            .expect("call")
            .into_inner();
        let e = r.error.expect("error for an empty part");
        assert_eq!(e.function_argument, Some(2), "{e:?}");
        let r = c
            .call_function(call("parse_port", vec![s("http")], vec![st()]))
            .await
            .expect("call")
            .into_inner();
        assert_eq!(r.error.expect("bad port").function_argument, Some(0));
        let r = c
            .call_function(call("parse_port", vec![Value::Null], vec![st()]))
            .await
            .expect("call")
            .into_inner();
        let e = r.error.expect("null refused");
        assert_eq!(e.function_argument, Some(0));
        assert!(e.text.contains("text"), "names the parameter: {e:?}");
        let r = c
            .call_function(call("parse_port", vec![s("8080")], vec![st()]))
            .await
            .expect("call")
            .into_inner();
        assert_eq!(
            decode_msgpack(&Type::Number, &r.result.expect("result").msgpack).expect("number"),
            n(8080)
        );
        let r = c
            .call_function(call("parse_port", vec![], vec![]))
            .await
            .expect("call")
            .into_inner();
        assert!(r
            .error
            .expect("arity")
            .text
            .contains("1 arguments, 0 given"));
        let r = c
            .call_function(call("nope", vec![], vec![]))
            .await
            .expect("call")
            .into_inner();
        assert!(r.error.is_some());
        let r = c
            .get_functions(pb::get_functions::Request {})
            .await
            .expect("functions")
            .into_inner();
        let mut names: Vec<_> = r.functions.keys().cloned().collect();
        names.sort();
        assert_eq!(names, ["join_upper", "parse_port"]);

        let r = c
            .$configure(pb::$configure::Request {
                terraform_version: "1.9.0".into(),
                config: Some(pb::DynamicValue {
                    msgpack: encode_msgpack(
                        &Type::object([("prefix", Type::String)]),
                        &Value::object([("prefix", Value::Null)]),
                    )
                    .expect("encode"),
                    json: Vec::new(),
                }),
                ..Default::default()
            })
            .await
            .expect("configure")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);

        // Validate: unknowns are fine; a bad value is an error at its path;
        // a deprecated attribute a warning.
        let mut cfg = vec![("name", s("a")), ("size", Value::unknown())];
        let r = c
            .$validate(pb::$validate::Request {
                type_name: RESOURCE.into(),
                config: dv(&object(&schema, &cfg)),
                ..Default::default()
            })
            .await
            .expect("validate")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        cfg[1] = ("size", n(-1));
        let r = c
            .$validate(pb::$validate::Request {
                type_name: RESOURCE.into(),
                config: dv(&object(&schema, &cfg)),
                ..Default::default()
            })
            .await
            .expect("validate")
            .into_inner();
        assert_eq!(r.diagnostics.len(), 1);
        assert_eq!(
            paths(&[r.diagnostics[0].attribute.clone().expect("path")]),
            [".size"]
        );
        let r = c
            .$validate(pb::$validate::Request {
                type_name: RESOURCE.into(),
                config: dv(&object(&schema, &[("name", s("a")), ("old_size", n(1))])),
                ..Default::default()
            })
            .await
            .expect("validate")
            .into_inner();
        assert_eq!(r.diagnostics.len(), 1);
        assert_eq!(
            r.diagnostics[0].severity,
            pb::diagnostic::Severity::Warning as i32
        );
        assert_eq!(r.diagnostics[0].detail, "old_size is deprecated: use size.");

        // Plan create.
        // The store keeps documents compact; the configuration's text is not.
        let doc = r#"{"version": "7.0", "screens": [{"id": "A"}]}"#;
        let mut config_values = vec![
            ("name", s("a")),
            ("size", n(3)),
            ("tags", Value::Set(vec![s("x"), s("y")])),
            ("labels", Value::Map([("env".to_owned(), s("dev"))].into())),
            ("document", s(doc)),
            ("password", s("hunter2")),
            (
                "setting",
                Value::List(vec![Value::object([("key", s("k")), ("value", s("v"))])]),
            ),
        ];
        if nested {
            config_values.push((
                "rules",
                Value::List(vec![Value::object([
                    ("port", n(80)),
                    ("rule_id", Value::Null),
                ])]),
            ));
        }
        let config = object(&schema, &config_values);
        let plan =
            |prior: &Value, config: &Value, private: Vec<u8>| pb::plan_resource_change::Request {
                type_name: RESOURCE.into(),
                prior_state: dv(prior),
                proposed_new_state: dv(&if config.is_null() {
                    Value::Null
                } else {
                    proposed(&schema, prior, config)
                }),
                config: dv(config),
                prior_private: private,
                ..Default::default()
            };
        let r = c
            .plan_resource_change(plan(&Value::Null, &config, Vec::new()))
            .await
            .expect("plan")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert!(r.requires_replace.is_empty());
        let planned = state_of(r.planned_state);
        assert!(planned.get_attr("id").is_some_and(Value::is_unknown));
        assert!(planned.get_attr("revision").is_some_and(Value::is_unknown));
        assert!(
            planned.get_attr("password").is_some_and(Value::is_null),
            "write-only is never planned"
        );
        assert_eq!(planned.get_attr("size"), Some(&n(3)));
        if nested {
            let rules = planned
                .get_attr("rules")
                .and_then(Value::as_list)
                .expect("rules");
            assert!(rules[0].get_attr("rule_id").is_some_and(Value::is_unknown));
        }

        // Apply create.
        let apply = |prior: &Value, planned: &Value, config: &Value, private: Vec<u8>| {
            pb::apply_resource_change::Request {
                type_name: RESOURCE.into(),
                prior_state: dv(prior),
                planned_state: dv(planned),
                config: dv(config),
                planned_private: private,
                ..Default::default()
            }
        };
        let r = c
            .apply_resource_change(apply(&Value::Null, &planned, &config, r.planned_private))
            .await
            .expect("apply")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(r.private, PRIVATE);
        let state = state_of(r.new_state);
        assert_eq!(state.get_attr("id"), Some(&s("thing-1")));
        assert_eq!(state.get_attr("revision"), Some(&n(1)));
        assert!(
            state.get_attr("password").is_some_and(Value::is_null),
            "write-only is never stored"
        );
        assert_eq!(
            state.get_attr("document"),
            Some(&s(doc)),
            "applied re-formatted, kept as planned"
        );
        let stored = store
            .objects
            .lock()
            .unwrap()
            .get("thing-1")
            .and_then(|v| v.get_attr("document").cloned());
        assert_eq!(
            stored,
            Some(s(r#"{"screens":[{"id":"A"}],"version":"7.0"}"#))
        );

        // Read: the same state, the private bytes round-trip.
        let read = |current: &Value, private: &[u8]| pb::read_resource::Request {
            type_name: RESOURCE.into(),
            current_state: dv(current),
            private: private.to_vec(),
            ..Default::default()
        };
        let r = c
            .read_resource(read(&state, PRIVATE))
            .await
            .expect("read")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(r.private, PRIVATE);
        assert_eq!(
            state_of(r.new_state),
            state,
            "read back re-formatted: no drift"
        );

        // Plan with no change: no diff at all, even with the JSON document
        // re-formatted (semantic equality keeps the prior text).
        let mut same = config_values.clone();
        same[4] = (
            "document",
            s("{\n  \"version\": \"7.0\",\n  \"screens\": [ { \"id\": \"A\" } ]\n}"),
        );
        let config_same = object(&schema, &same);
        let r = c
            .plan_resource_change(plan(&state, &config_same, PRIVATE.to_vec()))
            .await
            .expect("plan")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert!(r.requires_replace.is_empty());
        assert_eq!(r.planned_private, PRIVATE);
        assert_eq!(state_of(r.planned_state), state, "no diff");

        // Plan an in-place update: size changes; id stays known (use state
        // for unknown), revision becomes unknown; a warning beside the plan.
        let mut update = config_values.clone();
        update[1] = ("size", n(99));
        let config_update = object(&schema, &update);
        let r = c
            .plan_resource_change(plan(&state, &config_update, PRIVATE.to_vec()))
            .await
            .expect("plan")
            .into_inner();
        assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
        assert_eq!(r.diagnostics.len(), 1, "the warning");
        assert_eq!(r.diagnostics[0].summary, "Large Size");
        assert!(r.requires_replace.is_empty());
        let planned = state_of(r.planned_state);
        assert_eq!(planned.get_attr("id"), Some(&s("thing-1")));
        assert_eq!(planned.get_attr("size"), Some(&n(99)));
        assert!(planned.get_attr("revision").is_some_and(Value::is_unknown));
        if nested {
            let rules = planned
                .get_attr("rules")
                .and_then(Value::as_list)
                .expect("rules");
            assert_eq!(rules[0].get_attr("rule_id"), Some(&s("thing-1-rule-0")));
        }
        let r = c
            .apply_resource_change(apply(&state, &planned, &config_update, r.planned_private))
            .await
            .expect("apply")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(r.private, PRIVATE);
        let state = state_of(r.new_state);
        assert_eq!(state.get_attr("revision"), Some(&n(2)));
        assert_eq!(state.get_attr("size"), Some(&n(99)));

        // A change that requires replacement.
        let mut rename = update.clone();
        rename[0] = ("name", s("b"));
        let r = c
            .plan_resource_change(plan(&state, &object(&schema, &rename), PRIVATE.to_vec()))
            .await
            .expect("plan")
            .into_inner();
        assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
        assert_eq!(paths(&r.requires_replace), [".name"]);

        // Import by id, then read fills in the rest.
        let r = c
            .import_resource_state(pb::import_resource_state::Request {
                type_name: RESOURCE.into(),
                id: "thing-1".into(),
                ..Default::default()
            })
            .await
            .expect("import")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(r.imported_resources.len(), 1);
        assert_eq!(r.imported_resources[0].type_name, RESOURCE);
        let imported = state_of(r.imported_resources[0].state.clone());
        assert_eq!(imported.get_attr("id"), Some(&s("thing-1")));
        assert!(imported.get_attr("name").is_some_and(Value::is_null));
        let r = c
            .read_resource(read(&imported, &[]))
            .await
            .expect("read")
            .into_inner();
        // Nothing to keep after an import: the document as the store has it.
        let mut as_stored = state.clone();
        if let Value::Object(attrs) = &mut as_stored {
            attrs.insert(
                "document".into(),
                s(r#"{"screens":[{"id":"A"}],"version":"7.0"}"#),
            );
        }
        assert_eq!(state_of(r.new_state), as_stored);

        // Upgrade: an older version through the hook, the current one as it
        // is, flatmap and newer versions refused.
        let upgrade = |version: i64, json: &str, flatmap: &[(&str, &str)]| {
            pb::upgrade_resource_state::Request {
                type_name: RESOURCE.into(),
                version,
                raw_state: Some(pb::RawState {
                    json: json.as_bytes().to_vec(),
                    flatmap: flatmap
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                        .collect(),
                }),
            }
        };
        let r = c
            .upgrade_resource_state(upgrade(
                0,
                r#"{"id":"thing-1","title":"old","revision":3}"#,
                &[],
            ))
            .await
            .expect("upgrade")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let up = state_of(r.upgraded_state);
        assert_eq!(up.get_attr("name"), Some(&s("old")));
        assert_eq!(up.get_attr("revision"), Some(&n(3)));
        assert!(up.get_attr("size").is_some_and(Value::is_null));
        let r = c
            .upgrade_resource_state(upgrade(
                1,
                r#"{"id":"thing-1","name":"a","gone":true}"#,
                &[],
            ))
            .await
            .expect("upgrade")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(state_of(r.upgraded_state).get_attr("name"), Some(&s("a")));
        let r = c
            .upgrade_resource_state(upgrade(0, "", &[("id", "x")]))
            .await
            .expect("upgrade")
            .into_inner();
        assert_eq!(r.diagnostics[0].summary, "Unsupported State Format");
        assert!(r.upgraded_state.is_none());
        let r = c
            .upgrade_resource_state(upgrade(2, "{}", &[]))
            .await
            .expect("upgrade")
            .into_inner();
        assert_eq!(
            r.diagnostics[0].summary,
            "Resource State From a Newer Provider"
        );

        // Destroy: plan, apply, and the resource is gone.
        let r = c
            .plan_resource_change(plan(&state, &Value::Null, PRIVATE.to_vec()))
            .await
            .expect("plan")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert!(state_of(r.planned_state).is_null());
        let r = c
            .apply_resource_change(apply(&state, &Value::Null, &Value::Null, PRIVATE.to_vec()))
            .await
            .expect("apply")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert!(state_of(r.new_state).is_null());
        assert!(store.objects.lock().unwrap().is_empty());
        let r = c
            .read_resource(read(&state, PRIVATE))
            .await
            .expect("read")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert!(
            state_of(r.new_state).is_null(),
            "a resource that is gone reads as null"
        );

        // A create that fails after creating keeps the partial state.
        let failing = object(&schema, &[("name", s("fail-after-create"))]);
        let r = c
            .plan_resource_change(plan(&Value::Null, &failing, Vec::new()))
            .await
            .expect("plan")
            .into_inner();
        let planned = state_of(r.planned_state);
        let r = c
            .apply_resource_change(apply(&Value::Null, &planned, &failing, Vec::new()))
            .await
            .expect("apply")
            .into_inner();
        assert_eq!(errors(&r.diagnostics).len(), 1, "{:?}", r.diagnostics);
        assert_eq!(r.diagnostics[0].summary, "Follow-Up Failed");
        let partial = state_of(r.new_state);
        assert_eq!(partial.get_attr("id"), Some(&s("thing-2")));
        assert!(
            partial.get_attr("revision").is_some_and(Value::is_null),
            "unknowns saved as null"
        );
        assert_eq!(store.objects.lock().unwrap().len(), 1);

        // A panic in plan or apply is an error; the server keeps serving.
        let panicking = object(&schema, &[("name", s("panic-in-plan"))]);
        let r = c
            .plan_resource_change(plan(&Value::Null, &panicking, Vec::new()))
            .await
            .expect("plan")
            .into_inner();
        assert_eq!(r.diagnostics[0].summary, "Provider Panicked");
        assert!(r.diagnostics[0].detail.contains("planned to panic"));
        assert!(r.planned_state.is_none());
        let panicking = object(&schema, &[("name", s("panic-in-apply"))]);
        let r = c
            .plan_resource_change(plan(&Value::Null, &panicking, Vec::new()))
            .await
            .expect("plan")
            .into_inner();
        let planned = state_of(r.planned_state);
        let r = c
            .apply_resource_change(apply(&Value::Null, &planned, &panicking, Vec::new()))
            .await
            .expect("apply")
            .into_inner();
        assert_eq!(r.diagnostics[0].summary, "Provider Panicked");
        assert!(r.diagnostics[0].detail.contains("applied to panic"));
        c.$schema_rpc(pb::get_provider_schema::Request {})
            .await
            .expect("still serving");

        // An applied value that differs from its plan is caught.
        let odd = object(&schema, &[("name", s("inconsistent")), ("size", n(1))]);
        let r = c
            .plan_resource_change(plan(&Value::Null, &odd, Vec::new()))
            .await
            .expect("plan")
            .into_inner();
        let planned = state_of(r.planned_state);
        let r = c
            .apply_resource_change(apply(&Value::Null, &planned, &odd, Vec::new()))
            .await
            .expect("apply")
            .into_inner();
        let errs = errors(&r.diagnostics);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].starts_with("Provider Produced Inconsistent Result After Apply"),
            "{errs:?}"
        );
        assert!(errs[0].contains("size: was planned as"), "{errs:?}");
        assert_eq!(
            paths(&[r.diagnostics[0]
                .attribute
                .clone()
                .expect("points at the attribute")]),
            [".size"]
        );

        // A type the provider does not have.
        let r = c
            .read_resource(pb::read_resource::Request {
                type_name: "sdktest_nope".into(),
                ..Default::default()
            })
            .await
            .expect("read")
            .into_inner();
        assert_eq!(r.diagnostics[0].summary, "Resource Type Not Found");
    }};
}

#[tokio::test]
async fn resource_and_function_sequence_over_protocol_6() {
    resource_sequence!(
        tfplugin6,
        cams_provider::plugin::v6::V6,
        true,
        get_provider_schema,
        configure_provider,
        validate_resource_config
    );
}

#[tokio::test]
async fn resource_and_function_sequence_over_protocol_5() {
    resource_sequence!(
        tfplugin5,
        cams_provider::plugin::v5::V5,
        false,
        get_schema,
        configure,
        validate_resource_type_config
    );
}

#[tokio::test]
async fn nested_attributes_go_out_as_objects_over_6_and_are_refused_over_5() {
    use cams_provider::plugin::proto::{tfplugin5, tfplugin6};
    let (channel, _dir) = serve(Routes::new(
        tfplugin6::provider_server::ProviderServer::new(cams_provider::plugin::v6::V6(
            runtime_for(TestProvider::new(true)),
        )),
    ))
    .await;
    let r = tfplugin6::provider_client::ProviderClient::new(channel)
        .get_provider_schema(tfplugin6::get_provider_schema::Request {})
        .await
        .expect("schema")
        .into_inner();
    let block = r.resource_schemas[RESOURCE].block.clone().expect("block");
    let rules = block
        .attributes
        .iter()
        .find(|a| a.name == "rules")
        .expect("rules");
    assert!(rules.r#type.is_empty(), "a nested attribute has no type");
    let object = rules.nested_type.as_ref().expect("nested type");
    assert_eq!(
        object.nesting,
        tfplugin6::schema::object::NestingMode::List as i32
    );
    assert_eq!(object.attributes.len(), 2);

    let (channel, _dir) = serve(Routes::new(
        tfplugin5::provider_server::ProviderServer::new(cams_provider::plugin::v5::V5(
            runtime_for(TestProvider::new(true)),
        )),
    ))
    .await;
    let r = tfplugin5::provider_client::ProviderClient::new(channel)
        .get_schema(tfplugin5::get_provider_schema::Request {})
        .await
        .expect("schema")
        .into_inner();
    assert_eq!(r.diagnostics.len(), 1);
    assert!(
        r.diagnostics[0]
            .detail
            .contains("rules: nested attributes need protocol 6"),
        "{:?}",
        r.diagnostics
    );
}

#[tokio::test]
async fn rpcs_of_absent_features_answer_like_a_provider_without_them() {
    use cams_provider::plugin::proto::tfplugin6 as pb;
    let (channel, _dir) = serve(Routes::new(pb::provider_server::ProviderServer::new(
        cams_provider::plugin::v6::V6(runtime_for(TestProvider::new(true))),
    )))
    .await;
    let mut c = pb::provider_client::ProviderClient::new(channel);
    let ids = c
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .expect("identity schemas")
        .into_inner();
    assert!(ids.diagnostics.is_empty() && ids.identity_schemas.is_empty());
    let r = c
        .validate_ephemeral_resource_config(pb::validate_ephemeral_resource_config::Request {
            type_name: "sdktest_token".into(),
            ..Default::default()
        })
        .await
        .expect("ephemeral")
        .into_inner();
    assert_eq!(
        r.diagnostics[0].summary,
        "Ephemeral Resource Type Not Found"
    );
    let r = c
        .open_ephemeral_resource(pb::open_ephemeral_resource::Request {
            type_name: "sdktest_token".into(),
            ..Default::default()
        })
        .await
        .expect("open")
        .into_inner();
    assert_eq!(
        r.diagnostics[0].severity,
        pb::diagnostic::Severity::Error as i32
    );
    let r = c
        .move_resource_state(pb::move_resource_state::Request {
            source_type_name: "other_thing".into(),
            target_type_name: RESOURCE.into(),
            ..Default::default()
        })
        .await
        .expect("move")
        .into_inner();
    assert_eq!(r.diagnostics[0].summary, "Unable to Move Resource State");
    let mut events = c
        .list_resource(pb::list_resource::Request {
            type_name: "sdktest_thing".into(),
            ..Default::default()
        })
        .await
        .expect("list")
        .into_inner();
    let event = events.message().await.expect("event").expect("one event");
    assert_eq!(event.diagnostic[0].summary, "List Resource Type Not Found");
    assert!(events.message().await.expect("end").is_none());
    let r = c
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("metadata")
        .into_inner();
    let names: Vec<_> = r.resources.iter().map(|r| r.type_name.as_str()).collect();
    assert_eq!(names, ["sdktest_note", RESOURCE]);
    assert_eq!(r.functions.len(), 2);
}

/// A resource written on typed models (`common::model_resource`): null,
/// unknown and known cross the protocol through the models, and a model
/// reading an attribute the schema lacks reaches Terraform as a provider
/// bug at that attribute.
#[tokio::test]
async fn a_resource_on_typed_models_plans_applies_and_reads_over_protocol_6() {
    use cams_provider::plugin::model::mismatches;
    use cams_provider::plugin::model::Model as _;
    use cams_provider::plugin::proto::tfplugin6 as pb;
    use common::model_resource::{note_schema, NotePlan, NoteState, NOTE};
    let provider = TestProvider::new(true);
    let store = provider.store.clone();
    let (channel, _dir) = serve(Routes::new(pb::provider_server::ProviderServer::new(
        cams_provider::plugin::v6::V6(runtime_for(provider)),
    )))
    .await;
    let mut c = pb::provider_client::ProviderClient::new(channel);
    let schema = note_schema();
    for found in [
        mismatches::<NotePlan>(&schema),
        mismatches::<NoteState>(&schema),
    ] {
        assert!(found.is_empty(), "{found:?}");
    }
    let ty = schema.implied_type();
    let dv = |v: &Value| {
        Some(pb::DynamicValue {
            msgpack: encode_msgpack(&ty, v).expect("encode"),
            json: Vec::new(),
        })
    };
    let value_of = |d: Option<pb::DynamicValue>| {
        decode_msgpack(&ty, &d.expect("a value").msgpack).expect("decodes")
    };
    let prefix = Type::object([("prefix", Type::String)]);
    c.configure_provider(pb::configure_provider::Request {
        terraform_version: "1.11.4".into(),
        config: Some(pb::DynamicValue {
            msgpack: encode_msgpack(&prefix, &Value::object([("prefix", Value::Null)]))
                .expect("encode"),
            json: Vec::new(),
        }),
        ..Default::default()
    })
    .await
    .expect("configure");

    let r = c
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: NOTE.into(),
            config: dv(&object(&schema, &[("title", s("misspelled"))])),
            ..Default::default()
        })
        .await
        .expect("validate")
        .into_inner();
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    let d = &r.diagnostics[0];
    assert_eq!(d.summary, "Attribute Not In Schema");
    assert!(d.detail.contains("`nmae`"), "{}", d.detail);
    let step = &d.attribute.as_ref().expect("a path").steps[0];
    assert_eq!(
        step.selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "nmae".into()
        ))
    );

    let part = |text: &str| Value::object([("text", s(text)), ("position", Value::Null)]);
    let plan = |config: &Value| pb::plan_resource_change::Request {
        type_name: NOTE.into(),
        prior_state: dv(&Value::Null),
        proposed_new_state: dv(config),
        config: dv(config),
        ..Default::default()
    };
    let unknown_words = object(
        &schema,
        &[
            ("title", s("ab")),
            ("words", Value::unknown()),
            ("part", Value::List(vec![part("x"), part("y")])),
        ],
    );
    let r = c
        .plan_resource_change(plan(&unknown_words))
        .await
        .expect("plan")
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let planned = value_of(r.planned_state);
    assert!(planned.get_attr("length").is_some_and(Value::is_unknown));
    assert!(planned.get_attr("id").is_some_and(Value::is_unknown));
    let positions: Vec<_> = planned
        .get_attr("part")
        .and_then(Value::as_list)
        .unwrap()
        .iter()
        .map(|p| p.get_attr("position").cloned())
        .collect();
    assert_eq!(positions, [Some(n(0)), Some(n(1))]);

    let config = object(
        &schema,
        &[
            ("title", s("ab")),
            ("words", Value::List(vec![s("cde")])),
            ("part", Value::List(vec![part("x")])),
        ],
    );
    let r = c
        .plan_resource_change(plan(&config))
        .await
        .expect("plan")
        .into_inner();
    let planned = value_of(r.planned_state);
    assert_eq!(planned.get_attr("length"), Some(&n(5)));
    let r = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: NOTE.into(),
            prior_state: dv(&Value::Null),
            planned_state: dv(&planned),
            config: dv(&config),
            ..Default::default()
        })
        .await
        .expect("apply")
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let applied = NoteState::decode(&value_of(r.new_state)).expect("a whole state");
    assert_eq!(applied.id, "note-ab");
    assert_eq!((applied.length, applied.part[0].position), (5, 0));
    assert!(store.objects.lock().unwrap().contains_key("note-ab"));

    let r = c
        .read_resource(pb::read_resource::Request {
            type_name: NOTE.into(),
            current_state: dv(&applied.encode()),
            ..Default::default()
        })
        .await
        .expect("read")
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(NoteState::decode(&value_of(r.new_state)).unwrap(), applied);
}
