//! The gate every CAMS call of one (AccessKeyId, operation) passes before
//! it is sent, in this process. Three parts, each with its own module:
//!
//! * the sliding window ([`super::pacing::Pacer`]'s rule: at most `limit`
//!   sends in any [`super::pacing::window`]), kept in the host-wide budget
//!   file ([`super::host_budget`]) so that every provider process of the
//!   user on this machine counts the others' sends, or in this process
//!   only when that file cannot be used or is turned off;
//! * the adaptive rate ([`super::adaptive_rate`]): after a throttling
//!   answer (contention the budget cannot see, e.g. other machines) sends
//!   are spaced out, recovering as calls succeed;
//! * the reports back: [`OperationLimiter::on_throttled`] and
//!   [`OperationLimiter::on_success`].

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::adaptive_rate::AdaptiveRate;
use super::host_budget::{AcquireError, HostBudget};
use super::pacing::{self, Pacer};

/// How often a caller waiting for its turn at a lowered rate looks at the
/// rate again.
const RATE_RECHECK: std::time::Duration = std::time::Duration::from_millis(100);

/// The gate of one (AccessKeyId, operation) at one rate.
#[derive(Debug)]
pub struct OperationLimiter {
    action: &'static str,
    limit: NonZeroU32,
    /// The window kept in this process: used when there is no host-wide
    /// budget, or once it failed.
    local: Pacer,
    host: Option<Arc<HostBudget>>,
    /// Set when the host-wide budget failed during the run; from then on
    /// this limiter paces in-process (said once in the log).
    host_failed: AtomicBool,
    adaptive: Mutex<AdaptiveRate>,
    /// While the adaptive rate is below the limit, callers take their turn
    /// for the spacing here, first come first served.
    spacing_queue: tokio::sync::Mutex<()>,
}

impl OperationLimiter {
    /// A gate admitting `limit` sends of `action` per window, through
    /// `host` when given.
    pub fn new(action: &'static str, limit: NonZeroU32, host: Option<Arc<HostBudget>>) -> Self {
        Self {
            action,
            limit,
            local: Pacer::new(limit),
            host,
            host_failed: AtomicBool::new(false),
            adaptive: Mutex::new(AdaptiveRate::new(f64::from(limit.get()))),
            spacing_queue: tokio::sync::Mutex::new(()),
        }
    }

    /// True while sends are counted in the host-wide budget.
    pub(crate) fn is_host_wide(&self) -> bool {
        self.host.is_some() && !self.host_failed.load(Ordering::Relaxed)
    }

    /// The send rate in force (calls per second): the limit, or less after
    /// throttling answers.
    #[cfg(test)]
    pub(crate) fn current_rate(&self) -> f64 {
        self.adaptive().rate()
    }

    /// Waits until a call may go out and counts it; returns when it was
    /// let out (to pass to [`OperationLimiter::on_throttled`]), or `None`
    /// when `cancel` fired first.
    pub(crate) async fn until_ready(&self, cancel: &CancellationToken) -> Option<Instant> {
        if self.adaptive().is_slowed() {
            let _turn = tokio::select! {
                biased;
                () = cancel.cancelled() => return None,
                turn = self.spacing_queue.lock() => turn,
            };
            loop {
                let wait = self.adaptive().until_next_send(Instant::now());
                if wait.is_zero() {
                    break;
                }
                // Looked at again after a while: a success meanwhile may
                // have raised the rate, and so shortened the wait.
                tokio::select! {
                    biased;
                    () = cancel.cancelled() => return None,
                    () = tokio::time::sleep(wait.min(RATE_RECHECK)) => {}
                }
            }
            self.adaptive().record_send(Instant::now());
        }
        if let Some(host) = self.host.as_ref().filter(|_| self.is_host_wide()) {
            match host
                .acquire(self.action, self.limit, pacing::window(), cancel)
                .await
            {
                Ok(_) => return Some(Instant::now()),
                Err(AcquireError::Cancelled) => return None,
                Err(AcquireError::Unusable(error)) => {
                    if !self.host_failed.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            action = self.action,
                            error = %error,
                            "the host-wide request budget stopped working; pacing this operation in this process only"
                        );
                    }
                }
            }
        }
        tokio::select! {
            biased;
            () = cancel.cancelled() => None,
            () = self.local.until_ready() => Some(Instant::now()),
        }
    }

    /// A call let out at `sent_at` got a throttling answer.
    pub fn on_throttled(&self, sent_at: Instant) {
        let mut adaptive = self.adaptive();
        if adaptive.on_throttle(sent_at, Instant::now()) {
            tracing::debug!(
                action = self.action,
                rate_per_second = adaptive.rate(),
                "throttled: lowering the send rate"
            );
        }
    }

    /// A call succeeded.
    pub fn on_success(&self) {
        self.adaptive().on_success(Instant::now());
    }

    fn adaptive(&self) -> std::sync::MutexGuard<'_, AdaptiveRate> {
        // The state is a few numbers, consistent after any panic.
        self.adaptive.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The host-wide budgets this process opened, by directory and
/// AccessKeyId (`None`: its file could not be used, already said in the
/// log).
type BudgetRegistry = Mutex<HashMap<(PathBuf, String), Option<Arc<HostBudget>>>>;

