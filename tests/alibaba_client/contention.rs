//! Several clients of one account at once (issue 12): throttling retried
//! within its own time budget, the adaptive rate after a throttling
//! answer, and the host-wide budget file.

use super::*;

fn throttled(retry_after_ms: u64) -> Reply {
    Reply::Full {
        status: 400,
        headers: vec![("x-acs-retry-after".into(), retry_after_ms.to_string())],
        body: br#"{"Code":"System.LimitControl","Message":"The system is under flow control.","RequestId":"R"}"#.to_vec(),
    }
}

#[tokio::test]
async fn throttling_is_retried_beyond_the_attempt_limit() {
    let server = cams_server(|_, index| {
        if index < 6 {
            throttled(20)
        } else {
            cams_ok(FILE_URL)
        }
    })
    .await;
    let config = ClientConfig {
        max_attempts: 2,
        ..config(&server.url())
    };
    client(config, "ak-throttled-long")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(server.count(), 7);
}

#[tokio::test]
async fn faults_among_throttling_answers_still_end_at_the_attempt_limit() {
    let server = cams_server(|_, index| match index {
        0 | 3 => cams_error(503, "ServiceUnavailable", "busy"),
        _ => cams_error(400, "System.LimitControl", "flow control"),
    })
    .await;
    let config = ClientConfig {
        max_attempts: 2,
        ..config(&server.url())
    };
    let err = client(config, "ak-throttled-faults")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(server.count(), 4);
    assert!(
        matches!(
            err,
            CamsError::Api {
                gave_up: GiveUp::AttemptLimit,
                attempts: 4,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn after_a_throttling_answer_sends_are_spaced_out() {
    let server = first_answer_then_ok(|| throttled(1)).await;
    let client = client(config(&server.url()), "ak-adaptive");
    let cancel = CancellationToken::new();
    client
        .get_flow_json_asset("f", None, &cancel)
        .await
        .unwrap();
    // Four calls at once: at the limit (5 per window) they would all go out
    // together; slowed down (5 × 0.7 per second, recovering) they are
    // spaced by more than 1/5 s each.
    let calls = (0..4).map(|_| client.get_flow_json_asset("f", None, &cancel));
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 6);
    for pair in requests[2..].windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= Duration::from_millis(190), "{gap:?}");
    }
}

#[tokio::test]
async fn without_throttling_concurrent_calls_are_not_spaced() {
    // The control for the test above: same calls, no throttling answer.
    let server = cams_server(|_, _| cams_ok(FILE_URL)).await;
    let client = client(config(&server.url()), "ak-not-adaptive");
    let cancel = CancellationToken::new();
    client
        .get_flow_json_asset("f", None, &cancel)
        .await
        .unwrap();
    let calls = (0..4).map(|_| client.get_flow_json_asset("f", None, &cancel));
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    let requests = server.requests();
    assert!(requests[4].at - requests[1].at < Duration::from_millis(190));
}

#[tokio::test]
async fn the_shared_budget_file_holds_no_key_material() {
    let server = cams_server(|_, _| cams_ok(FILE_URL)).await;
    let dir = tempfile::tempdir().unwrap();
    let key_id = "LTAI5tSharedBudgetKeyId";
    let config = ClientConfig {
        shared_budget_dir: Some(dir.path().to_owned()),
        ..config(&server.url())
    };
    client(config, key_id)
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    let content = std::fs::read_to_string(&files[0]).unwrap();
    assert!(content.contains("GetFlowJSONAssest "), "{content}");
    for secret in [key_id, SECRET] {
        assert!(!name.contains(secret) && !content.contains(secret));
        // Nor any recognisable piece of it.
        for piece in secret.as_bytes().windows(6) {
            let piece = String::from_utf8_lossy(piece);
            assert!(!content.contains(piece.as_ref()), "{content} holds {piece}");
            assert!(!name.contains(piece.as_ref()), "{name} holds {piece}");
        }
    }
}
