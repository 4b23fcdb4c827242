//! Per-caller, per-operation sliding-window rate limit, as CAMS applies
//! "N QPS per account" to each operation.
//!
//! Each key remembers when its accepted requests arrived. A request is
//! accepted if fewer than `limit` accepted requests happened in the last
//! second; dropped requests take no slot.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(1);

/// Sliding one-second windows keyed by caller and operation.
#[derive(Debug, Default)]
pub struct SlidingWindowLimiter {
    accepted: HashMap<String, VecDeque<Instant>>,
}

impl SlidingWindowLimiter {
    pub fn new() -> Self {
        SlidingWindowLimiter::default()
    }

    /// Accepts the request (`Ok`) or tells how long until a slot frees
    /// (`Err`); `limit` requests per second for this key, 0 = unlimited.
    pub fn check(&mut self, key: &str, limit: u32, now: Instant) -> Result<(), Duration> {
        if limit == 0 {
            return Ok(());
        }
        let window = self.accepted.entry(key.to_string()).or_default();
        while window
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
        {
            window.pop_front();
        }
        if window.len() < limit as usize {
            window.push_back(now);
            return Ok(());
        }
        // The oldest accepted request leaves the window first.
        let oldest = window.front().copied().unwrap_or(now);
        Err(WINDOW.saturating_sub(now.saturating_duration_since(oldest)))
    }

    /// Forgets every window (used by `/_emulator/reset`).
    pub fn clear(&mut self) {
        self.accepted.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_limit_per_second_per_key() {
        let mut limiter = SlidingWindowLimiter::new();
        let t0 = Instant::now();
        assert!(limiter.check("a", 2, t0).is_ok());
        assert!(limiter
            .check("a", 2, t0 + Duration::from_millis(100))
            .is_ok());
        assert_eq!(
            limiter.check("a", 2, t0 + Duration::from_millis(300)),
            Err(Duration::from_millis(700))
        );
        assert!(limiter
            .check("b", 2, t0 + Duration::from_millis(300))
            .is_ok());
        // The first slot frees exactly one second after it was taken.
        assert!(limiter
            .check("a", 2, t0 + Duration::from_millis(1000))
            .is_ok());
        assert_eq!(
            limiter.check("a", 2, t0 + Duration::from_millis(1050)),
            Err(Duration::from_millis(50))
        );
    }

    #[test]
    fn zero_means_unlimited() {
        let mut limiter = SlidingWindowLimiter::new();
        let t0 = Instant::now();
        assert!((0..1000).all(|_| limiter.check("a", 0, t0).is_ok()));
    }
}
