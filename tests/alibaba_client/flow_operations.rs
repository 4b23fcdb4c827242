//! Every Flow operation on the wire (action, parameters, typed result), the
//! not-found mapping, ListFlow's paging, CreateFlow's retry rule and the
//! pacing per operation.

use super::*;
use cams_provider::alibaba::{FlowChanges, FlowStatus, NewFlow, Operation};
use serde_json::{json, Value};

/// A successful answer with this `Data`.
fn cams_data(data: Value) -> Reply {
    let body = json!({"RequestId": "REQ-OK", "Code": "OK", "Message": "None", "Data": data});
    reply(200, body.to_string())
}

fn action(request: &Received) -> String {
    request.param("Action").unwrap_or_default()
}

fn categories(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| (*c).to_owned()).collect()
}

/// Answers each action the way CAMS documents it.
fn answer_by_action(request: &Received, _: usize) -> Reply {
    match action(request).as_str() {
        "CreateFlow" => cams_data(
            json!({"FlowId": "flow_new", "FlowName": request.param("FlowName"),
            "Categories": serde_json::from_str::<Value>(&request.param("Categories").unwrap()).unwrap()}),
        ),
        "GetFlow" => cams_data(
            json!({"FlowId": request.param("FlowId"), "FlowName": "Sign up",
            "Categories": ["SIGN_UP"], "Status": "DRAFT", "JSONVersion": "7.0", "DataApiVersion": "3.0",
            "EndpointUri": "https://e.example.com", "PreviewUrl": "https://preview.example.com/x?token=PREVIEWTOKEN",
            "PreviewUrlExpires": 1714550400000i64}),
        ),
        "ModifyFlow" => cams_data(
            json!({"FlowId": request.param("FlowId"), "FlowName": request.param("FlowName"),
            "Categories": ["OTHER"], "EndpointUri": request.param("EndpointUri")}),
        ),
        "GetFlowPreviewUrl" => cams_data(json!({"FlowId": request.param("FlowId"),
            "PreviewUrl": "https://preview.example.com/y", "PreviewUrlExpires": 99})),
        "UpdateFlowJSONAsset" => cams_data(json!({"FlowId": request.param("FlowId")})),
        "PublishFlow" | "DeprecateFlow" | "DeleteFlow" => cams_data(Value::Null),
        other => cams_error(
            400,
            "InvalidAction.NotFound",
            &format!("test server: {other}"),
        ),
    }
}

