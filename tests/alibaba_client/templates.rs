//! The message template operations on the wire: the client's requests
//! against the official SDK's (tests/vectors/rpc/*_chatapp_template*.json,
//! written by scripts/rpc_vectors.py), ListChatappTemplate's paging over
//! short, empty and repeated pages, and the typed errors (code, message,
//! RequestId; not-found; CreateChatappTemplate's retry rule).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::*;
use cams_provider::alibaba::template_api::{TEMPLATE_MAX_PAGES, TEMPLATE_PAGE_SIZE};
use cams_provider::alibaba::{
    AuditStatus, Button, Component, NewTemplate, TemplateChanges, TemplateFilter, TemplateKey,
    TemplateRef,
};
use serde_json::{json, Value};

/// A successful answer: `Data`, plus any other top-level members.
fn cams_answer(data: Value, top_level: Value) -> Reply {
    let mut body = json!({"RequestId": "REQ-OK", "Code": "OK", "Message": "OK", "Data": data});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), top_level.as_object()) {
        body.extend(extra.clone());
    }
    reply(200, body.to_string())
}

/// Parameters this client adds itself.
const COMMON: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "Timestamp",
    "SignatureNonce",
    "SignatureMethod",
    "SignatureVersion",
    "AccessKeyId",
    "SecurityToken",
    "Signature",
];

fn business(params: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut business: Vec<(String, String)> = params
        .into_iter()
        .filter(|(k, _)| !COMMON.contains(&k.as_str()))
        .collect();
    business.sort();
    business
}

