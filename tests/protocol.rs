//! The plugin protocol through a client that plays Terraform core: real
//! process, real handshake, real mTLS with a P-521 CA-flagged client
//! certificate, the RPC sequence Terraform runs, over protocol 6 and 5.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use cams_emulator::{self as emulator, EmulatorConfig};
use cams_provider::plugin::value::{decode_msgpack, encode_msgpack, Type, Value};
use common::plugin_client::{connect, ClientIdentity, PluginProcess, COOKIE};

const FLOW_ID: &str = "9267533281264300";

fn flows_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flows")
}

/// An object of `ty` with the given attributes set and every other one null,
/// as Terraform sends a configuration.
fn object(ty: &Type, set: &[(&str, Value)]) -> Value {
    let Type::Object(attrs) = ty else {
        panic!("not an object type: {ty:?}")
    };
    let mut values: BTreeMap<String, Value> = attrs
        .iter()
        .map(|(name, t)| {
            let v = match t {
                Type::List(_) | Type::Set(_) => Value::List(Vec::new()),
                _ => Value::Null,
            };
            (name.clone(), v)
        })
        .collect();
    for (k, v) in set {
        assert!(values.contains_key(*k), "schema has no attribute {k}");
        values.insert((*k).to_owned(), v.clone());
    }
    Value::Object(values)
}

fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

fn block_type(attrs: &[(String, Vec<u8>)], blocks: Vec<(String, Type)>) -> Type {
    let mut t: BTreeMap<String, Type> = blocks.into_iter().collect();
    for (name, json) in attrs {
        t.insert(
            name.clone(),
            Type::from_json(json).expect("attribute type JSON"),
        );
    }
    Type::Object(t)
}