#[tokio::test]
async fn every_operation_sends_its_action_and_parameters_and_reads_its_result() {
    let server = cams_server(answer_by_action).await;
    let client = client(config(&server.url()), "ak-every-op");
    let cancel = CancellationToken::new();
    let cats = categories(&["SIGN_UP", "OTHER"]);

    let created = client
        .create_flow(
            &NewFlow {
                name: "Sign up",
                categories: &cats,
                cust_space_id: Some("space-1"),
                endpoint_uri: Some("https://e.example.com/x?a=b"),
            },
            &cancel,
        )
        .await
        .unwrap();
    assert_eq!(created.flow_id, "flow_new");
    assert_eq!(created.categories, Some(cats.clone()));

    let flow = client
        .get_flow("flow_new", Some("space-1"), &cancel)
        .await
        .unwrap();
    assert_eq!(flow.status, Some(FlowStatus::Draft));
    assert_eq!(flow.json_version.as_deref(), Some("7.0"));
    assert_eq!(flow.data_api_version.as_deref(), Some("3.0"));
    assert_eq!(flow.preview_url_expires, Some(1_714_550_400_000));
    assert!(!format!("{flow:?}").contains("PREVIEWTOKEN"));

    let modified = client
        .modify_flow(
            &FlowChanges {
                flow_id: "flow_new",
                name: "Renamed",
                categories: &categories(&["OTHER"]),
                cust_space_id: None,
                endpoint_uri: Some(""),
            },
            &cancel,
        )
        .await
        .unwrap();
    assert_eq!(modified.flow_name.as_deref(), Some("Renamed"));

    let preview = client
        .get_flow_preview_url("flow_new", None, &cancel)
        .await
        .unwrap();
    assert_eq!(preview.preview_url, "https://preview.example.com/y");
    client
        .update_flow_json_asset(
            "flow_new",
            Some("space-1"),
            "https://b.example.com/f.json",
            &cancel,
        )
        .await
        .unwrap();
    let published = client
        .publish_flow("flow_new", None, &cancel)
        .await
        .unwrap();
    assert_eq!(published.request_id.as_deref(), Some("REQ-OK"));
    client
        .deprecate_flow("flow_new", None, &cancel)
        .await
        .unwrap();
    client
        .delete_flow("flow_new", Some(""), &cancel)
        .await
        .unwrap();

    let requests = server.requests();
    let sent: Vec<(String, Vec<(String, String)>)> = requests
        .iter()
        .map(|r| {
            let business = r
                .params()
                .into_iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "Action"
                            | "Version"
                            | "Format"
                            | "Timestamp"
                            | "SignatureNonce"
                            | "SignatureMethod"
                            | "SignatureVersion"
                            | "AccessKeyId"
                            | "Signature"
                    )
                })
                .collect();
            (action(r), business)
        })
        .collect();
    let p = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        v.sort();
        v
    };
    let expected = vec![
        (
            "CreateFlow",
            p(&[
                ("Categories", r#"["SIGN_UP","OTHER"]"#),
                ("CustSpaceId", "space-1"),
                ("EndpointUri", "https://e.example.com/x?a=b"),
                ("FlowName", "Sign up"),
            ]),
        ),
        (
            "GetFlow",
            p(&[("CustSpaceId", "space-1"), ("FlowId", "flow_new")]),
        ),
        (
            "ModifyFlow",
            p(&[
                ("Categories", r#"["OTHER"]"#),
                ("EndpointUri", ""),
                ("FlowId", "flow_new"),
                ("FlowName", "Renamed"),
            ]),
        ),
        ("GetFlowPreviewUrl", p(&[("FlowId", "flow_new")])),
        (
            "UpdateFlowJSONAsset",
            p(&[
                ("CustSpaceId", "space-1"),
                ("FilePath", "https://b.example.com/f.json"),
                ("FlowId", "flow_new"),
            ]),
        ),
        ("PublishFlow", p(&[("FlowId", "flow_new")])),
        ("DeprecateFlow", p(&[("FlowId", "flow_new")])),
        ("DeleteFlow", p(&[("FlowId", "flow_new")])),
    ];
    assert_eq!(sent.len(), expected.len());
    for ((action, mut business), (want_action, want)) in sent.into_iter().zip(expected) {
        business.sort();
        assert_eq!(action, want_action);
        assert_eq!(business, want, "{action}");
    }
    // The JSON list is strictly percent-encoded on the wire.
    assert!(requests[0]
        .raw_query()
        .contains("Categories=%5B%22SIGN_UP%22%2C%22OTHER%22%5D"));
}

#[tokio::test]
async fn answers_lacking_what_the_operation_returns_are_errors() {
    let server = cams_server(|request, _| match action(request).as_str() {
        "CreateFlow" => cams_data(json!({"FlowName": "no id"})),
        "GetFlowPreviewUrl" => cams_data(json!({"FlowId": "f"})),
        _ => cams_data(Value::Null),
    })
    .await;
    let client = client(config(&server.url()), "ak-lacking");
    let cancel = CancellationToken::new();
    let cats = categories(&["OTHER"]);
    let new = NewFlow {
        name: "n",
        categories: &cats,
        cust_space_id: None,
        endpoint_uri: None,
    };
    let err = client.create_flow(&new, &cancel).await.unwrap_err();
    assert!(err.to_string().contains("no Data.FlowId"), "{err}");
    assert!(matches!(
        err.api_error(),
        Some(ApiError::InvalidData { .. })
    ));
    let err = client
        .get_flow_preview_url("f", None, &cancel)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no Data.PreviewUrl"), "{err}");
    let err = client.get_flow("f", None, &cancel).await.unwrap_err();
    assert!(err.to_string().contains("GetFlow"), "{err}");
    assert_eq!(server.count(), 3, "none of these is retried");
}

#[tokio::test]
async fn invalid_arguments_are_refused_without_a_request() {
    let server = cams_server(answer_by_action).await;
    let client = client(config(&server.url()), "ak-invalid-args");
    let cancel = CancellationToken::new();
    let cats = categories(&["OTHER"]);
    for flow_id in ["", "  "] {
        assert!(matches!(
            client.get_flow(flow_id, None, &cancel).await,
            Err(CamsError::EmptyFlowId)
        ));
        assert!(matches!(
            client.publish_flow(flow_id, None, &cancel).await,
            Err(CamsError::EmptyFlowId)
        ));
        assert!(matches!(
            client.deprecate_flow(flow_id, None, &cancel).await,
            Err(CamsError::EmptyFlowId)
        ));
        assert!(matches!(
            client.delete_flow(flow_id, None, &cancel).await,
            Err(CamsError::EmptyFlowId)
        ));
        assert!(matches!(
            client.get_flow_preview_url(flow_id, None, &cancel).await,
            Err(CamsError::EmptyFlowId)
        ));
        assert!(matches!(
            client
                .update_flow_json_asset(flow_id, None, "https://x/y", &cancel)
                .await,
            Err(CamsError::EmptyFlowId)
        ));
        let changes = FlowChanges {
            flow_id,
            name: "n",
            categories: &cats,
            cust_space_id: None,
            endpoint_uri: None,
        };
        assert!(matches!(
            client.modify_flow(&changes, &cancel).await,
            Err(CamsError::EmptyFlowId)
        ));
    }
    let no_categories = NewFlow {
        name: "n",
        categories: &[],
        cust_space_id: None,
        endpoint_uri: None,
    };
    let err = client
        .create_flow(&no_categories, &cancel)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            CamsError::InvalidArgument {
                action: "CreateFlow",
                ..
            }
        ),
        "{err}"
    );
    let no_name = NewFlow {
        name: " ",
        categories: &cats,
        cust_space_id: None,
        endpoint_uri: None,
    };
    assert!(client.create_flow(&no_name, &cancel).await.is_err());
    assert!(client
        .update_flow_json_asset("f", None, " ", &cancel)
        .await
        .is_err());
    assert!(client.get_upload_authorization("", &cancel).await.is_err());
    assert_eq!(server.count(), 0);
}