/// The business parameters and the action of one SDK vector.
fn sdk_request(name: &str) -> (String, Vec<(String, String)>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/rpc")
        .join(format!("{name}.json"));
    let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let params: Vec<(String, String)> = case["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
        .collect();
    let action = params
        .iter()
        .find(|(k, _)| k == "Action")
        .unwrap()
        .1
        .clone();
    (action, business(params))
}

fn text(kind: &str, format: Option<&str>, text: &str) -> Component {
    Component {
        kind: kind.into(),
        format: format.map(Into::into),
        text: Some(text.into()),
        ..Component::default()
    }
}

fn buttons(buttons: Vec<Button>) -> Component {
    Component {
        kind: "BUTTONS".into(),
        buttons,
        ..Component::default()
    }
}

fn button(kind: &str, text: &str) -> Button {
    Button {
        kind: kind.into(),
        text: Some(text.into()),
        ..Button::default()
    }
}

fn example(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

const CODE: &str = "744c4b5c79c9432497a075bdfca3xxxx";

fn by_code(language: &str) -> TemplateRef<'_> {
    TemplateRef {
        key: TemplateKey::Code(CODE),
        language,
        cust_space_id: Some("cams-abc123"),
    }
}

/// Answers each template action the way the SDK models document it.
fn answer_templates(request: &Received, _: usize) -> Reply {
    match request.param("Action").unwrap_or_default().as_str() {
        "CreateChatappTemplate" | "ModifyChatappTemplate" => cams_answer(
            json!({"TemplateCode": CODE, "TemplateName": request.param("Name")}),
            Value::Null,
        ),
        "GetChatappTemplateDetail" => cams_answer(
            json!({"Name": request.param("TemplateName"), "Language": "en_US", "Category": "MARKETING",
                "TemplateCode": CODE, "TemplateType": "WHATSAPP", "AuditStatus": "pass", "QualityScore": "GREEN",
                "Components": [{"Type": "BODY", "Text": "Hi {{1}}"}], "Example": {"{{1}}": "Alice"}}),
            Value::Null,
        ),
        "ListChatappTemplate" => cams_answer(Value::Null, json!({"Total": 0, "ListTemplate": []})),
        "DeleteChatappTemplate" => cams_answer(Value::Null, Value::Null),
        other => cams_error(404, "InvalidAction.NotFound", other),
    }
}

#[tokio::test]
async fn template_requests_carry_what_the_official_sdk_sends() {
    let server = cams_server(answer_templates).await;
    let client = client(config(&server.url()), "ak-template-vectors");
    let cancel = CancellationToken::new();

    // The same templates scripts/rpc_vectors.py has the SDK send.
    let create_components = vec![
        text("HEADER", Some("TEXT"), "Join us 注册"),
        text("BODY", None, "Hi {{1}}, sign up in two minutes *~ & more."),
        text("FOOTER", None, "Reply STOP to opt out"),
        buttons(vec![
            Button {
                is_opt_out: Some(true),
                ..button("QUICK_REPLY", "Stop")
            },
            Button {
                flow_id: Some("1234567890123456".into()),
                flow_action: Some("NAVIGATE".into()),
                navigate_screen: Some("WELCOME".into()),
                ..button("FLOW", "Sign up")
            },
        ]),
    ];
    let created = client
        .create_template(
            &NewTemplate {
                name: "signup_invite",
                language: "en_US",
                category: "MARKETING",
                components: &create_components,
                example: &example(&[("{{1}}", "Alice")]),
                cust_space_id: Some("cams-abc123"),
                message_send_ttl_seconds: Some(600),
                category_change_paused: Some(false),
            },
            &cancel,
        )
        .await
        .unwrap();
    assert_eq!(created.template_code, CODE);

    let modify_components = vec![
        Component {
            kind: "HEADER".into(),
            format: Some("IMAGE".into()),
            url: Some("https://cdn.example.com/a.png?x=1&y=2".into()),
            ..Component::default()
        },
        text("BODY", None, "Hello {{1}}, your code is {{2}}."),
        buttons(vec![
            Button {
                url: Some("https://example.com/p/{{1}}".into()),
                url_type: Some("dynamic".into()),
                ..button("URL", "Open")
            },
            Button {
                phone_number: Some("+8613800000000".into()),
                ..button("PHONE_NUMBER", "Call")
            },
        ]),
    ];
    client
        .modify_template(
            &TemplateChanges {
                template: by_code("en_US"),
                components: &modify_components,
                example: &example(&[("{{1}}", "Bob"), ("{{2}}", "12 34")]),
                message_send_ttl_seconds: None,
                category_change_paused: None,
            },
            &cancel,
        )
        .await
        .unwrap();

    let detail = client
        .get_template(
            &TemplateRef {
                key: TemplateKey::Name("signup_invite"),
                language: "en_US",
                cust_space_id: Some("cams-abc123"),
            },
            &cancel,
        )
        .await
        .unwrap();
    assert_eq!(detail.name, "signup_invite");
    assert_eq!(detail.audit_status, Some(AuditStatus::Pass));
    assert_eq!(detail.example, example(&[("{{1}}", "Alice")]));

    let listed = client
        .list_templates(
            &TemplateFilter {
                cust_space_id: Some("cams-abc123"),
                name: Some("signup"),
                code: None,
                language: Some("en_US"),
                audit_status: Some("pass"),
                category: Some("MARKETING"),
            },
            &cancel,
        )
        .await
        .unwrap();
    assert!(listed.is_empty());

    client
        .delete_template(&by_code("en_US"), &cancel)
        .await
        .unwrap();

    let sent: Vec<(String, Vec<(String, String)>)> = server
        .requests()
        .iter()
        .map(|r| (r.param("Action").unwrap(), business(r.params())))
        .collect();
    let mut expected: Vec<(String, Vec<(String, String)>)> = [
        "create_chatapp_template",
        "modify_chatapp_template",
        "get_chatapp_template_detail",
        "list_chatapp_template",
        "delete_chatapp_template",
    ]
    .into_iter()
    .map(sdk_request)
    .collect();
    // The vector's list asks for page 2; this client starts at page 1.
    for (k, v) in &mut expected[3].1 {
        if k == "Page" {
            *v = v.replace("\"Index\":2", "\"Index\":1");
        }
    }
    // The Python SDK writes a boolean as Python spells it ("False"); the
    // Go and Java SDKs, and this client, write JSON's "false".
    for (k, v) in &mut expected[0].1 {
        if k == "CategoryChangePaused" {
            assert_eq!(v, "False");
            *v = "false".into();
        }
    }
    assert_eq!(sent.len(), expected.len());
    for ((action, business), (want_action, want)) in sent.into_iter().zip(expected) {
        assert_eq!(action, want_action);
        assert_eq!(business, want, "{action}");
    }
}

// ---------------------------------------------------------------------------
// ListChatappTemplate paging
// ---------------------------------------------------------------------------

fn listed(i: usize) -> Value {
    json!({"TemplateName": format!("t_{i:03}"), "Language": "en_US", "TemplateCode": format!("C{i}"),
        "Category": "UTILITY", "AuditStatus": "auditing", "TemplateType": "WHATSAPP"})
}

/// A ListChatappTemplate server holding `total` templates that answers at
/// most `cap` per page, whatever Size was asked.
fn capped_list_server(
    total: usize,
    cap: usize,
) -> impl Fn(&Received, usize) -> Reply + Send + Sync + 'static {
    move |request, _| {
        let page: Value = serde_json::from_str(&request.param("Page").unwrap_or_default()).unwrap();
        let index = page["Index"].as_u64().unwrap() as usize;
        let size = (page["Size"].as_u64().unwrap() as usize).min(cap);
        let items: Vec<Value> = ((index - 1) * size..(index * size).min(total))
            .map(listed)
            .collect();
        cams_answer(Value::Null, json!({"Total": total, "ListTemplate": items}))
    }
}

