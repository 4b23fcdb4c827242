//! The state one running emulator shares between its connections.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use time::OffsetDateTime;

use super::auth::{CredentialStore, NonceCache};
use super::bucket::ObjectStore;
use super::config::EmulatorConfig;
use super::fault::{Fault, FaultCounters, FaultRule, Target};
use super::flows::FlowStore;
use super::limiter::SlidingWindowLimiter;
use super::oss::FileUrlSigner;
use super::oss_auth::UploadKey;
use super::state_file::{self, StateFileError};
use super::stats::Stats;
use super::templates::{Review, TemplateStore};

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
    /// The configuration, for per-operation limits.
    pub config: EmulatorConfig,
    /// Where the flows are kept across restarts, if anywhere.
    pub state_file: Option<PathBuf>,
    /// Lifetime of upload credentials.
    pub upload_ttl: Duration,
    /// Fetches UpdateFlowJSONAsset's FilePath.
    pub fetcher: reqwest::Client,
    /// How templates are reviewed (`--template-review`).
    pub template_review: Review,
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
    pub flows: FlowStore,
    pub templates: TemplateStore,
    /// Credentials GetChatappUploadAuthorization issued, by AccessKeyId.
    pub upload_keys: HashMap<String, UploadKey>,
    /// The upload bucket's objects.
    pub objects: ObjectStore,
}

/// Expired upload credentials are still recognised this long, so a late
/// request hears "expired" rather than "unknown key".
const EXPIRED_UPLOAD_KEYS_KEPT: time::Duration = time::Duration::hours(1);

impl Inner {
    /// Remembers issued upload credentials, forgetting long-expired ones.
    pub fn add_upload_key(&mut self, id: String, key: UploadKey, now: OffsetDateTime) {
        self.upload_keys
            .retain(|_, k| k.expires + EXPIRED_UPLOAD_KEYS_KEPT > now);
        self.upload_keys.insert(id, key);
    }
}

impl Emulator {
    pub fn new(
        config: &EmulatorConfig,
        public_url: String,
        host_id: String,
    ) -> Result<Self, StateFileError> {
        let state = match &config.state_file {
            Some(path) => state_file::load(path)?,
            None => state_file::State::default(),
        };
        let fetcher = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .unwrap_or_default();
        Ok(Emulator {
            flows_dir: config.flows_dir.clone(),
            roles: config.roles.clone(),
            public_url,
            host_id,
            log_requests: config.log_requests,
            signer: FileUrlSigner::random(config.file_url_ttl),
            config: config.clone(),
            state_file: config.state_file.clone(),
            upload_ttl: config.upload_ttl,
            fetcher,
            template_review: config.template_review.clone(),
            inner: Mutex::new(Inner {
                credentials: CredentialStore::new(&config.access_keys, &config.sts_keys),
                nonces: NonceCache::default(),
                limiter: SlidingWindowLimiter::new(),
                faults: config.faults.clone(),
                fault_counters: FaultCounters::default(),
                stats: Stats::default(),
                flows: state.flows,
                templates: state.templates,
                upload_keys: HashMap::new(),
                objects: ObjectStore::default(),
            }),
            large_documents: Mutex::new(HashMap::new()),
        })
    }

    /// Writes the flows and templates to the state file (when there is
    /// one). Called with the lock held, after every change, so writes
    /// happen in order.
    pub fn save_flows(&self, inner: &Inner) {
        if let Some(path) = &self.state_file {
            if let Err(error) = state_file::save(path, &inner.flows, &inner.templates) {
                // The change stands in memory; say so rather than fail the call.
                eprintln!("cams-emulator: {error}");
            }
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

    /// The `slow` delay configured for a request, if any.
    pub fn slow_delay(&self, target: &Target<'_>) -> Option<std::time::Duration> {
        self.lock().faults.iter().find_map(|rule| match rule.fault {
            Fault::Slow(delay) if rule.flow.matches(target) => Some(delay),
            _ => None,
        })
    }

    /// The first fault rule for this request that `wanted` accepts and that
    /// fires now (counted rules are charged).
    pub fn next_fault(
        &self,
        target: &Target<'_>,
        wanted: impl Fn(&Fault) -> bool,
    ) -> Option<Fault> {
        let mut inner = self.lock();
        let Inner {
            faults,
            fault_counters,
            ..
        } = &mut *inner;
        fault_counters.next_fault(faults, target, wanted).cloned()
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