// ---------------------------------------------------------------------------
// Not found
// ---------------------------------------------------------------------------

#[tokio::test]
async fn the_not_found_family_is_a_typed_not_found_for_every_flow_operation() {
    for (status, code) in [
        (404, "Flow.NotExists"),
        (400, "Flow.NotFound"),
        (200, "EntityNotExist.Flow"),
        (400, "InvalidFlowId.NotFound"),
        (404, "Resource.NotFound"),
    ] {
        let server = cams_server(move |_, _| cams_error(status, code, "no such flow")).await;
        let client = client(config(&server.url()), "ak-not-found");
        let cancel = CancellationToken::new();
        let cats = categories(&["OTHER"]);
        let changes = FlowChanges {
            flow_id: "gone",
            name: "n",
            categories: &cats,
            cust_space_id: None,
            endpoint_uri: None,
        };
        let errors = vec![
            client.get_flow("gone", None, &cancel).await.unwrap_err(),
            client
                .get_flow_json_asset("gone", None, &cancel)
                .await
                .unwrap_err(),
            client
                .get_flow_preview_url("gone", None, &cancel)
                .await
                .unwrap_err(),
            client.modify_flow(&changes, &cancel).await.unwrap_err(),
            client
                .update_flow_json_asset("gone", None, "https://x/y", &cancel)
                .await
                .unwrap_err(),
            client
                .publish_flow("gone", None, &cancel)
                .await
                .unwrap_err(),
            client
                .deprecate_flow("gone", None, &cancel)
                .await
                .unwrap_err(),
            client.delete_flow("gone", None, &cancel).await.unwrap_err(),
        ];
        for err in errors {
            assert!(err.is_not_found(), "{code}: {err}");
            assert_eq!(err.code(), Some(code));
            let text = err.to_string();
            assert!(
                text.contains("\"gone\"") && text.contains(code) && text.contains("no such flow"),
                "{text}"
            );
        }
        assert_eq!(
            server.count(),
            8,
            "{code}: a not-found answer is not retried"
        );
    }
}

