//! The CAMS client against the emulator: the whole life of a message
//! template whose FLOW button opens a flow of the same space, with the
//! review decided through the emulator's admin call (or its automatic
//! verdict), modify allowed only after a rejection, the 30-day block of a
//! deleted name, paging, and the templates kept in the `--state` file.

mod common;

use std::collections::BTreeMap;

use cams_provider::alibaba::{
    AuditStatus, Button, CamsClient, CamsError, Component, NewFlow, NewTemplate, TemplateChanges,
    TemplateFilter, TemplateKey, TemplateRef,
};
use common::local_emulator::{LocalEmulator, DEMO_SECRET};
use serde_json::json;
use tokio_util::sync::CancellationToken;

const SPACE: &str = "cams-space-templates";
const FLOW_JSON: &str = r#"{"version":"7.0","screens":[{"id":"WELCOME","layout":{"type":"SingleColumnLayout","children":[]}},{"id":"DONE","terminal":true,"layout":{"type":"SingleColumnLayout","children":[{"type":"Footer","label":"Done","on-click-action":{"name":"complete","payload":{}}}]}}]}"#;

/// A draft flow of the space with [`FLOW_JSON`] (screens WELCOME, DONE).
async fn flow_with_screens(cams: &CamsClient) -> String {
    let cancel = CancellationToken::new();
    let categories = vec!["SIGN_UP".to_owned()];
    let id = cams
        .create_flow(
            &NewFlow {
                name: "signup",
                categories: &categories,
                cust_space_id: Some(SPACE),
                endpoint_uri: None,
            },
            &cancel,
        )
        .await
        .unwrap()
        .flow_id;
    cams.set_flow_json(&id, SPACE, FLOW_JSON.as_bytes(), &cancel)
        .await
        .unwrap();
    id
}

fn text(kind: &str, text: &str) -> Component {
    Component {
        kind: kind.into(),
        text: Some(text.into()),
        ..Component::default()
    }
}

/// Header, body with one variable, footer, and a FLOW button opening
/// `flow_id` on `screen`.
fn signup_components(body: &str, flow_id: &str, screen: &str) -> Vec<Component> {
    vec![
        Component {
            format: Some("TEXT".into()),
            ..text("HEADER", "Join us")
        },
        text("BODY", body),
        text("FOOTER", "Reply STOP to opt out"),
        Component {
            kind: "BUTTONS".into(),
            buttons: vec![Button {
                kind: "FLOW".into(),
                text: Some("Sign up".into()),
                flow_id: Some(flow_id.into()),
                flow_action: Some("NAVIGATE".into()),
                navigate_screen: Some(screen.into()),
                ..Button::default()
            }],
            ..Component::default()
        },
    ]
}

fn alice() -> BTreeMap<String, String> {
    BTreeMap::from([("{{1}}".to_owned(), "Alice".to_owned())])
}

fn new_template<'a>(
    name: &'a str,
    language: &'a str,
    components: &'a [Component],
    example: &'a BTreeMap<String, String>,
) -> NewTemplate<'a> {
    NewTemplate {
        name,
        language,
        category: "MARKETING",
        components,
        example,
        cust_space_id: Some(SPACE),
        message_send_ttl_seconds: None,
        category_change_paused: None,
    }
}

fn by_name<'a>(name: &'a str, language: &'a str) -> TemplateRef<'a> {
    TemplateRef {
        key: TemplateKey::Name(name),
        language,
        cust_space_id: Some(SPACE),
    }
}

