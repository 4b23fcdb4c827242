//! Counters for tests (`GET /_emulator/stats`, `RunningEmulator::stats`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::pop::LIMIT_CONTROL;

/// How many file requests' headers are kept.
pub const KEPT_FILE_REQUESTS: usize = 50;

/// A snapshot of the emulator's counters, also its JSON shape.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Every request to the API endpoint (`/`), whatever the outcome.
    pub api_requests: u64,
    /// API requests answered with success (`Code: OK` or AssumeRole credentials).
    pub accepted: u64,
    /// API requests answered `System.LimitControl` (rate limit or `throttle` fault).
    pub throttled: u64,
    /// API requests rejected with `SignatureDoesNotMatch`.
    pub signature_failures: u64,
    /// Every error answer (API and file host) by `Code`.
    pub errors_by_code: BTreeMap<String, u64>,
    /// Every request to the file host (`/oss/...`), whatever the outcome.
    pub downloads: u64,
    /// API requests by `FlowId`, for every request that carried one, whatever the outcome.
    pub requests_by_flow: BTreeMap<String, u64>,
    /// Headers (lower-case name, value) of the last 50 file requests, oldest first.
    pub file_request_headers: Vec<Vec<(String, String)>>,
    /// Downloads answered 200 with the file.
    #[serde(default)]
    pub downloads_ok: u64,
    /// Requests dropped by the per-AccessKeyId rate limit (a subset of `throttled`).
    #[serde(default)]
    pub rate_limited: u64,
    /// Connections reset by the `reset` fault.
    #[serde(default)]
    pub resets: u64,
}

impl Stats {
    pub fn record_error(&mut self, code: &str) {
        *self.errors_by_code.entry(code.to_string()).or_insert(0) += 1;
        if code == LIMIT_CONTROL {
            self.throttled += 1;
        }
        if code == "SignatureDoesNotMatch" {
            self.signature_failures += 1;
        }
    }

    pub fn record_flow_request(&mut self, flow_id: &str) {
        *self
            .requests_by_flow
            .entry(flow_id.to_string())
            .or_insert(0) += 1;
    }

    pub fn record_file_request(&mut self, headers: Vec<(String, String)>) {
        self.downloads += 1;
        if self.file_request_headers.len() >= KEPT_FILE_REQUESTS {
            self.file_request_headers.remove(0);
        }
        self.file_request_headers.push(headers);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_last_file_requests() {
        let mut stats = Stats::default();
        for i in 0..(KEPT_FILE_REQUESTS + 3) {
            stats.record_file_request(vec![("n".into(), i.to_string())]);
        }
        assert_eq!(stats.downloads, (KEPT_FILE_REQUESTS + 3) as u64);
        assert_eq!(stats.file_request_headers.len(), KEPT_FILE_REQUESTS);
        assert_eq!(stats.file_request_headers[0][0].1, "3");
    }

    #[test]
    fn limit_control_and_signature_errors_feed_their_counters() {
        let mut stats = Stats::default();
        stats.record_error(LIMIT_CONTROL);
        stats.record_error("SignatureDoesNotMatch");
        stats.record_error("SignatureDoesNotMatch");
        assert_eq!((stats.throttled, stats.signature_failures), (1, 2));
        assert_eq!(stats.errors_by_code.get("SignatureDoesNotMatch"), Some(&2));
    }
}
