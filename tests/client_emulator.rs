//! The CAMS client against the emulator: the whole Flow lifecycle, with the
//! upload signed by the client's OSS signer and checked by the emulator's
//! own (independent) verifier, and the status rules answered as CAMS would.

mod common;

use std::sync::Arc;

use cams_provider::alibaba::credentials::{Credentials, Secret, StaticCredentials};
use cams_provider::alibaba::{
    CamsClient, CamsError, ClientConfig, FlowChanges, FlowStatus, NewFlow, SetFlowJsonError,
};
use common::local_emulator::{LocalEmulator, DEMO_KEY_ID, DEMO_SECRET};
use tokio_util::sync::CancellationToken;

const SPACE: &str = "cams-space-1";
const FLOW: &str = r#"{"version":"7.0","screens":[{"id":"WELCOME","terminal":true,"layout":{"type":"SingleColumnLayout","children":[{"type":"Footer","label":"Done","on-click-action":{"name":"complete","payload":{}}}]}}]}"#;

/// Creates a draft in the test space.
async fn create(cams: &CamsClient, name: &str, category: &str) -> String {
    let categories = vec![category.to_owned()];
    cams.create_flow(
        &NewFlow {
            name,
            categories: &categories,
            cust_space_id: Some(SPACE),
            endpoint_uri: None,
        },
        &CancellationToken::new(),
    )
    .await
    .unwrap()
    .flow_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_lives_its_whole_life_against_the_emulator() {
    let emu = LocalEmulator::start(&[]);
    let cams = emu.client(DEMO_SECRET);
    let cancel = CancellationToken::new();
    let categories = vec!["SIGN_UP".to_owned()];

    let id = create(&cams, "signup", "SIGN_UP").await;

    // Upload (OSS PutObject signed with the upload credentials), then
    // UpdateFlowJSONAsset with the presigned URL, which the emulator fetches.
    let uploaded = cams
        .set_flow_json(&id, SPACE, FLOW.as_bytes(), &cancel)
        .await
        .unwrap();
    assert!(uploaded.object_key.contains(&uploaded.sha256_hex));
    let again = cams
        .set_flow_json(&id, SPACE, FLOW.as_bytes(), &cancel)
        .await
        .unwrap();
    assert_eq!(again.object_key, uploaded.object_key, "content-addressed");

    let flow = cams.get_flow(&id, Some(SPACE), &cancel).await.unwrap();
    assert_eq!(flow.status, Some(FlowStatus::Draft));
    assert_eq!(flow.json_version.as_deref(), Some("7.0"));
    let stored = cams
        .fetch_flow_json(&id, Some(SPACE), &cancel)
        .await
        .unwrap();
    assert_eq!(stored.file.bytes, FLOW.as_bytes(), "byte for byte");

    cams.modify_flow(
        &FlowChanges {
            flow_id: &id,
            name: "signup-v2",
            categories: &categories,
            cust_space_id: Some(SPACE),
            endpoint_uri: None,
        },
        &cancel,
    )
    .await
    .unwrap();
    let listed = cams.list_flows(Some(SPACE), None, &cancel).await.unwrap();
    assert!(listed
        .iter()
        .any(|f| f.flow_id == id && f.flow_name.as_deref() == Some("signup-v2")));

    cams.publish_flow(&id, Some(SPACE), &cancel).await.unwrap();
    let flow = cams.get_flow(&id, Some(SPACE), &cancel).await.unwrap();
    assert_eq!(flow.status, Some(FlowStatus::Published));

    // A published flow can be neither changed nor deleted.
    let refused = cams
        .delete_flow(&id, Some(SPACE), &cancel)
        .await
        .unwrap_err();
    assert!(refused.code().is_some(), "{refused}");
    let refused = cams
        .set_flow_json(&id, SPACE, FLOW.as_bytes(), &cancel)
        .await
        .unwrap_err();
    assert!(matches!(refused, SetFlowJsonError::Update(_)), "{refused}");

    cams.deprecate_flow(&id, Some(SPACE), &cancel)
        .await
        .unwrap();
    let flow = cams.get_flow(&id, Some(SPACE), &cancel).await.unwrap();
    assert_eq!(flow.status, Some(FlowStatus::Deprecated));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_draft_is_not_found_and_a_wrong_secret_is_refused() {
    let emu = LocalEmulator::start(&[]);
    let cams = emu.client(DEMO_SECRET);
    let cancel = CancellationToken::new();
    let id = create(&cams, "survey", "SURVEY").await;
    cams.delete_flow(&id, Some(SPACE), &cancel).await.unwrap();
    let gone = cams.get_flow(&id, Some(SPACE), &cancel).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone:?}");
    assert!(matches!(gone, CamsError::NotFound { .. }), "{gone:?}");

    let wrong = emu.client("not-the-secret");
    let err = wrong.get_flow(&id, Some(SPACE), &cancel).await.unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err}");
    assert!(!err.to_string().contains("not-the-secret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_uploads_share_one_upload_authorization() {
    let emu = LocalEmulator::start(&[]);
    let cams = emu.client(DEMO_SECRET);
    let cancel = CancellationToken::new();
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(create(&cams, &format!("flow-{i}"), "OTHER").await);
    }
    let uploads = ids
        .iter()
        .map(|id| cams.set_flow_json(id, SPACE, FLOW.as_bytes(), &cancel));
    for result in futures_util::future::join_all(uploads).await {
        result.unwrap();
    }
    let by_operation = &emu.stats()["requests_by_operation"];
    assert_eq!(
        by_operation["GetChatappUploadAuthorization"].as_u64(),
        Some(1),
        "{by_operation}"
    );
}

fn client_with_timeout(emu: &LocalEmulator, request_timeout: std::time::Duration) -> CamsClient {
    let credentials = Arc::new(StaticCredentials {
        credentials: Credentials {
            access_key_id: DEMO_KEY_ID.to_owned(),
            access_key_secret: Secret::new(DEMO_SECRET),
            security_token: None,
        },
        source: "test".to_owned(),
    });
    let config = ClientConfig {
        endpoint: Some(emu.url.clone()),
        request_timeout,
        ..ClientConfig::default()
    };
    CamsClient::new(config, credentials).unwrap()
}

async fn ids_named(cams: &CamsClient, name: &str) -> Vec<String> {
    let mut ids: Vec<String> = cams
        .list_flows(Some(SPACE), Some(name), &CancellationToken::new())
        .await
        .unwrap()
        .into_iter()
        .filter(|f| f.flow_name.as_deref() == Some(name))
        .map(|f| f.flow_id)
        .collect();
    ids.sort();
    ids
}

/// Issue 16 item 4: the emulator commits CreateFlow at once and answers 3 s
/// later. With a 1 s request timeout the answer is lost, and the flow it
/// made is found: the one DRAFT of that name that was not there before (a
/// same-named flow made earlier is never taken for it). After a stop
/// request the answer is still awaited, so the flow is known.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_answer_is_lost_finds_the_flow_it_made() {
    use cams_provider::alibaba::CreateFlowError;
    use std::time::Duration;

    let emu = LocalEmulator::start(&["--fault", "@CreateFlow=slow:3000"]);
    let patient = client_with_timeout(&emu, Duration::from_secs(30));
    let earlier = create(&patient, "lost answer", "OTHER").await;
    let categories = vec!["OTHER".to_owned()];
    let new_flow = NewFlow {
        name: "lost answer",
        categories: &categories,
        cust_space_id: Some(SPACE),
        endpoint_uri: None,
    };

    let hasty = client_with_timeout(&emu, Duration::from_secs(1));
    let err = hasty
        .create_flow_or_find(&new_flow, &CancellationToken::new())
        .await
        .unwrap_err();
    let CreateFlowError::AnswerLost(lost) = err else {
        panic!("expected a lost answer, got {err}");
    };
    assert!(
        matches!(
            lost.error,
            CamsError::Transport {
                deadline: Some(_),
                ..
            }
        ),
        "{}",
        lost.error
    );
    let all = ids_named(&patient, "lost answer").await;
    assert_eq!(all.len(), 2, "{all:?}");
    let made: Vec<&String> = all.iter().filter(|id| **id != earlier).collect();
    assert_eq!(lost.created_flow(), Some(made[0].as_str()), "{lost:?}");

    // Stopped while the third CreateFlow is in flight: its answer is
    // awaited all the same.
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let emu = Arc::new(emu);
    let watched = emu.clone();
    tokio::task::spawn_blocking(move || {
        while watched.stats()["requests_by_operation"]["CreateFlow"].as_u64() != Some(3) {
            std::thread::sleep(Duration::from_millis(20));
        }
        stop.cancel();
    });
    let created = patient
        .create_flow_or_find(&new_flow, &cancel)
        .await
        .unwrap();
    assert!(cancel.is_cancelled());
    let all = ids_named(&patient, "lost answer").await;
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all.contains(&created.flow_id), "{all:?}");
}
