//! Property: for every optional string attribute of every resource, the
//! empty string and null are each either refused at validate (naming the
//! attribute) or applied, read back and planned again as no change. A
//! variable's empty default (`endpoint_uri = ""`) must never end an apply
//! with "Provider produced inconsistent result" and a tainted resource.
//!
//! Driven through the provider runtime the way Terraform core drives it
//! (validate, plan, apply, read, plan), against the in-process emulator;
//! the runtime's own consistency checks (on in test builds) follow
//! Terraform's rules for plans and applied results.

mod common;

use cams_provider::plugin::runtime::ProviderServer;
use cams_provider::plugin::value::{decode_msgpack, encode_msgpack, Type, Value};
use cams_provider::plugin::{AttributePath, Diagnostics, Schema};
use common::cams_server::{errors, object, proposed_new, raw, CamsServer};
use common::local_emulator::LocalEmulator;
use proptest::prelude::*;

const SPACE: &str = "cams-strings-space";

/// A small Flow JSON document that breaks no rule.
const FLOW_JSON: &str = r#"{"version":"7.0","screens":[{"id":"DONE","title":"Done","terminal":true,"layout":{"type":"SingleColumnLayout","children":[{"type":"Footer","label":"Done","on-click-action":{"name":"complete","payload":{}}}]}}]}"#;

/// The required arguments of each resource type, valid as they stand. A
/// new resource type fails this test until it gets an entry.
fn required_arguments(type_name: &str) -> Vec<(&'static str, Value)> {
    match type_name {
        "cams_flow" => vec![
            ("name", Value::from("strings")),
            ("categories", Value::Set(vec![Value::from("OTHER")])),
            ("content", Value::from(FLOW_JSON)),
        ],
        "cams_chatapp_template" => vec![
            ("name", Value::from("strings_test")),
            ("language", Value::from("en_US")),
            ("category", Value::from("UTILITY")),
            (
                "body",
                Value::Object(
                    [
                        ("text".to_owned(), Value::from("Your order is ready.")),
                        ("examples".to_owned(), Value::Null),
                    ]
                    .into(),
                ),
            ),
        ],
        other => panic!("add the required arguments of {other} to this test"),
    }
}

/// The optional (and optional+computed) string attributes of a schema.
fn optional_strings(schema: &Schema) -> Vec<String> {
    schema
        .block
        .attributes
        .iter()
        .filter(|a| a.ty == Type::String && a.is_optional())
        .map(|a| a.name.clone())
        .collect()
}

struct Harness {
    _emulator: LocalEmulator,
    server: ProviderServer,
    rt: tokio::runtime::Runtime,
}

impl Harness {
    fn start() -> Self {
        let emulator = LocalEmulator::start(&[]);
        let CamsServer { server, rt } = CamsServer::configured(&emulator.url, SPACE);
        Self {
            _emulator: emulator,
            server,
            rt,
        }
    }

    /// Validates, creates, reads and plans again one configuration.
    /// `Err` holds what validate refused.
    fn round_trip(&self, type_name: &str, config: &Value) -> Result<(), Diagnostics> {
        let schema = self
            .server
            .resource_schemas()
            .find(|(name, _)| name.as_str() == type_name)
            .map(|(_, s)| s.clone())
            .expect("resource schema");
        let ty = schema.implied_type();
        let enc = |v: &Value| encode_msgpack(&ty, v).expect("encode");
        let dec = |b: &[u8]| decode_msgpack(&ty, b).expect("decode");
        let c = enc(config);
        let diags = self
            .rt
            .block_on(self.server.validate_resource(type_name, raw(&c), true));
        if diags.has_errors() {
            return Err(diags);
        }
        let null = enc(&Value::Null);
        let plan = self.rt.block_on(self.server.plan_resource_change(
            type_name,
            raw(&null),
            raw(&c),
            raw(&c),
            b"",
        ));
        assert!(
            errors(&plan.diagnostics).is_empty(),
            "plan create: {:?}",
            plan.diagnostics
        );
        let planned = plan.planned_state.expect("a planned state");
        let applied = self.rt.block_on(self.server.apply_resource_change(
            type_name,
            raw(&null),
            raw(&planned),
            raw(&c),
            &plan.planned_private,
        ));
        assert!(
            errors(&applied.diagnostics).is_empty(),
            "apply: {:?}",
            applied.diagnostics
        );
        let state = applied.state.expect("an applied state");
        let read = self.rt.block_on(self.server.read_resource(
            type_name,
            raw(&state),
            &applied.private,
        ));
        assert!(
            errors(&read.diagnostics).is_empty(),
            "read: {:?}",
            read.diagnostics
        );
        let refreshed = read.state.expect("a refreshed state");
        assert_eq!(
            dec(&refreshed),
            dec(&state),
            "the read finds what was applied"
        );
        let proposed = enc(&proposed_new(&schema, &dec(&refreshed), config));
        let again = self.rt.block_on(self.server.plan_resource_change(
            type_name,
            raw(&refreshed),
            raw(&proposed),
            raw(&c),
            &read.private,
        ));
        assert!(
            errors(&again.diagnostics).is_empty(),
            "plan again: {:?}",
            again.diagnostics
        );
        assert!(
            again.requires_replace.is_empty(),
            "{:?}",
            again.requires_replace
        );
        assert_eq!(
            again.planned_state.as_deref().map(dec),
            Some(dec(&refreshed)),
            "planning the same configuration again changes nothing"
        );
        Ok(())
    }
}

proptest! {
    // Each case creates a flow in the emulator: a few cases cover every
    // combination of the three attributes of cams_flow.
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn empty_and_null_optional_strings_apply_then_plan_no_change(
        empty in prop::collection::vec(any::<bool>(), 8),
    ) {
        let harness = Harness::start();
        let types: Vec<(String, Schema)> = harness
            .server
            .resource_schemas()
            .map(|(n, s)| (n.clone(), s.clone()))
            .collect();
        for (type_name, schema) in types {
            let strings = optional_strings(&schema);
            // Nothing to try on a type without optional strings (e.g. the
            // template approval, whose only string is required).
            if strings.is_empty() {
                continue;
            }
            prop_assert!(strings.len() <= empty.len(), "more optional strings than generated choices");
            let mut set = required_arguments(&type_name);
            let mut emptied = Vec::new();
            for (name, empty) in strings.iter().zip(&empty) {
                if *empty {
                    set.push((name.as_str(), Value::from("")));
                    emptied.push(AttributePath::of(name.as_str()));
                }
            }
            let config = object(&schema, &set);
            if let Err(refused) = harness.round_trip(&type_name, &config) {
                // Refused: each error names an attribute set to "".
                for d in refused.iter().filter(|d| d.is_error()) {
                    prop_assert!(
                        d.attribute.as_ref().is_some_and(|p| emptied.contains(p)),
                        "{type_name}: {d:?} names none of {emptied:?}"
                    );
                }
            }
        }
    }
}