#[tokio::test]
async fn other_account_and_other_entity_codes_are_errors_not_not_found() {
    for (status, code) in [
        (400, "Unknown.ResourceOwnerId"),
        (404, "InvalidAccessKeyId.NotFound"),
        (404, "InvalidAction.NotFound"),
        (400, "CustSpace.NotExist"),
    ] {
        let server = cams_server(move |_, _| cams_error(status, code, "m")).await;
        let client = client(config(&server.url()), "ak-not-not-found");
        let err = client
            .get_flow("f", None, &CancellationToken::new())
            .await
            .unwrap_err();
        assert!(!err.is_not_found(), "{code}");
        assert!(matches!(err, CamsError::Api { .. }), "{code}: {err}");
        assert_eq!(err.code(), Some(code));
    }
    // ListFlow is about no single flow: a not-found code there stays an error.
    let server = cams_server(|_, _| cams_error(404, "Flow.NotExists", "m")).await;
    let client = client(config(&server.url()), "ak-list-not-found");
    let err = client
        .list_flows(None, None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(!err.is_not_found());
}

// ---------------------------------------------------------------------------
// ListFlow paging
// ---------------------------------------------------------------------------

/// How a test ListFlow server pages.
#[derive(Clone, Copy, Debug)]
enum Paging {
    /// As CAMS documents it: `Size` flows from offset (Index - 1) × Size.
    AsAsked,
    /// At most `cap` flows a page, the offset counted with the capped size.
    CappedOffsetByCap(usize),
    /// At most `cap` flows a page, the offset counted with the size asked.
    CappedOffsetByAsked(usize),
}

/// A ListFlow server holding `total` flows.
fn list_server(
    total: usize,
    paging: Paging,
) -> impl Fn(&Received, usize) -> Reply + Send + Sync + 'static {
    move |request, _| {
        let page: Value = serde_json::from_str(&request.param("Page").unwrap_or_default()).unwrap();
        let (index, asked) = (
            page["Index"].as_u64().unwrap() as usize,
            page["Size"].as_u64().unwrap() as usize,
        );
        let (offset, size) = match paging {
            Paging::AsAsked => ((index - 1) * asked, asked),
            Paging::CappedOffsetByCap(cap) => ((index - 1) * asked.min(cap), asked.min(cap)),
            Paging::CappedOffsetByAsked(cap) => ((index - 1) * asked, asked.min(cap)),
        };
        let items: Vec<Value> = (offset..(offset + size).min(total))
            .map(|i| json!({"FlowId": format!("flow_{i:03}"), "FlowName": format!("name {i}"), "Categories": ["OTHER"]}))
            .collect();
        cams_data(Value::Array(items))
    }
}