fn budgets() -> &'static BudgetRegistry {
    static BUDGETS: OnceLock<BudgetRegistry> = OnceLock::new();
    BUDGETS.get_or_init(Default::default)
}

/// The host-wide budget of this AccessKeyId in `dir`, opened once per
/// process. `None` when its file cannot be used: said once in the log, and
/// the caller paces in-process (never an error).
pub(crate) fn host_budget_for(dir: &Path, access_key_id: &str) -> Option<Arc<HostBudget>> {
    let mut map = budgets().lock().unwrap_or_else(PoisonError::into_inner);
    let key = (dir.to_owned(), access_key_id.to_owned());
    if let Some(known) = map.get(&key) {
        return known.clone();
    }
    let opened = match HostBudget::open_in(dir, access_key_id) {
        Ok(budget) => {
            tracing::debug!(
                file = %budget.path().display(),
                "sharing the request budget with the other provider processes of this user"
            );
            Some(Arc::new(budget))
        }
        Err(error) => {
            tracing::warn!(
                error = %error,
                "cannot share the request budget with other provider processes on this machine; pacing in this process only"
            );
            None
        }
    };
    map.insert(key, opened.clone());
    opened
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::Duration;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    #[tokio::test]
    async fn without_a_host_budget_the_window_is_kept_in_process() {
        let limiter = OperationLimiter::new("GetFlow", nz(2), None);
        assert!(!limiter.is_host_wide());
        let cancel = CancellationToken::new();
        let started = Instant::now();
        for _ in 0..3 {
            limiter.until_ready(&cancel).await.unwrap();
        }
        // The third send waits for the first to leave the window.
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn two_limiters_on_one_budget_file_share_the_window() {
        // Two limiters with their own budget handles: two processes.
        let dir = tempfile::tempdir().unwrap();
        let open = || {
            Some(Arc::new(
                HostBudget::open_in(dir.path(), "AK-limiter").unwrap(),
            ))
        };
        let a = OperationLimiter::new("GetFlow", nz(2), open());
        let b = OperationLimiter::new("GetFlow", nz(2), open());
        assert!(a.is_host_wide());
        let cancel = CancellationToken::new();
        a.until_ready(&cancel).await.unwrap();
        b.until_ready(&cancel).await.unwrap();
        let third = tokio::time::timeout(Duration::from_millis(300), a.until_ready(&cancel)).await;
        assert!(
            third.is_err(),
            "a's own window has room, the shared one not"
        );
    }

    #[tokio::test]
    async fn a_failing_budget_file_falls_back_to_in_process_pacing() {
        let dir = tempfile::tempdir().unwrap();
        let budget = HostBudget::open_in(dir.path(), "AK-fallback").unwrap();
        let path = budget.path().to_owned();
        let limiter = OperationLimiter::new("Not a valid name", nz(5), Some(Arc::new(budget)));
        // The budget refuses the name: the call still goes out, in-process.
        assert!(limiter
            .until_ready(&CancellationToken::new())
            .await
            .is_some());
        assert!(!limiter.is_host_wide());
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            "",
            "nothing recorded"
        );
    }

    #[tokio::test]
    async fn after_a_throttle_sends_are_spaced_then_recover() {
        let limiter = OperationLimiter::new("GetFlow", nz(5), None);
        let cancel = CancellationToken::new();
        let sent = limiter.until_ready(&cancel).await.unwrap();
        limiter.on_throttled(sent);
        assert!((limiter.current_rate() - 3.5).abs() < 1e-9);
        let first = limiter.until_ready(&cancel).await.unwrap();
        let second = limiter.until_ready(&cancel).await.unwrap();
        // 1/3.5 s apart, where the window alone would let both out at once.
        assert!(
            second - first >= Duration::from_millis(280),
            "{:?}",
            second - first
        );
        tokio::time::sleep(Duration::from_millis(1700)).await;
        limiter.on_success();
        assert_eq!(
            limiter.current_rate(),
            5.0,
            "back at the limit after ~K = 1.38 s"
        );
    }

    #[tokio::test]
    async fn cancellation_ends_the_wait() {
        let limiter = OperationLimiter::new("GetFlow", nz(1), None);
        let cancel = CancellationToken::new();
        limiter.until_ready(&cancel).await.unwrap();
        let canceller = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            canceller.cancel();
        });
        let started = Instant::now();
        assert_eq!(limiter.until_ready(&cancel).await, None);
        assert!(started.elapsed() < Duration::from_millis(800));
    }

    #[test]
    fn a_budget_is_opened_once_per_directory_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let a = host_budget_for(dir.path(), "AK-registry").unwrap();
        let b = host_budget_for(dir.path(), "AK-registry").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let other = host_budget_for(dir.path(), "AK-registry-2").unwrap();
        assert!(!Arc::ptr_eq(&a, &other));
    }

    #[test]
    fn an_unusable_directory_gives_no_budget() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().unwrap();
        let open_dir = base.path().join("open");
        std::fs::create_dir(&open_dir).unwrap();
        std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(host_budget_for(&open_dir, "AK-registry").is_none());
        // Remembered: not tried (nor logged) again.
        std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(host_budget_for(&open_dir, "AK-registry").is_none());
    }
}
