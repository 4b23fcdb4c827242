//! Client-side pacing of CAMS calls: the sliding window each operation's
//! limiter keeps (the limiters themselves, one per AccessKeyId, operation
//! and rate, are handed out by [`super::limiters`]). Each operation has its own documented limit per account
//! (see [`Operation::documented_rate_per_second`]), so a burst of
//! `GetFlow` calls does not hold back an `UpdateFlowJSONAsset`.
//!
//! The limiter ([`super::limiter`]) keeps the window below in the
//! host-wide budget file when it may, so that the user's other provider
//! processes on this machine count the same sends, and slows down after
//! throttling answers ([`super::adaptive_rate`]). [`Pacer`] is the window
//! kept in this process.
//!
//! CAMS allows e.g. 5 `GetFlowJSONAssest` calls per second per account and
//! drops the sixth call in any sliding one-second window. Two shapes are safe
//! against such a window:
//!
//! * a token bucket with burst 1 (calls evenly spaced, 1/rate apart): safe,
//!   but 40 calls take 39 intervals, ≈ 8.2 s at 5/s with a margin, where the
//!   server would accept them in 7 s;
//! * a sliding window of our own, slightly longer than the server's: at most
//!   `rate` calls in any window, so 5 go out at once and the next 5 a window
//!   later, reaching the 7 s floor (plus the margin).
//!
//! A token bucket with a burst of `rate` is *not* safe: after a burst of 5 it
//! refills one token per 1/rate and sends a sixth call 200 ms later, inside
//! the server's window. So the pacer is a sliding window, built from `rate`
//! governor cells that each admit one call per window: any window then holds
//! at most one call per cell. The window is stretched by a margin so that a
//! call delayed a little on the way out and a later one sent on time still
//! land more than a server window apart.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock as _;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// The highest rate the pacer tracks call by call; faster rates are capped
/// here (the provider accepts at most 1000).
pub(crate) const MAX_RATE_PER_SECOND: u32 = 1000;

/// Extra length of our window over the server's one second, in percent.
pub(crate) const SAFETY_MARGIN_PERCENT: u32 = 5;

/// The length of the pacing window: one second plus the margin.
pub fn window() -> Duration {
    Duration::from_millis(1000 + 10 * u64::from(SAFETY_MARGIN_PERCENT))
}

/// Admits at most `rate` calls in any [`window`].
#[derive(Debug)]
pub struct Pacer {
    /// One cell per call allowed in a window; each admits one call per
    /// window (a GCRA limiter with burst 1).
    cells: Vec<DefaultDirectRateLimiter>,
}

impl Pacer {
    pub fn new(per_second: NonZeroU32) -> Self {
        let count = per_second.get().min(MAX_RATE_PER_SECOND);
        // `window()` is never zero, so `with_period` always succeeds; the
        // fallback only keeps this free of panics.
        let quota = Quota::with_period(window())
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::MIN);
        Self {
            cells: (0..count).map(|_| RateLimiter::direct(quota)).collect(),
        }
    }

    /// Takes a free cell if one is free now, else says how long until the
    /// first one frees up.
    pub(crate) fn try_acquire(&self) -> Result<(), Duration> {
        let mut soonest = window();
        for cell in &self.cells {
            match cell.check() {
                Ok(()) => return Ok(()),
                Err(not_until) => {
                    soonest = soonest.min(not_until.wait_time_from(cell.clock().now()))
                }
            }
        }
        Err(soonest)
    }

    /// Waits until a call may go out, and counts it.
    pub(crate) async fn until_ready(&self) {
        while let Err(wait) = self.try_acquire() {
            // Several waiters may wake for one freed cell; the losers find
            // none free and wait again, which costs a few checks, no calls.
            tokio::time::sleep(wait.max(Duration::from_micros(100))).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    #[test]
    fn window_adds_the_margin() {
        assert_eq!(window(), Duration::from_millis(1050));
    }

    #[test]
    fn a_burst_of_rate_calls_then_a_wait_of_about_a_window() {
        let pacer = Pacer::new(nz(5));
        for i in 0..5 {
            assert!(pacer.try_acquire().is_ok(), "call {i} of the first burst");
        }
        let wait = pacer.try_acquire().expect_err("the sixth call must wait");
        assert!(wait > Duration::from_millis(1000), "{wait:?}");
        assert!(wait <= window(), "{wait:?}");
    }

    #[test]
    fn rates_above_the_maximum_are_capped() {
        let pacer = Pacer::new(NonZeroU32::MAX);
        assert_eq!(pacer.cells.len(), MAX_RATE_PER_SECOND as usize);
    }

    /// The property the server enforces: no more than `rate` calls in any
    /// one-second window (checked on the instants the pacer admitted).
    #[tokio::test]
    async fn no_window_of_one_second_holds_more_than_rate_calls() {
        let pacer = Arc::new(Pacer::new(nz(4)));
        let admitted = Arc::new(Mutex::new(Vec::new()));
        let start = Instant::now();
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (pacer, admitted) = (pacer.clone(), admitted.clone());
                tokio::spawn(async move {
                    pacer.until_ready().await;
                    admitted.lock().unwrap().push(Instant::now());
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let mut times = admitted.lock().unwrap().clone();
        times.sort();
        assert_eq!(times.len(), 10);
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .take_while(|u| u.duration_since(*t) < Duration::from_secs(1))
                .count();
            assert!(in_window <= 4, "{in_window} calls within 1 s of call {i}");
        }
        // 10 calls at 4 per window need two full windows; only a lower bound.
        assert!(
            start.elapsed() >= Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
    }
}