#[tokio::test]
async fn list_flows_reads_every_page_until_an_empty_or_short_one() {
    // A short first page (5) may be a cap: page 2 is asked for, of that
    // size. After a full page, a short one is the last (45: 20, 20, 5).
    for (total, calls) in [(0, 1), (5, 2), (20, 2), (45, 3), (60, 4)] {
        let server = cams_server(list_server(total, Paging::AsAsked)).await;
        let client = client(config(&server.url()), "ak-list");
        let flows = client
            .list_flows(Some("space-1"), Some("name"), &CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(flows.len(), total, "{total}");
        let ids: HashSet<&str> = flows.iter().map(|f| f.flow_id.as_str()).collect();
        assert_eq!(ids.len(), total, "each flow once");
        let requests = server.requests();
        assert_eq!(requests.len(), calls, "{total} flows");
        for (i, r) in requests.iter().enumerate() {
            assert_eq!(r.param("Action").as_deref(), Some("ListFlow"));
            let size = if total < 20 && i > 0 { total } else { 20 };
            assert_eq!(
                r.param("Page"),
                Some(format!(r#"{{"Index":{},"Size":{size}}}"#, i + 1))
            );
            assert_eq!(r.param("CustSpaceId").as_deref(), Some("space-1"));
            assert_eq!(r.param("FlowName").as_deref(), Some("name"));
        }
    }
}

/// Issue 16 item 12: a service that caps pages below the size asked (CAMS
/// documents no cap) made a short first page look like the last: 10 of 12
/// flows were found. Every flow is found, whichever size the service
/// counts its offset with.
#[tokio::test]
async fn list_flows_finds_every_flow_when_the_service_caps_pages_at_ten() {
    for paging in [
        Paging::CappedOffsetByCap(10),
        Paging::CappedOffsetByAsked(10),
    ] {
        for total in [12, 25, 40] {
            let server = cams_server(list_server(total, paging)).await;
            let client = client(config(&server.url()), "ak-list-capped");
            let flows = client
                .list_flows(None, None, &CancellationToken::new())
                .await
                .unwrap();
            let ids: HashSet<&str> = flows.iter().map(|f| f.flow_id.as_str()).collect();
            assert_eq!(
                (flows.len(), ids.len()),
                (total, total),
                "{paging:?}, {total} flows"
            );
        }
    }
}

#[tokio::test]
async fn list_flows_ends_at_a_page_of_flows_already_seen() {
    // Page 1 again, whatever was asked (a service answering its last page
    // past the end, or ignoring Page): the second page adds nothing.
    let server = cams_server(|request, index| {
        let _ = (request, index);
        let items: Vec<Value> = (0..20)
            .map(|i| json!({"FlowId": format!("f{i}")}))
            .collect();
        cams_data(Value::Array(items))
    })
    .await;
    let client = client(config(&server.url()), "ak-list-stuck");
    let flows = client
        .list_flows(None, None, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(flows.len(), 20);
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn list_flows_stops_after_the_page_limit() {
    use cams_provider::alibaba::flow_api::LIST_MAX_PAGES;
    // Every page new flows, never an empty one.
    let server = cams_server(|request, _| {
        let page: Value = serde_json::from_str(&request.param("Page").unwrap_or_default()).unwrap();
        let index = page["Index"].as_u64().unwrap();
        cams_data(json!([{"FlowId": format!("f{index}")}]))
    })
    .await;
    let mut cfg = config(&server.url());
    cfg.rate_limit_per_second = std::num::NonZeroU32::new(1000);
    let client = client(cfg, "ak-list-endless");
    let err = client
        .list_flows(None, None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(err, CamsError::Paging { .. }), "{err}");
    assert_eq!(server.count(), LIST_MAX_PAGES);
}

#[tokio::test]
async fn a_list_item_without_a_flow_id_is_an_error() {
    let server =
        cams_server(|_, _| cams_data(json!([{"FlowId": "a"}, {"FlowName": "anonymous"}]))).await;
    let client = client(config(&server.url()), "ak-list-bad");
    let err = client
        .list_flows(None, None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no FlowId in item 1"), "{err}");
}

// ---------------------------------------------------------------------------
// CreateFlow is not idempotent
// ---------------------------------------------------------------------------

fn new_flow(cats: &[String]) -> NewFlow<'_> {
    NewFlow {
        name: "n",
        categories: cats,
        cust_space_id: None,
        endpoint_uri: None,
    }
}

#[tokio::test]
async fn create_flow_is_not_retried_once_the_request_may_have_reached_cams() {
    let cats = categories(&["OTHER"]);
    type FirstAnswer = fn() -> Reply;
    let cases: [(&str, FirstAnswer); 4] = [
        ("a 5xx", || cams_error(503, "ServiceUnavailable", "busy")),
        // Every attempt has a fresh nonce: a reused one means the request
        // was delivered twice, and the first delivery may have created it.
        ("a reused nonce", || {
            cams_error(400, "SignatureNonceUsed", "replayed")
        }),
        ("a 500 InternalError", || {
            cams_error(500, "InternalError", "oops")
        }),
        ("a reset", || Reply::Reset),
    ];
    for (what, first) in cases {
        let server = first_answer_then_ok(first).await;
        let creating = client(config(&server.url()), "ak-create-once");
        let err = creating
            .create_flow(&new_flow(&cats), &CancellationToken::new())
            .await
            .unwrap_err();
        assert_eq!(server.count(), 1, "{what}: CreateFlow sent twice");
        assert_eq!(err.attempts(), 1, "{what}");
        // The same failure is retried for an idempotent operation.
        let server = first_answer_then_ok(first).await;
        let reading = client(config(&server.url()), "ak-get-twice");
        reading
            .get_flow_json_asset("f", None, &CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(server.count(), 2, "{what}: GetFlowJSONAssest retried");
    }
}

#[tokio::test]
async fn create_flow_is_not_retried_after_a_timeout() {
    let server = cams_server(|_, _| {
        Reply::After(
            Duration::from_secs(3),
            Box::new(cams_data(json!({"FlowId": "f"}))),
        )
    })
    .await;
    let mut cfg = config(&server.url());
    cfg.read_timeout = Duration::from_millis(300);
    let client = client(cfg, "ak-create-timeout");
    let cats = categories(&["OTHER"]);
    let err = client
        .create_flow(&new_flow(&cats), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, CamsError::Transport { attempts: 1, .. }),
        "{err}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn create_flow_is_retried_after_throttling() {
    let server = cams_server(|_, index| match index {
        0 => cams_error(400, "System.LimitControl", "slow down"),
        1 => Reply::Full {
            status: 400,
            headers: vec![("x-acs-retry-after".into(), "50".into())],
            body: br#"{"Code":"Odd","Message":"later","RequestId":"R"}"#.to_vec(),
        },
        _ => cams_data(json!({"FlowId": "flow_once"})),
    })
    .await;
    let client = client(config(&server.url()), "ak-create-throttled");
    let cats = categories(&["OTHER"]);
    let created = client
        .create_flow(&new_flow(&cats), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(created.flow_id, "flow_once");
    assert_eq!(server.count(), 3);
    assert_all_distinct(&nonces(&server));
}

#[tokio::test]
async fn create_flow_is_retried_after_a_connection_that_was_never_made() {
    // A port that was just free: the first attempt is refused; the server
    // appears there before the (slow) first retry.
    let addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let mut cfg = config(&format!("http://{addr}"));
    cfg.retry_initial_delay = Duration::from_millis(600);
    cfg.retry_max_delay = Duration::from_millis(600);
    let client = client(cfg, "ak-create-refused");
    let call = tokio::spawn(async move {
        let cats = categories(&["OTHER"]);
        client
            .create_flow(&new_flow(&cats), &CancellationToken::new())
            .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let server = Server::start_on(addr, |request, _| match signature_problem(request) {
        Some(problem) => cams_error(400, "SignatureDoesNotMatch", &problem),
        None => cams_data(json!({"FlowId": "flow_after_refusal"})),
    })
    .await;
    let created = call.await.unwrap().unwrap();
    assert_eq!(created.flow_id, "flow_after_refusal");
    assert_eq!(server.count(), 1, "one request reached the server");
}

// ---------------------------------------------------------------------------
// Pacing per operation
// ---------------------------------------------------------------------------

#[tokio::test]
async fn each_operation_has_its_own_limiter() {
    let server = cams_server(answer_by_action).await;
    let mut cfg = config(&server.url());
    cfg.rate_limit_per_second = NonZeroU32::new(1);
    let client = client(cfg, "ak-per-operation");
    let cancel = CancellationToken::new();
    let started = Instant::now();
    client.get_flow("f", None, &cancel).await.unwrap();
    client.publish_flow("f", None, &cancel).await.unwrap();
    client.deprecate_flow("f", None, &cancel).await.unwrap();
    client
        .get_flow_preview_url("f", None, &cancel)
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(700),
        "four operations, one call each: no wait ({:?})",
        started.elapsed()
    );
    client.get_flow("f", None, &cancel).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "a second GetFlow waits for its own window ({:?})",
        started.elapsed()
    );
}

#[tokio::test]
async fn without_an_override_each_operation_runs_at_its_documented_rate() {
    let server = cams_server(answer_by_action).await;
    let client = client(
        ClientConfig {
            rate_limit_per_second: None,
            ..config(&server.url())
        },
        "ak-documented-rate",
    );
    for op in Operation::ALL {
        assert_eq!(client.rate_per_second(op), op.documented_rate_per_second());
    }
    let cancel = CancellationToken::new();
    let started = Instant::now();
    for _ in 0..5 {
        client.delete_flow("f", None, &cancel).await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
    client.delete_flow("f", None, &cancel).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "the sixth DeleteFlow in a second waits"
    );
}

// ---------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_message_quoting_the_presigned_file_path_never_shows_its_credentials() {
    let file_path = "http://127.0.0.1:1/b/k.json?OSSAccessKeyId=STS.upload&Expires=1714551000&Signature=PRESIGNEDSIGNATURE%2Babc%3D&security-token=UPLOADTOKEN%2Fuploadtoken";
    let server = cams_server(|request, _| {
        let quoted = request.param("FilePath").unwrap();
        cams_error(
            400,
            "InvalidParameter.FileUrlError",
            &format!("cannot fetch {quoted}"),
        )
    })
    .await;
    let client = CamsClient::new(
        config(&server.url()),
        static_credentials("STS.caller", Some("CALLERTOKENCALLERTOKEN")),
    )
    .unwrap();
    let err = client
        .update_flow_json_asset("f", None, file_path, &CancellationToken::new())
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    for secret in ["PRESIGNEDSIGNATURE", "UPLOADTOKEN", "CALLERTOKEN", SECRET] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(
        text.contains("InvalidParameter.FileUrlError") && text.contains("cannot fetch"),
        "{text}"
    );
}