/// Runs Terraform's sequence against one protocol's generated client. The
/// two protocols differ only in names, so a macro keeps one copy.
macro_rules! terraform_sequence {
    ($pb:ident, $proto:literal, $schema:ident, $validate_provider:ident, $configure:ident, $validate_ds:ident, $stop:ident) => {{
        use cams_provider::plugin::proto::$pb as pb;
        let emu = emulator::start(EmulatorConfig {
            flows_dir: flows_dir(),
            ..EmulatorConfig::default()
        })
        .await
        .expect("emulator");
        let client = ClientIdentity::terraform_like();
        let mut plugin = PluginProcess::start("5,6", &client, &[("PLUGIN_PROTOCOL_VERSIONS", $proto)]);
        assert_eq!(plugin.handshake.core, "1");
        assert_eq!(plugin.handshake.protocol.to_string(), $proto);
        assert_eq!(plugin.handshake.network, "unix");
        assert_eq!(plugin.handshake.transport, "grpc");
        let channel = connect(&plugin.handshake, &client).await.expect("mTLS connect");
        let mut provider = pb::provider_client::ProviderClient::new(channel.clone());

        let schema = provider.$schema(pb::get_provider_schema::Request {}).await.expect("schema").into_inner();
        assert!(schema.diagnostics.is_empty(), "{:?}", schema.diagnostics);
        let block_types = |b: &pb::schema::Block| -> Type {
            fn convert(b: &pb::schema::Block) -> Type {
                let attrs: Vec<(String, Vec<u8>)> = b.attributes.iter().map(|a| (a.name.clone(), a.r#type.clone())).collect();
                let blocks: Vec<(String, Type)> = b
                    .block_types
                    .iter()
                    .map(|nb| {
                        let inner = convert(nb.block.as_ref().expect("nested block"));
                        let ty = if nb.nesting == pb::schema::nested_block::NestingMode::Single as i32 {
                            inner
                        } else {
                            Type::List(Box::new(inner))
                        };
                        (nb.type_name.clone(), ty)
                    })
                    .collect();
                block_type(&attrs, blocks)
            }
            convert(b)
        };
        let provider_ty = block_types(schema.provider.as_ref().unwrap().block.as_ref().unwrap());
        let ds_schema = schema.data_source_schemas.get("cams_flow_json").expect("cams_flow_json schema");
        let ds_ty = block_types(ds_schema.block.as_ref().unwrap());
        for a in &ds_schema.block.as_ref().unwrap().attributes {
            assert!(!a.description.is_empty(), "attribute {} has a description", a.name);
        }

        let provider_config = object(
            &provider_ty,
            &[
                ("endpoint", s(&emu.url())),
                ("access_key", s("demo-access-key-id")),
                ("secret_key", s("demo-access-key-secret")),
            ],
        );
        let dv = |ty: &Type, v: &Value| pb::DynamicValue {
            msgpack: encode_msgpack(ty, v).expect("encode"),
            json: Vec::new(),
        };
        let r = provider
            .$validate_provider(pb::$validate_provider::Request { config: Some(dv(&provider_ty, &provider_config)) })
            .await
            .expect("validate provider")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let r = provider
            .$configure(pb::$configure::Request {
                terraform_version: "1.0.3".into(),
                config: Some(dv(&provider_ty, &provider_config)),
                ..Default::default()
            })
            .await
            .expect("configure")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);

        let ds_config = object(&ds_ty, &[("flow_id", s(FLOW_ID))]);
        let r = provider
            .$validate_ds(pb::$validate_ds::Request {
                type_name: "cams_flow_json".into(),
                config: Some(dv(&ds_ty, &ds_config)),
            })
            .await
            .expect("validate data source")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let r = provider
            .read_data_source(pb::read_data_source::Request {
                type_name: "cams_flow_json".into(),
                config: Some(dv(&ds_ty, &ds_config)),
                ..Default::default()
            })
            .await
            .expect("read")
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let state = decode_msgpack(&ds_ty, &r.state.expect("state").msgpack).expect("state decodes");
        let want = std::fs::read_to_string(flows_dir().join(format!("{FLOW_ID}.json"))).unwrap();
        assert_eq!(state.get_attr("content").and_then(Value::as_str), Some(want.as_str()));
        assert_eq!(state.get_attr("flow_id").and_then(Value::as_str), Some(FLOW_ID));

        let r = provider.$stop(pb::$stop::Request {}).await.expect("stop").into_inner();
        assert_eq!(r.error, "");

        let mut controller = cams_provider::plugin::proto::go_plugin::grpc_controller_client::GrpcControllerClient::new(channel);
        // The plugin may exit before answering; either way it must exit 0.
        let _ = controller.shutdown(cams_provider::plugin::proto::go_plugin::Empty {}).await;
        let status = plugin.wait_exit(Duration::from_secs(2)).expect("plugin exits within 2 s after Shutdown");
        assert!(status.success(), "exit status {status:?}");
        assert!(!std::path::Path::new(&plugin.handshake.address).exists(), "socket removed");
    }};
}

#[tokio::test]
async fn terraform_sequence_over_protocol_6() {
    terraform_sequence!(
        tfplugin6,
        "6",
        get_provider_schema,
        validate_provider_config,
        configure_provider,
        validate_data_resource_config,
        stop_provider
    );
}

#[tokio::test]
async fn terraform_sequence_over_protocol_5() {
    terraform_sequence!(
        tfplugin5,
        "5",
        get_schema,
        prepare_provider_config,
        configure,
        validate_data_source_config,
        stop
    );
}

#[tokio::test]
async fn highest_offered_protocol_wins_in_either_order() {
    let client = ClientIdentity::terraform_like();
    for offered in ["5,6", "6,5"] {
        let p = PluginProcess::start(offered, &client, &[]);
        assert_eq!(p.handshake.protocol, 6, "offered {offered}");
    }
}

#[tokio::test]
async fn a_client_with_another_certificate_is_refused() {
    let expected = ClientIdentity::terraform_like();
    let intruder = ClientIdentity::terraform_like();
    let plugin = PluginProcess::start("6", &expected, &[]);
    let result = async {
        let channel = connect(&plugin.handshake, &intruder).await?;
        let mut c =
            cams_provider::plugin::proto::tfplugin6::provider_client::ProviderClient::new(channel);
        c.get_provider_schema(
            cams_provider::plugin::proto::tfplugin6::get_provider_schema::Request {},
        )
        .await
        .map_err(|e| e.to_string())
        .map(|_| ())
        .map_err(Box::<dyn std::error::Error>::from)?;
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    assert!(
        result.is_err(),
        "a different client certificate must not get an answer"
    );
    // ...while the right one still does.
    let channel = connect(&plugin.handshake, &expected)
        .await
        .expect("right cert connects");
    let mut c =
        cams_provider::plugin::proto::tfplugin6::provider_client::ProviderClient::new(channel);
    c.get_provider_schema(cams_provider::plugin::proto::tfplugin6::get_provider_schema::Request {})
        .await
        .expect("schema with the pinned certificate");
}

#[test]
fn without_the_cookie_it_exits_1_with_one_sentence() {
    let out = std::process::Command::new(common::plugin_client::provider_binary())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Terraform plugin"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let _ = COOKIE;
}