fn fast_config(url: &str) -> ClientConfig {
    ClientConfig {
        rate_limit_per_second: NonZeroU32::new(1000),
        ..config(url)
    }
}

#[tokio::test]
async fn list_templates_reads_every_page_until_an_empty_one_even_after_short_pages() {
    // (templates, the server's page cap, calls: every page with items, then the empty one)
    for (total, cap, calls) in [(0, 20, 1), (5, 20, 2), (20, 20, 2), (45, 20, 4), (45, 7, 8)] {
        let server = cams_server(capped_list_server(total, cap)).await;
        let client = client(fast_config(&server.url()), "ak-template-list");
        let templates = client
            .list_templates(
                &TemplateFilter {
                    cust_space_id: Some("space-1"),
                    category: Some("UTILITY"),
                    ..TemplateFilter::default()
                },
                &CancellationToken::new(),
            )
            .await
            .unwrap();
        assert_eq!(templates.len(), total, "{total} templates, cap {cap}");
        let names: HashSet<&str> = templates.iter().map(|t| t.template_name.as_str()).collect();
        assert_eq!(names.len(), total, "each template once");
        assert_eq!(
            templates.first().map(|t| t.audit_status.clone()),
            (total > 0).then_some(Some(AuditStatus::Auditing))
        );
        let requests = server.requests();
        assert_eq!(requests.len(), calls, "{total} templates, cap {cap}");
        for (i, r) in requests.iter().enumerate() {
            assert_eq!(
                r.param("Page"),
                Some(format!(
                    r#"{{"Index":{},"Size":{TEMPLATE_PAGE_SIZE}}}"#,
                    i + 1
                ))
            );
            assert_eq!(r.param("CustSpaceId").as_deref(), Some("space-1"));
            assert_eq!(r.param("Category").as_deref(), Some("UTILITY"));
            assert_eq!(r.param("TemplateType").as_deref(), Some("WHATSAPP"));
            assert_eq!(r.param("Name"), None, "filters not given are not sent");
        }
    }
}