fn decide(emu: &LocalEmulator, name: &str, body: serde_json::Value) -> serde_json::Value {
    let mut request = json!({"name": name, "language": "en_US", "cust_space_id": SPACE});
    request
        .as_object_mut()
        .unwrap()
        .extend(body.as_object().unwrap().clone());
    let (status, answer) = emu.review_template(&request);
    assert_eq!(status, 200, "{answer}");
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_with_a_flow_button_lives_its_whole_life_against_the_emulator() {
    let emu = LocalEmulator::start(&["--template-review", "manual"]);
    let cams = emu.client(DEMO_SECRET);
    let cancel = CancellationToken::new();
    let flow_id = flow_with_screens(&cams).await;
    let example = alice();

    let components = signup_components("Hi {{1}}, sign up in two minutes.", &flow_id, "WELCOME");
    let created = cams
        .create_template(
            &new_template("signup_invite", "en_US", &components, &example),
            &cancel,
        )
        .await
        .unwrap();
    assert_eq!(created.template_name.as_deref(), Some("signup_invite"));
    assert_eq!(created.template_code.len(), 32);

    let got = cams
        .get_template(&by_name("signup_invite", "en_US"), &cancel)
        .await
        .unwrap();
    assert_eq!(got.audit_status, Some(AuditStatus::Auditing));
    assert_eq!(
        got.template_code.as_deref(),
        Some(created.template_code.as_str())
    );
    assert_eq!(got.category.as_deref(), Some("MARKETING"));
    assert_eq!(got.components, components, "components read back as sent");
    assert_eq!(got.example, example);
    assert_eq!(got.quality_score.as_deref(), Some("UNKNOWN"));

    // Under review: no modify.
    let changed = signup_components("Hello {{1}}, join in two minutes.", &flow_id, "DONE");
    let changes = TemplateChanges {
        template: TemplateRef {
            key: TemplateKey::Code(&created.template_code),
            language: "en_US",
            cust_space_id: Some(SPACE),
        },
        components: &changed,
        example: &example,
        message_send_ttl_seconds: None,
        category_change_paused: None,
    };
    let err = cams.modify_template(&changes, &cancel).await.unwrap_err();
    assert_eq!(err.code(), Some("Template.ModifyNotAllowed"), "{err}");
    assert!(err.to_string().contains("auditing"), "{err}");

    // Meta rejects it; the reason reaches the client; now it can change.
    decide(
        &emu,
        "signup_invite",
        json!({"status": "fail", "reason": "INVALID_FORMAT"}),
    );
    let rejected = cams
        .get_template(&by_name("signup_invite", "en_US"), &cancel)
        .await
        .unwrap();
    assert_eq!(rejected.audit_status, Some(AuditStatus::Fail));
    assert_eq!(rejected.reason.as_deref(), Some("INVALID_FORMAT"));
    cams.modify_template(&changes, &cancel).await.unwrap();
    let resubmitted = cams
        .get_template(&by_name("signup_invite", "en_US"), &cancel)
        .await
        .unwrap();
    assert_eq!(resubmitted.audit_status, Some(AuditStatus::Auditing));
    assert_eq!(resubmitted.reason, None);
    assert_eq!(resubmitted.components, changed);

    // Approved, then its quality drifts: the client reads both; an
    // approved template is not modified.
    decide(&emu, "signup_invite", json!({"status": "pass"}));
    let approved = cams
        .get_template(&by_name("signup_invite", "en_US"), &cancel)
        .await
        .unwrap();
    assert_eq!(approved.audit_status, Some(AuditStatus::Pass));
    assert_eq!(approved.quality_score.as_deref(), Some("GREEN"));
    assert_eq!(approved.allow_send, Some(true));
    decide(
        &emu,
        "signup_invite",
        json!({"status": "pass", "quality_score": "YELLOW"}),
    );
    let drifted = cams
        .get_template(&by_name("signup_invite", "en_US"), &cancel)
        .await
        .unwrap();
    assert_eq!(drifted.quality_score.as_deref(), Some("YELLOW"));
    let err = cams.modify_template(&changes, &cancel).await.unwrap_err();
    assert!(err.to_string().contains("pass"), "{err}");

    // Name and language identify a template: the same name in French is
    // another one, the same name and language again is refused.
    let french = cams
        .create_template(
            &new_template("signup_invite", "fr", &components, &example),
            &cancel,
        )
        .await
        .unwrap();
    assert_ne!(french.template_code, created.template_code);
    let err = cams
        .create_template(
            &new_template("signup_invite", "en_US", &components, &example),
            &cancel,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("Template.Exist"), "{err}");
    let english_only = cams
        .list_templates(
            &TemplateFilter {
                cust_space_id: Some(SPACE),
                language: Some("en_US"),
                ..TemplateFilter::default()
            },
            &cancel,
        )
        .await
        .unwrap();
    assert_eq!(english_only.len(), 1);
    assert_eq!(english_only[0].audit_status, Some(AuditStatus::Pass));

    // Delete: gone, and the name is blocked (in every language).
    cams.delete_template(&by_name("signup_invite", "en_US"), &cancel)
        .await
        .unwrap();
    let err = cams
        .get_template(&by_name("signup_invite", "en_US"), &cancel)
        .await
        .unwrap_err();
    assert!(err.is_template_not_found(), "{err}");
    let err = cams
        .delete_template(&by_name("signup_invite", "en_US"), &cancel)
        .await
        .unwrap_err();
    assert!(err.is_template_not_found(), "{err}");
    let err = cams
        .create_template(
            &new_template("signup_invite", "en_US", &components, &example),
            &cancel,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("Template.NameBlocked"), "{err}");
    assert!(err.to_string().contains("30 days"), "{err}");
    cams.get_template(&by_name("signup_invite", "fr"), &cancel)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_button_must_open_a_live_flow_of_the_space_on_one_of_its_screens() {
    let emu = LocalEmulator::start(&["--template-review", "manual"]);
    let cams = emu.client(DEMO_SECRET);
    let cancel = CancellationToken::new();
    let flow_id = flow_with_screens(&cams).await;
    let example = alice();
    let create = |components: Vec<Component>| {
        let cams = cams.clone();
        let example = example.clone();
        async move {
            cams.create_template(
                &new_template("flow_check", "en_US", &components, &example),
                &CancellationToken::new(),
            )
            .await
        }
    };

    let err = create(signup_components("Hi {{1}}", &flow_id, "NOPE"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameter"));
    let text = err.to_string();
    assert!(
        text.contains("Components/3/Buttons/0/NavigateScreen") && text.contains("WELCOME, DONE"),
        "{text}"
    );
    let err = create(signup_components("Hi {{1}}", "1111222233334444", "WELCOME"))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("no flow 1111222233334444 in this space"),
        "{err}"
    );
    let err = create(signup_components("Hi {{1}} and {{2}}", &flow_id, "WELCOME"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("{{2}} has no sample"), "{err}");

    // A flow of another space does not count.
    let other_space = cams
        .create_flow(
            &NewFlow {
                name: "elsewhere",
                categories: &["OTHER".to_owned()],
                cust_space_id: Some("another-space"),
                endpoint_uri: None,
            },
            &cancel,
        )
        .await
        .unwrap()
        .flow_id;
    let err = create(signup_components("Hi {{1}}", &other_space, "WELCOME"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("in this space"), "{err}");

    // A deprecated flow cannot be attached.
    cams.publish_flow(&flow_id, Some(SPACE), &cancel)
        .await
        .unwrap();
    create(signup_components("Hi {{1}}", &flow_id, "WELCOME"))
        .await
        .unwrap();
    cams.deprecate_flow(&flow_id, Some(SPACE), &cancel)
        .await
        .unwrap();
    let err = cams
        .create_template(
            &new_template(
                "flow_check_2",
                "en_US",
                &signup_components("Hi {{1}}", &flow_id, "WELCOME"),
                &example,
            ),
            &cancel,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("DEPRECATED"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviews_end_on_their_own_after_the_configured_delay() {
    for (review, status, reason) in [
        ("pass:0", AuditStatus::Pass, None),
        (
            "fail:0:TAG_CONTENT_MISMATCH",
            AuditStatus::Fail,
            Some("TAG_CONTENT_MISMATCH"),
        ),
    ] {
        let emu = LocalEmulator::start(&["--template-review", review]);
        let cams = emu.client(DEMO_SECRET);
        let cancel = CancellationToken::new();
        let body = [text("BODY", "Your order shipped.")];
        cams.create_template(
            &NewTemplate {
                category: "UTILITY",
                ..new_template("shipped", "en_US", &body, &BTreeMap::new())
            },
            &cancel,
        )
        .await
        .unwrap();
        let got = cams
            .get_template(&by_name("shipped", "en_US"), &cancel)
            .await
            .unwrap();
        assert_eq!(got.audit_status, Some(status), "{review}");
        assert_eq!(got.reason.as_deref(), reason, "{review}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_template_is_listed_across_pages() {
    let emu = LocalEmulator::start(&["--qps", "0"]);
    let cams = emu.client(DEMO_SECRET);
    let cancel = CancellationToken::new();
    let body = [text("BODY", "Your order shipped.")];
    for i in 0..45 {
        let name = format!("shipped_{i:02}");
        cams.create_template(
            &NewTemplate {
                category: "UTILITY",
                ..new_template(&name, "en_US", &body, &BTreeMap::new())
            },
            &cancel,
        )
        .await
        .unwrap();
    }
    let all = cams
        .list_templates(
            &TemplateFilter {
                cust_space_id: Some(SPACE),
                name: Some("shipped_"),
                ..TemplateFilter::default()
            },
            &cancel,
        )
        .await
        .unwrap();
    let names: Vec<&str> = all.iter().map(|t| t.template_name.as_str()).collect();
    let expected: Vec<String> = (0..45).map(|i| format!("shipped_{i:02}")).collect();
    assert_eq!(names, expected);
    let other_space = cams
        .list_templates(&TemplateFilter::default(), &cancel)
        .await
        .unwrap();
    assert!(other_space.is_empty(), "templates are kept per space");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_and_blocked_names_survive_a_restart_with_state() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let state_arg = state.display().to_string();
    let args = ["--state", state_arg.as_str(), "--template-review", "manual"];
    let cancel = CancellationToken::new();
    let body = [text("BODY", "Your order shipped.")];
    {
        let emu = LocalEmulator::start(&args);
        let cams = emu.client(DEMO_SECRET);
        for name in ["kept", "deleted"] {
            cams.create_template(
                &NewTemplate {
                    category: "UTILITY",
                    ..new_template(name, "en_US", &body, &BTreeMap::new())
                },
                &cancel,
            )
            .await
            .unwrap();
        }
        decide(&emu, "kept", json!({"status": "pass"}));
        cams.delete_template(&by_name("deleted", "en_US"), &cancel)
            .await
            .unwrap();
    }
    let emu = LocalEmulator::start(&args);
    let cams = emu.client(DEMO_SECRET);
    let kept = cams
        .get_template(&by_name("kept", "en_US"), &cancel)
        .await
        .unwrap();
    assert_eq!(kept.audit_status, Some(AuditStatus::Pass));
    let err = cams
        .create_template(
            &NewTemplate {
                category: "UTILITY",
                ..new_template("deleted", "en_US", &body, &BTreeMap::new())
            },
            &cancel,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, CamsError::Api { .. }));
    assert_eq!(err.code(), Some("Template.NameBlocked"));
}
