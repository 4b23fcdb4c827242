//! The state one running emulator shares between its connections.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use axum::body::Bytes;

use super::auth::{CredentialStore, NonceCache};
use super::config::EmulatorConfig;
use super::fault::{Fault, FaultCounters, FaultRule};
use super::limiter::SlidingWindowLimiter;
use super::oss::FileUrlSigner;
use super::stats::Stats;

/// Read-only settings plus the mutable parts behind one lock.
#[derive(Debug)]
pub struct Emulator {
    pub flows_dir: PathBuf,
    pub roles: Vec<String>,
    /// Base of the `FilePath` URLs, e.g. `http://127.0.0.1:PORT`.
    pub public_url: String,
    /// `HostId` in error bodies (host:port of the emulator).
    pub host_id: String,
    pub log_requests: bool,
    pub signer: FileUrlSigner,
    inner: Mutex<Inner>,
    /// Documents generated for `large:BYTES`, by size.
    large_documents: Mutex<HashMap<u64, Bytes>>,
}

/// Everything requests change.
#[derive(Debug)]
pub struct Inner {
    pub credentials: CredentialStore,
    pub nonces: NonceCache,
    pub limiter: SlidingWindowLimiter,
    pub faults: Vec<FaultRule>,
    pub fault_counters: FaultCounters,
    pub stats: Stats,
}

impl Emulator {
    pub fn new(config: &EmulatorConfig, public_url: String, host_id: String) -> Self {
        Emulator {
            flows_dir: config.flows_dir.clone(),
            roles: config.roles.clone(),
            public_url,
            host_id,
            log_requests: config.log_requests,
            signer: FileUrlSigner::random(config.file_url_ttl),
            inner: Mutex::new(Inner {
                credentials: CredentialStore::new(&config.access_keys, &config.sts_keys),
                nonces: NonceCache::default(),
                limiter: SlidingWindowLimiter::new(config.qps),
                faults: config.faults.clone(),
                fault_counters: FaultCounters::default(),
                stats: Stats::default(),
            }),
            large_documents: Mutex::new(HashMap::new()),
        }
    }

    /// The mutable state. A handler that panicked while holding the lock
    /// leaves counters that are still usable, so poisoning is ignored.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    /// Zeroes the counters, the fault counters and the rate-limit windows.
    /// Credentials and seen nonces stay.
    pub fn reset(&self) {
        let mut inner = self.lock();
        inner.stats = Stats::default();
        inner.fault_counters.clear();
        inner.limiter.clear();
    }

    /// Replaces the fault rules (and forgets their counters).
    pub fn set_faults(&self, faults: Vec<FaultRule>) {
        let mut inner = self.lock();
        inner.faults = faults;
        inner.fault_counters.clear();
    }

    /// The `slow` delay configured for a flow, if any.
    pub fn slow_delay(&self, flow_id: &str) -> Option<std::time::Duration> {
        self.lock().faults.iter().find_map(|rule| match rule.fault {
            Fault::Slow(delay) if rule.flow.matches(flow_id) => Some(delay),
            _ => None,
        })
    }

    /// The first fault rule for this flow that `wanted` accepts and that
    /// fires now (counted rules are charged).
    pub fn next_fault(&self, flow_id: &str, wanted: impl Fn(&Fault) -> bool) -> Option<Fault> {
        let mut inner = self.lock();
        let Inner {
            faults,
            fault_counters,
            ..
        } = &mut *inner;
        fault_counters.next_fault(faults, flow_id, wanted).cloned()
    }

    /// The generated `large:BYTES` document, built once per size.
    pub async fn large_document(&self, min_bytes: u64) -> Bytes {
        let cached = self
            .large_documents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&min_bytes)
            .cloned();
        if let Some(document) = cached {
            return document;
        }
        // Building hundreds of megabytes must not stall the other connections.
        let document = tokio::task::spawn_blocking(move || super::flow_doc::large_flow(min_bytes))
            .await
            .map(Bytes::from)
            .unwrap_or_else(|_| Bytes::from(super::flow_doc::large_flow(0)));
        self.large_documents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(min_bytes, document.clone());
        document
    }

    /// Prints one request line on stderr when logging is on.
    pub fn log(&self, line: std::fmt::Arguments<'_>) {
        if self.log_requests {
            eprintln!("cams-emulator: {line}");
        }
    }
}
