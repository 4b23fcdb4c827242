//! `cams_chatapp_template` planning over the real plugin protocol (the
//! provider binary, its handshake and mTLS, protocol 6), before any call to
//! CAMS: Meta's rules at their attribute paths, changes in place while the
//! review allows them, replacements that need a new name, and the warning
//! on destroy. Values are built with the resource's own typed models.

mod common;

use cams_provider::plugin::model::Model;
use cams_provider::plugin::proto::tfplugin6 as pb;
use cams_provider::plugin::value::{decode_msgpack, encode_msgpack, Type, Value};
use cams_provider::plugin::Attr;
use cams_provider::provider::templates::model::{Body, ButtonModel, TemplateModel};
use cams_provider::provider::templates::template_schema;
use common::plugin_client::{connect, ClientIdentity, PluginProcess};

const TEMPLATE: &str = "cams_chatapp_template";

fn s(v: &str) -> Attr<String> {
    Attr::Known(v.to_owned())
}

/// The example, as configured (computed attributes null).
fn configured() -> TemplateModel {
    TemplateModel {
        name: s("signup_invite"),
        language: s("en_US"),
        category: s("MARKETING"),
        body: Attr::Known(Body {
            text: s("Hi {{1}}, sign up in two minutes."),
            examples: Attr::Known(vec![s("Alice")]),
        }),
        footer: s("Reply STOP to opt out"),
        button: Attr::Known(vec![ButtonModel {
            kind: s("QUICK_REPLY"),
            text: s("Later"),
            ..ButtonModel::default()
        }]),
        ..TemplateModel::default()
    }
}

/// `configured` as created, with Meta's review at `status`.
fn stored(config: &TemplateModel, status: &str) -> TemplateModel {
    TemplateModel {
        id: s("signup_invite:en_US"),
        template_code: s("T-1"),
        audit_status: s(status),
        quality_score: s("UNKNOWN"),
        ..config.clone()
    }
}

/// Terraform's proposed new state: the configuration, with the prior
/// state's computed values.
fn proposed(config: &TemplateModel, prior: &TemplateModel) -> TemplateModel {
    TemplateModel {
        id: prior.id.clone(),
        cust_space_id: prior.cust_space_id.clone(),
        template_code: prior.template_code.clone(),
        audit_status: prior.audit_status.clone(),
        reason: prior.reason.clone(),
        quality_score: prior.quality_score.clone(),
        ..config.clone()
    }
}

struct Client {
    c: pb::provider_client::ProviderClient<tonic::transport::Channel>,
    ty: Type,
    _plugin: PluginProcess,
}

/// What a plan answered: the planned state, the paths to replace, and
/// each diagnostic as `(severity, summary, path)`.
struct Planned {
    state: Option<TemplateModel>,
    replace: Vec<String>,
    diagnostics: Vec<(String, String, String)>,
}

