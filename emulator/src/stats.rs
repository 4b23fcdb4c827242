//! Counters for tests (`GET /_emulator/stats`, `RunningEmulator::stats`).

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::pop::LIMIT_CONTROL;

/// How many file requests' headers are kept.
pub const KEPT_FILE_REQUESTS: usize = 50;
/// Headers kept per file request, and bytes kept per header value: a
/// request with huge headers cannot grow the stats.
pub const KEPT_HEADERS_PER_REQUEST: usize = 32;
pub const KEPT_HEADER_VALUE_BYTES: usize = 256;
/// Distinct flow ids counted one by one; further ids share [`OTHER_FLOWS`].
pub const COUNTED_FLOW_IDS: usize = 1_000;
/// The `requests_by_flow` key for flow ids beyond [`COUNTED_FLOW_IDS`].
pub const OTHER_FLOWS: &str = "(other)";

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
    /// Headers (lower-case name, value) of the last 50 file requests, oldest
    /// first (at most 32 headers each, values cut at 256 bytes).
    pub file_request_headers: VecDeque<Vec<(String, String)>>,
    /// Downloads answered 200 with the file.
    #[serde(default)]
    pub downloads_ok: u64,
    /// Requests dropped by the per-AccessKeyId rate limit (a subset of `throttled`).
    #[serde(default)]
    pub rate_limited: u64,
    /// Connections reset by the `reset` fault.
    #[serde(default)]
    pub resets: u64,
    /// Requests by operation: the CAMS and STS actions (authenticated or
    /// not; `(unknown)` for other names) and the OSS bucket's `PutObject`,
    /// `GetObject`, `HeadObject`.
    #[serde(default)]
    pub requests_by_operation: BTreeMap<String, u64>,
    /// STS credentials issued, by action (`AssumeRole`,
    /// `AssumeRoleWithOIDC`): every refresh of a client counts one.
    #[serde(default)]
    pub sts_credentials_issued: BTreeMap<String, u64>,
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

    /// Counts a request that carried `FlowId` (before authentication, so
    /// the number of distinct keys is capped).
    pub fn record_flow_request(&mut self, flow_id: &str) {
        let key = if self.requests_by_flow.contains_key(flow_id)
            || self.requests_by_flow.len() < COUNTED_FLOW_IDS
        {
            flow_id
        } else {
            OTHER_FLOWS
        };
        *self.requests_by_flow.entry(key.to_string()).or_insert(0) += 1;
    }

    /// Counts a request to an operation (a name from a fixed table).
    pub fn record_operation(&mut self, operation: &str) {
        *self
            .requests_by_operation
            .entry(operation.to_string())
            .or_insert(0) += 1;
    }

    pub fn record_file_request(&mut self, headers: Vec<(String, String)>) {
        self.downloads += 1;
        if self.file_request_headers.len() >= KEPT_FILE_REQUESTS {
            self.file_request_headers.pop_front();
        }
        let kept = headers
            .into_iter()
            .take(KEPT_HEADERS_PER_REQUEST)
            .map(|(name, value)| (cut(name), cut(value)))
            .collect();
        self.file_request_headers.push_back(kept);
    }
}

/// At most [`KEPT_HEADER_VALUE_BYTES`] bytes, cut at a character boundary.
fn cut(mut text: String) -> String {
    if text.len() > KEPT_HEADER_VALUE_BYTES {
        let mut end = KEPT_HEADER_VALUE_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
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
    fn huge_or_many_headers_and_flow_ids_stay_bounded() {
        let mut stats = Stats::default();
        let many: Vec<(String, String)> = (0..1000)
            .map(|i| (format!("h{i}"), "ü".repeat(100_000)))
            .collect();
        for _ in 0..(KEPT_FILE_REQUESTS * 2) {
            stats.record_file_request(many.clone());
        }
        let kept: usize = stats
            .file_request_headers
            .iter()
            .flatten()
            .map(|(n, v)| n.len() + v.len())
            .sum();
        assert!(
            kept <= KEPT_FILE_REQUESTS * KEPT_HEADERS_PER_REQUEST * 2 * KEPT_HEADER_VALUE_BYTES
        );
        for i in 0..(COUNTED_FLOW_IDS + 500) {
            stats.record_flow_request(&i.to_string());
        }
        stats.record_flow_request("0");
        assert_eq!(stats.requests_by_flow.len(), COUNTED_FLOW_IDS + 1);
        assert_eq!(stats.requests_by_flow[OTHER_FLOWS], 500);
        assert_eq!(stats.requests_by_flow["0"], 2);
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
