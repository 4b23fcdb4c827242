//! Client-side pacing of CAMS calls: one rate limiter per AccessKeyId (and
//! rate), shared by every client and every concurrent call in the process.
//!
//! CAMS allows 5 `GetFlowJSONAssest` calls per second per account and drops
//! the sixth call in any sliding one-second window. A token bucket with a
//! burst would happily send 5 calls at once and 5 more a second later, which
//! a sliding window can punish; so the bucket holds a single token (burst 1)
//! and calls go out evenly spaced. The spacing is stretched by a small
//! margin so that a request delayed a little on the way out and the next one
//! sent on time still land more than a window apart.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// The documented CAMS limit for `GetFlowJSONAssest`, per account.
pub const DEFAULT_RATE_PER_SECOND: u32 = 5;

/// Extra spacing between calls, in percent of the nominal 1/rate interval.
pub const SAFETY_MARGIN_PERCENT: u32 = 5;

type Registry = Mutex<HashMap<(String, NonZeroU32), Arc<DefaultDirectRateLimiter>>>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

/// The interval between two calls at `per_second`, margin included.
pub fn spacing(per_second: NonZeroU32) -> Duration {
    let nominal_nanos = 1_000_000_000u64 / u64::from(per_second.get());
    let with_margin = nominal_nanos * u64::from(100 + SAFETY_MARGIN_PERCENT) / 100;
    // At absurd rates (> 1e9/s) the interval would round to zero, which the
    // limiter cannot express; one nanosecond is "no pacing" in practice.
    Duration::from_nanos(with_margin.max(1))
}

/// The process-wide limiter for this AccessKeyId at this rate. Every caller
/// asking with the same pair gets the same limiter.
pub fn limiter_for(access_key_id: &str, per_second: NonZeroU32) -> Arc<DefaultDirectRateLimiter> {
    // A poisoned lock only means another thread panicked while inserting;
    // the map itself is still consistent, so keep using it.
    let mut map = registry().lock().unwrap_or_else(PoisonError::into_inner);
    map.entry((access_key_id.to_owned(), per_second))
        .or_insert_with(|| Arc::new(new_limiter(per_second)))
        .clone()
}

fn new_limiter(per_second: NonZeroU32) -> DefaultDirectRateLimiter {
    // `spacing` is never zero, so `with_period` always succeeds; the
    // fallback only keeps this free of panics.
    let quota = Quota::with_period(spacing(per_second))
        .unwrap_or_else(|| Quota::per_second(per_second))
        .allow_burst(NonZeroU32::MIN);
    RateLimiter::direct(quota)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    #[test]
    fn spacing_adds_the_margin() {
        assert_eq!(spacing(nz(5)), Duration::from_millis(210));
        assert_eq!(spacing(nz(1)), Duration::from_millis(1050));
        assert!(spacing(NonZeroU32::MAX) > Duration::ZERO);
    }

    #[test]
    fn same_key_and_rate_share_one_limiter() {
        let a = limiter_for("pacing-test-ak", nz(5));
        let b = limiter_for("pacing-test-ak", nz(5));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &limiter_for("pacing-test-ak-2", nz(5))));
        assert!(!Arc::ptr_eq(&a, &limiter_for("pacing-test-ak", nz(4))));
    }

    #[test]
    fn burst_is_one() {
        let limiter = limiter_for("pacing-test-burst", nz(5));
        assert!(limiter.check().is_ok());
        assert!(
            limiter.check().is_err(),
            "a second immediate call must wait"
        );
    }

    #[tokio::test]
    async fn permits_are_evenly_spaced() {
        let limiter = limiter_for("pacing-test-spacing", nz(20));
        let start = Instant::now();
        for _ in 0..5 {
            limiter.until_ready().await;
        }
        // 4 gaps of 52.5 ms each; generous bound only from below.
        assert!(
            start.elapsed() >= Duration::from_millis(200),
            "{:?}",
            start.elapsed()
        );
    }
}
