//! The emulator started inside the test process (the `cams_emulator`
//! library), for tests that drive its HTTP surface directly: the usual
//! configuration, the start, and an HTTP client that bypasses proxies.

#![allow(dead_code)]

use std::time::Duration;

use cams_emulator::{self as emulator, AccessKey, EmulatorConfig, RunningEmulator};

use super::local_emulator::flows_dir;

/// The emulator with the example flows, one access key and no throttling
/// (tests of the per-operation limits turn it back on).
pub fn config(access_key_id: &str, secret: &str) -> EmulatorConfig {
    EmulatorConfig {
        flows_dir: flows_dir(),
        access_keys: vec![AccessKey::new(access_key_id, secret)],
        qps: Some(0),
        ..EmulatorConfig::default()
    }
}

pub async fn start(config: EmulatorConfig) -> RunningEmulator {
    emulator::start(config).await.expect("emulator starts")
}

/// A client that never goes through a proxy of the environment and gives
/// up after 10 s.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}
