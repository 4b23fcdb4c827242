//! Per-caller sliding-window rate limit, as CAMS applies "5 QPS per account".
//!
//! Each key remembers when its accepted requests arrived. A request is
//! accepted if fewer than `limit` accepted requests happened in the last
//! second; dropped requests take no slot.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(1);

/// Sliding one-second windows keyed by caller.
#[derive(Debug)]
pub struct SlidingWindowLimiter {
    limit: u32,
    accepted: HashMap<String, VecDeque<Instant>>,
}

impl SlidingWindowLimiter {
    /// `limit` requests per second per key; 0 disables the limit.
    pub fn new(limit: u32) -> Self {
        SlidingWindowLimiter {
            limit,
            accepted: HashMap::new(),
        }
    }

    /// Accepts the request (`Ok`) or tells how long until a slot frees (`Err`).
    pub fn check(&mut self, key: &str, now: Instant) -> Result<(), Duration> {
        if self.limit == 0 {
            return Ok(());
        }
        let window = self.accepted.entry(key.to_string()).or_default();
        while window
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
        {
            window.pop_front();
        }
        if window.len() < self.limit as usize {
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
        let mut limiter = SlidingWindowLimiter::new(2);
        let t0 = Instant::now();
        assert!(limiter.check("a", t0).is_ok());
        assert!(limiter.check("a", t0 + Duration::from_millis(100)).is_ok());
        assert_eq!(
            limiter.check("a", t0 + Duration::from_millis(300)),
            Err(Duration::from_millis(700))
        );
        assert!(limiter.check("b", t0 + Duration::from_millis(300)).is_ok());
        // The first slot frees exactly one second after it was taken.
        assert!(limiter.check("a", t0 + Duration::from_millis(1000)).is_ok());
        assert_eq!(
            limiter.check("a", t0 + Duration::from_millis(1050)),
            Err(Duration::from_millis(50))
        );
    }

    #[test]
    fn zero_means_unlimited() {
        let mut limiter = SlidingWindowLimiter::new(0);
        let t0 = Instant::now();
        assert!((0..1000).all(|_| limiter.check("a", t0).is_ok()));
    }
}