fn path_text(p: &pb::AttributePath) -> String {
    p.steps
        .iter()
        .map(|s| match s.selector.as_ref().expect("selector") {
            pb::attribute_path::step::Selector::AttributeName(a) => format!(".{a}"),
            pb::attribute_path::step::Selector::ElementKeyString(k) => format!("[{k:?}]"),
            pb::attribute_path::step::Selector::ElementKeyInt(i) => format!("[{i}]"),
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_owned()
}

fn diagnostics(d: &[pb::Diagnostic]) -> Vec<(String, String, String)> {
    d.iter()
        .map(|d| {
            let severity = if d.severity == pb::diagnostic::Severity::Error as i32 {
                "error"
            } else {
                "warning"
            };
            let at = d.attribute.as_ref().map(path_text).unwrap_or_default();
            (severity.to_owned(), d.summary.clone(), at)
        })
        .collect()
}

impl Client {
    async fn start() -> Self {
        let identity = ClientIdentity::terraform_like();
        let plugin = PluginProcess::start("6", &identity, &[]);
        let channel = connect(&plugin.handshake, &identity)
            .await
            .expect("mTLS connect");
        let mut c = pb::provider_client::ProviderClient::new(channel);
        let schema = c
            .get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .expect("schema")
            .into_inner();
        assert!(schema.resource_schemas.contains_key(TEMPLATE));
        Self {
            c,
            ty: template_schema().implied_type(),
            _plugin: plugin,
        }
    }

    fn dv(&self, v: &Value) -> Option<pb::DynamicValue> {
        Some(pb::DynamicValue {
            msgpack: encode_msgpack(&self.ty, v).expect("encode"),
            json: Vec::new(),
        })
    }

    async fn validate(&mut self, config: &TemplateModel) -> Vec<(String, String, String)> {
        let r = self
            .c
            .validate_resource_config(pb::validate_resource_config::Request {
                type_name: TEMPLATE.into(),
                config: self.dv(&config.encode()),
                ..Default::default()
            })
            .await
            .expect("validate")
            .into_inner();
        diagnostics(&r.diagnostics)
    }

    async fn plan(
        &mut self,
        prior: Option<&TemplateModel>,
        config: Option<&TemplateModel>,
    ) -> Planned {
        let prior_value = prior.map_or(Value::Null, Model::encode);
        let proposed = match (config, prior) {
            (Some(c), Some(p)) => proposed(c, p).encode(),
            (Some(c), None) => c.encode(),
            (None, _) => Value::Null,
        };
        let r = self
            .c
            .plan_resource_change(pb::plan_resource_change::Request {
                type_name: TEMPLATE.into(),
                prior_state: self.dv(&prior_value),
                proposed_new_state: self.dv(&proposed),
                config: self.dv(&config.map_or(Value::Null, Model::encode)),
                ..Default::default()
            })
            .await
            .expect("plan")
            .into_inner();
        let state = r
            .planned_state
            .map(|d| decode_msgpack(&self.ty, &d.msgpack).expect("decodes"))
            .and_then(|v| TemplateModel::decode_optional(&v).expect("a template"));
        Planned {
            state,
            replace: r.requires_replace.iter().map(path_text).collect(),
            diagnostics: diagnostics(&r.diagnostics),
        }
    }
}

fn d(severity: &str, summary: &str, at: &str) -> (String, String, String) {
    (severity.to_owned(), summary.to_owned(), at.to_owned())
}

#[tokio::test]
async fn template_rules_are_checked_at_their_attribute_paths() {
    let mut c = Client::start().await;
    assert_eq!(c.validate(&configured()).await, vec![]);
    let mut bad = configured();
    bad.body = Attr::Known(Body {
        text: s("Hi {{2}}"),
        examples: Attr::Known(vec![s("Alice")]),
    });
    bad.footer = s(&"f".repeat(61));
    if let Attr::Known(buttons) = &mut bad.button {
        buttons.push(ButtonModel {
            kind: s("FLOW"),
            text: s("Sign up"),
            flow_id: Attr::Unknown,
            ..ButtonModel::default()
        });
    }
    assert_eq!(
        c.validate(&bad).await,
        vec![
            d("error", "Variables Out of Order", "body.text"),
            d("error", "Text Too Long", "footer"),
            d(
                "error",
                "Missing Button Argument",
                "button[1].navigate_screen"
            ),
        ]
    );
}

#[tokio::test]
async fn changes_go_in_place_only_while_the_review_allows_them() {
    let mut c = Client::start().await;
    let config = configured();
    let mut changed = config.clone();
    changed.footer = s("Reply STOP to stop");

    // Rejected: changed in place, and the id turns unknown so that an
    // approval of the template waits for the new review.
    let p = c.plan(Some(&stored(&config, "fail")), Some(&changed)).await;
    assert_eq!(p.diagnostics, vec![]);
    assert!(p.replace.is_empty(), "{:?}", p.replace);
    let planned = p.state.expect("a plan");
    assert_eq!(
        (planned.id, planned.audit_status),
        (Attr::Unknown, Attr::Unknown)
    );
    assert_eq!(planned.template_code, s("T-1"));

    // Approved or under review: refused, at the attribute that changed.
    for status in ["pass", "auditing"] {
        let p = c.plan(Some(&stored(&config, status)), Some(&changed)).await;
        assert_eq!(
            p.diagnostics,
            vec![d("error", "Template Cannot Be Changed In Place", "footer")],
            "{status}"
        );
    }

    // Nothing changed: the review status read by a refresh stays, no diff.
    let p = c.plan(Some(&stored(&config, "pass")), Some(&config)).await;
    assert_eq!(p.diagnostics, vec![]);
    assert_eq!(p.state.expect("a plan"), stored(&config, "pass"));
}

#[tokio::test]
async fn a_replacement_needs_a_new_name_and_says_the_old_one_stays_blocked() {
    let mut c = Client::start().await;
    let config = configured();
    let prior = stored(&config, "pass");

    let mut recategorised = config.clone();
    recategorised.category = s("UTILITY");
    let p = c.plan(Some(&prior), Some(&recategorised)).await;
    assert_eq!(
        p.diagnostics,
        vec![d(
            "error",
            "Template Cannot Be Replaced Under Its Own Name",
            "category"
        )]
    );

    let mut renamed = recategorised.clone();
    renamed.name = s("signup_invite_v2");
    let p = c.plan(Some(&prior), Some(&renamed)).await;
    assert_eq!(
        p.diagnostics,
        vec![d("warning", "Template Will Be Replaced", "name")]
    );
    let mut replace = p.replace.clone();
    replace.sort();
    assert_eq!(replace, ["category", "name"]);

    let p = c.plan(Some(&prior), None).await;
    assert_eq!(
        p.diagnostics,
        vec![d("warning", "Template Name Blocked After Deletion", "")]
    );
}
