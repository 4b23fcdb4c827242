//! The CAMS emulator started from the same command-line arguments a user
//! passes to `cams-emulator`, but in-process (on a thread with its own
//! runtime), so root tests need no separately built binary.

#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::mpsc;

use cams_emulator::cli::{parse_args, Command};

pub const DEMO_KEY_ID: &str = "demo-access-key-id";
pub const DEMO_SECRET: &str = "demo-access-key-secret";
pub const SIGNUP_FLOW: &str = "9267533281264300";

pub fn flows_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/flows")
}

/// A running emulator; dropping it stops it.
pub struct LocalEmulator {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    pub url: String,
}

impl LocalEmulator {
    /// Starts the emulator with the example flows and extra CLI arguments.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with_flows(&flows_dir(), args)
    }

    /// Starts the emulator serving the flows in `dir`.
    pub fn start_with_flows(dir: &std::path::Path, args: &[&str]) -> Self {
        let mut argv = vec![
            "--quiet".to_string(),
            "--flows".to_string(),
            dir.display().to_string(),
        ];
        argv.extend(args.iter().map(|a| a.to_string()));
        let config = match parse_args(argv) {
            Ok(Command::Run(config)) => *config,
            other => panic!("emulator arguments {args:?}: {other:?}"),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (started, url) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("emulator runtime");
            runtime.block_on(async move {
                let running = cams_emulator::start(config).await.expect("emulator starts");
                started.send(running.url()).expect("test waits for the URL");
                let _ = stopped.await;
                running.shutdown().await;
            });
        });
        let url = url.recv().expect("emulator started");
        Self {
            stop: Some(stop),
            thread: Some(thread),
            url,
        }
    }

    /// `GET PATH` on the emulator's admin endpoints, as JSON.
    fn get_json(&self, path: &str) -> serde_json::Value {
        let addr = self.url.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = TcpStream::connect(addr).expect("connect to emulator");
        write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let body = response.split("\r\n\r\n").nth(1).expect("HTTP body");
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
    }

    /// `GET /_emulator/stats` as JSON.
    pub fn stats(&self) -> serde_json::Value {
        self.get_json("/_emulator/stats")
    }

    /// `GET /_emulator/flows`: every flow the emulator holds, read from its
    /// own store (not through the provider's client), by id.
    pub fn flows(&self) -> std::collections::BTreeMap<String, HeldFlow> {
        let all = self.get_json("/_emulator/flows");
        let flows: Vec<HeldFlow> =
            serde_json::from_value(all["flows"].clone()).expect("flows JSON");
        flows.into_iter().map(|f| (f.id.clone(), f)).collect()
    }

    /// The flow with this id as the emulator holds it; `None` when it has
    /// none (never created, or deleted).
    pub fn flow(&self, id: &str) -> Option<HeldFlow> {
        self.flows().remove(id)
    }

    /// `POST /_emulator/templates/review` with this JSON body: decides a
    /// template's review at once. Returns the HTTP status and the JSON
    /// answer.
    pub fn review_template(&self, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let addr = self.url.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = TcpStream::connect(addr).expect("connect to emulator");
        let body = body.to_string();
        write!(
            stream,
            "POST /_emulator/templates/review HTTP/1.0\r\nHost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("HTTP status");
        let body = response.split("\r\n\r\n").nth(1).expect("HTTP body");
        (status, serde_json::from_str(body).expect("review JSON"))
    }

    /// A CAMS client of the demo access key with `secret` (a wrong one
    /// for tests of refused signatures), pointed at this emulator.
    pub fn client(&self, secret: &str) -> cams_provider::alibaba::CamsClient {
        use cams_provider::alibaba::credentials::{Credentials, Secret, StaticCredentials};
        let credentials = std::sync::Arc::new(StaticCredentials {
            credentials: Credentials {
                access_key_id: DEMO_KEY_ID.to_owned(),
                access_key_secret: Secret::new(secret),
                security_token: None,
            },
            source: "test".to_owned(),
        });
        let config = cams_provider::alibaba::ClientConfig {
            endpoint: Some(self.url.clone()),
            ..Default::default()
        };
        cams_provider::alibaba::CamsClient::new(config, credentials).unwrap()
    }

    pub fn stat(&self, name: &str) -> u64 {
        self.stats()[name]
            .as_u64()
            .unwrap_or_else(|| panic!("stat {name} missing"))
    }
}

impl Drop for LocalEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A temp flows dir holding a copy of the signup flow under each id.
pub fn flows_with_ids(ids: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let signup =
        std::fs::read(flows_dir().join(format!("{SIGNUP_FLOW}.json"))).expect("signup flow");
    for id in ids {
        std::fs::write(dir.path().join(format!("{id}.json")), &signup).unwrap();
    }
    dir
}

/// A flow as `GET /_emulator/flows` lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct HeldFlow {
    pub id: String,
    pub name: String,
    pub categories: Vec<String>,
    /// `DRAFT`, `PUBLISHED` or `DEPRECATED`.
    pub status: String,
    pub cust_space_id: String,
    pub endpoint_uri: String,
    /// The stored Flow JSON, byte-exact.
    pub content: Option<String>,
    pub content_sha256: Option<String>,
}

impl HeldFlow {
    /// The stored Flow JSON, parsed.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.content.as_deref().expect("a stored Flow JSON"))
            .expect("stored Flow JSON parses")
    }
}