#[tokio::test]
async fn list_templates_stops_at_a_page_of_templates_already_seen() {
    // Ignores Page: the same 20 templates every time.
    let server = cams_server(|_, _| {
        cams_answer(
            Value::Null,
            json!({"ListTemplate": (0..20).map(listed).collect::<Vec<_>>()}),
        )
    })
    .await;
    let stuck = client(fast_config(&server.url()), "ak-template-list-stuck");
    let templates = stuck
        .list_templates(&TemplateFilter::default(), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(templates.len(), 20);
    assert_eq!(server.count(), 2);

    // The list shifted by one between two pages: one template seen twice,
    // listed once; the page after the last holds only the last one again.
    let server = cams_server(|request, _| {
        let page: Value = serde_json::from_str(&request.param("Page").unwrap()).unwrap();
        let items: Vec<Value> = match page["Index"].as_u64().unwrap() {
            1 => (0..20).map(listed).collect(),
            2 => (19..30).map(listed).collect(),
            _ => vec![listed(29)],
        };
        cams_answer(Value::Null, json!({"ListTemplate": items}))
    })
    .await;
    let shifted = client(fast_config(&server.url()), "ak-template-list-shift");
    let templates = shifted
        .list_templates(&TemplateFilter::default(), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(templates.len(), 30);
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn list_templates_is_bounded_when_every_page_brings_new_templates() {
    let server = cams_server(|request, _| {
        let page: Value = serde_json::from_str(&request.param("Page").unwrap()).unwrap();
        let index = page["Index"].as_u64().unwrap() as usize;
        cams_answer(Value::Null, json!({"ListTemplate": [listed(index)]}))
    })
    .await;
    let client = client(fast_config(&server.url()), "ak-template-list-endless");
    let err = client
        .list_templates(&TemplateFilter::default(), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(err, CamsError::TemplatePaging { .. }), "{err}");
    assert!(
        err.to_string().starts_with("ListChatappTemplate stopped"),
        "{err}"
    );
    assert_eq!(server.count(), TEMPLATE_MAX_PAGES);
}

#[tokio::test]
async fn a_listed_template_without_name_or_language_is_an_error() {
    let server = cams_server(|_, _| {
        cams_answer(
            Value::Null,
            json!({"ListTemplate": [listed(0), {"TemplateCode": "C"}]}),
        )
    })
    .await;
    let client = client(config(&server.url()), "ak-template-list-bad");
    let err = client
        .list_templates(&TemplateFilter::default(), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("item 1 of ListTemplate"), "{err}");
    assert!(err.to_string().contains("REQ-OK"), "{err}");
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

#[tokio::test]
async fn every_template_error_is_typed_with_code_message_and_request_id() {
    let server = cams_server(|_, _| {
        cams_error(
            400,
            "Template.NameBlocked",
            "the name was deleted less than 30 days ago",
        )
    })
    .await;
    let client = client(config(&server.url()), "ak-template-errors");
    let cancel = CancellationToken::new();
    let components = vec![text("BODY", None, "Hi")];
    let empty = BTreeMap::new();
    let errors = vec![
        client
            .create_template(
                &NewTemplate {
                    name: "n",
                    language: "en_US",
                    category: "UTILITY",
                    components: &components,
                    example: &empty,
                    cust_space_id: None,
                    message_send_ttl_seconds: None,
                    category_change_paused: None,
                },
                &cancel,
            )
            .await
            .unwrap_err(),
        client
            .modify_template(
                &TemplateChanges {
                    template: by_code("en_US"),
                    components: &components,
                    example: &empty,
                    message_send_ttl_seconds: None,
                    category_change_paused: None,
                },
                &cancel,
            )
            .await
            .unwrap_err(),
        client
            .get_template(&by_code("en_US"), &cancel)
            .await
            .unwrap_err(),
        client
            .list_templates(&TemplateFilter::default(), &cancel)
            .await
            .unwrap_err(),
        client
            .delete_template(&by_code("en_US"), &cancel)
            .await
            .unwrap_err(),
    ];
    for err in &errors {
        assert!(matches!(err, CamsError::Api { .. }), "{err}");
        assert_eq!(err.code(), Some("Template.NameBlocked"));
        let service = err.api_error().and_then(ApiError::service).unwrap();
        assert_eq!(
            service.request_id.as_deref(),
            Some("REQ-Template.NameBlocked")
        );
        assert_eq!(
            service.message.as_deref(),
            Some("the name was deleted less than 30 days ago")
        );
        assert!(
            err.to_string()
                .contains("RequestId REQ-Template.NameBlocked"),
            "{err}"
        );
    }
    assert_eq!(server.count(), 5, "none of them is retried");
}

#[tokio::test]
async fn the_not_found_family_is_a_typed_template_not_found() {
    for (status, code) in [
        (400, "Template.NotExist"),
        (404, "EntityNotExist.Template"),
        (400, "TemplateNotFound"),
    ] {
        let server = cams_server(move |_, _| cams_error(status, code, "no such template")).await;
        let client = client(config(&server.url()), "ak-template-not-found");
        let cancel = CancellationToken::new();
        let components = vec![text("BODY", None, "Hi")];
        let empty = BTreeMap::new();
        let errors = vec![
            client
                .get_template(&by_code("fr"), &cancel)
                .await
                .unwrap_err(),
            client
                .delete_template(&by_code("fr"), &cancel)
                .await
                .unwrap_err(),
            client
                .modify_template(
                    &TemplateChanges {
                        template: by_code("fr"),
                        components: &components,
                        example: &empty,
                        message_send_ttl_seconds: None,
                        category_change_paused: None,
                    },
                    &cancel,
                )
                .await
                .unwrap_err(),
        ];
        for err in errors {
            assert!(err.is_template_not_found(), "{code}: {err}");
            assert!(!err.is_not_found(), "not a flow");
            assert_eq!(err.code(), Some(code));
            let text = err.to_string();
            assert!(
                text.contains(&format!("code \"{CODE}\" in language \"fr\""))
                    && text.contains("no such template")
                    && text.contains(&format!("REQ-{code}")),
                "{text}"
            );
        }
    }
    // Another account's template, or another entity: an error, not "gone".
    for code in [
        "Unknown.ResourceOwnerId",
        "CustSpace.NotExist",
        "Flow.NotExists",
    ] {
        let server = cams_server(move |_, _| cams_error(400, code, "m")).await;
        let client = client(config(&server.url()), "ak-template-not-gone");
        let err = client
            .get_template(&by_code("fr"), &CancellationToken::new())
            .await
            .unwrap_err();
        assert!(!err.is_template_not_found(), "{code}");
        assert_eq!(err.code(), Some(code));
    }
}

#[tokio::test]
async fn create_template_is_not_retried_once_it_may_have_reached_cams() {
    let server = first_answer_then_ok(|| cams_error(503, "ServiceUnavailable", "busy")).await;
    let creator = client(config(&server.url()), "ak-template-create-503");
    let components = vec![text("BODY", None, "Hi")];
    let err = creator
        .create_template(
            &NewTemplate {
                name: "n",
                language: "en_US",
                category: "UTILITY",
                components: &components,
                example: &BTreeMap::new(),
                cust_space_id: None,
                message_send_ttl_seconds: None,
                category_change_paused: None,
            },
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ServiceUnavailable"));
    assert_eq!(server.count(), 1);

    // A read is retried after the same answer.
    let server = first_answer_then_ok(|| cams_error(503, "ServiceUnavailable", "busy")).await;
    let reader = client(config(&server.url()), "ak-template-get-503");
    let _ = reader
        .get_template(&by_code("en_US"), &CancellationToken::new())
        .await;
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn invalid_template_requests_are_refused_without_a_request() {
    let server = cams_server(answer_templates).await;
    let client = client(config(&server.url()), "ak-template-invalid");
    let cancel = CancellationToken::new();
    let empty = BTreeMap::new();
    let new = |name, components| NewTemplate {
        name,
        language: "en_US",
        category: "UTILITY",
        components,
        example: &empty,
        cust_space_id: None,
        message_send_ttl_seconds: None,
        category_change_paused: None,
    };
    let body = [text("BODY", None, "Hi")];
    for template in [new(" ", &body[..]), new("n", &[])] {
        let err = client
            .create_template(&template, &cancel)
            .await
            .unwrap_err();
        assert!(matches!(err, CamsError::InvalidArgument { .. }), "{err}");
    }
    let err = client
        .get_template(
            &TemplateRef {
                key: TemplateKey::Name("n"),
                language: "",
                cust_space_id: None,
            },
            &cancel,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("language is empty"), "{err}");
    assert_eq!(server.count(), 0);
}
