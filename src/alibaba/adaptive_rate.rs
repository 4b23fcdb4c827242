//! Adaptive client-side rate, for contention this process cannot see:
//! other machines (or processes not sharing a host-wide budget) using the
//! same account. A throttling answer lowers the send rate; successes let it
//! climb back to the configured limit. Processes that all do this converge
//! on a share of the account's limit instead of burning their retries.
//!
//! The shape follows the AWS SDKs' "adaptive" retry mode, itself taken from
//! TCP CUBIC: on a throttle the rate drops to `BETA` times what it was
//! (`last_max`), then recovers along
//!
//! ```text
//! rate(t) = SCALE · (t − K)³ + last_max,   K = ∛(last_max · (1 − BETA) / SCALE)
//! ```
//!
//! (t since the drop): fast at first, flat near `last_max` (where the last
//! throttle happened), then probing beyond it. As in Google's SRE book on
//! client-side throttling, the point is to stop spending the shared budget
//! on requests the server will refuse; unlike it, nothing is refused
//! locally: a Terraform read must eventually succeed, so calls are slowed
//! down, never dropped.
//!
//! Three choices of ours:
//!
//! * one congestion event lowers the rate once: a throttle of a call sent
//!   before the last drop says nothing new (like TCP reducing once per
//!   round trip), so a burst of five refused calls is one drop, not five;
//! * the rate climbs only when a call succeeds, so a key that is refused
//!   every time stays slow however long it waits;
//! * below the limit, a send waits `1 / rate` after the previous one at the
//!   rate in force when it goes out, not at the rate of the moment it
//!   queued: otherwise calls queued right after a few throttles keep the
//!   floor rate long after the rate has recovered.
//!
//! Pure logic: every method takes the current time, so tests drive the
//! clock.

use std::time::{Duration, Instant};

/// The factor applied to the rate on a throttle (CUBIC's β, as in the AWS
/// SDKs).
pub const BETA: f64 = 0.7;

/// How fast the rate recovers, in calls per second per second³ (CUBIC's C,
/// as in the AWS SDKs).
pub const SCALE: f64 = 0.4;

/// The lowest rate, in calls per second: one call every two seconds still
/// finds out quickly when the contention is over.
pub(crate) const MIN_RATE_PER_SECOND: f64 = 0.5;

/// The send rate of one (AccessKeyId, operation) in this process.
#[derive(Debug, Clone)]
pub(crate) struct AdaptiveRate {
    /// The configured limit: the rate never exceeds it.
    cap: f64,
    /// The lowest rate (at most `cap`).
    floor: f64,
    /// The rate in force, calls per second.
    rate: f64,
    /// The rate when it was last lowered, where the recovery curve flattens.
    last_max: f64,
    /// When the rate was last lowered.
    last_drop: Option<Instant>,
    /// When the last send went out while the rate was below the cap.
    last_send: Option<Instant>,
}

impl AdaptiveRate {
    /// A rate starting at the configured limit, `cap_per_second` (> 0).
    pub fn new(cap_per_second: f64) -> Self {
        let cap = cap_per_second.max(f64::MIN_POSITIVE);
        Self {
            cap,
            floor: MIN_RATE_PER_SECOND.min(cap),
            rate: cap,
            last_max: cap,
            last_drop: None,
            last_send: None,
        }
    }

    /// The rate in force, calls per second.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// True while throttling keeps the rate below the configured limit.
    pub(crate) fn is_slowed(&self) -> bool {
        self.rate < self.cap
    }

    /// A call sent at `sent_at` was refused for throttling, seen at `now`.
    /// Returns whether the rate was lowered (false when the call was sent
    /// before the last drop, which already answered the same congestion).
    pub(crate) fn on_throttle(&mut self, sent_at: Instant, now: Instant) -> bool {
        if self.last_drop.is_some_and(|dropped| sent_at < dropped) {
            return false;
        }
        self.last_max = self.rate;
        self.rate = (self.rate * BETA).max(self.floor);
        self.last_drop = Some(now);
        true
    }

    /// A call succeeded at `now`: the rate climbs along the recovery curve.
    pub fn on_success(&mut self, now: Instant) {
        let Some(dropped) = self.last_drop else {
            return;
        };
        let t = now.saturating_duration_since(dropped).as_secs_f64();
        let k = (self.last_max * (1.0 - BETA) / SCALE).cbrt();
        let curve = SCALE * (t - k).powi(3) + self.last_max;
        self.rate = curve.max(self.rate).min(self.cap);
    }

    /// How long until the next send may go out: zero at the configured
    /// limit, where the caller's sliding window governs alone; below it,
    /// `1 / rate` after the last send, at the rate in force *now*. Asked
    /// again after a wait, because the rate may have risen meanwhile (a
    /// slot booked in advance would keep the rate of the moment it was
    /// booked, which after a few throttles is the floor).
    pub(crate) fn until_next_send(&self, now: Instant) -> Duration {
        match self.last_send {
            Some(last) if self.is_slowed() => {
                let next = last + Duration::from_secs_f64(1.0 / self.rate);
                next.saturating_duration_since(now)
            }
            _ => Duration::ZERO,
        }
    }

    /// A send went out at `now`.
    pub(crate) fn record_send(&mut self, now: Instant) {
        self.last_send = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn starts_at_the_limit_without_spacing() {
        let t0 = Instant::now();
        let mut rate = AdaptiveRate::new(5.0);
        assert_eq!(rate.rate(), 5.0);
        assert!(!rate.is_slowed());
        for _ in 0..10 {
            assert_eq!(rate.until_next_send(t0), Duration::ZERO);
            rate.record_send(t0);
        }
        // Successes without a throttle change nothing.
        rate.on_success(t0 + secs(10.0));
        assert_eq!(rate.rate(), 5.0);
    }

    #[test]
    fn a_throttle_lowers_the_rate_by_beta() {
        let t0 = Instant::now();
        let mut rate = AdaptiveRate::new(5.0);
        assert!(rate.on_throttle(t0, t0 + secs(0.1)));
        assert!(close(rate.rate(), 3.5), "{}", rate.rate());
        assert!(rate.is_slowed());
    }

    #[test]
    fn one_congestion_event_lowers_the_rate_once() {
        let t0 = Instant::now();
        let mut rate = AdaptiveRate::new(5.0);
        // Five calls sent together, all refused.
        assert!(rate.on_throttle(t0, t0 + secs(0.05)));
        for i in 1..5 {
            assert!(!rate.on_throttle(t0, t0 + secs(0.05 + 0.01 * f64::from(i))));
        }
        assert!(close(rate.rate(), 3.5));
        // A call sent after the drop and still refused lowers it again.
        assert!(rate.on_throttle(t0 + secs(0.3), t0 + secs(0.35)));
        assert!(close(rate.rate(), 3.5 * BETA), "{}", rate.rate());
    }

    #[test]
    fn the_rate_never_falls_below_the_floor() {
        let t0 = Instant::now();
        let mut rate = AdaptiveRate::new(5.0);
        for i in 0..50 {
            let t = t0 + secs(f64::from(i));
            rate.on_throttle(t, t);
        }
        assert_eq!(rate.rate(), MIN_RATE_PER_SECOND);
        // A limit below the floor is its own floor.
        let mut slow = AdaptiveRate::new(0.2);
        slow.on_throttle(t0, t0);
        assert_eq!(slow.rate(), 0.2);
    }

    #[test]
    fn recovery_follows_the_cubic_curve_up_to_the_limit() {
        let t0 = Instant::now();
        let mut rate = AdaptiveRate::new(10.0);
        rate.on_throttle(t0, t0); // 10 -> 7, last_max 10
        let k = (10.0 * (1.0 - BETA) / SCALE).cbrt(); // ≈ 1.957 s

        // Right after the drop the curve starts at the dropped rate.
        rate.on_success(t0);
        assert!(close(rate.rate(), 7.0), "{}", rate.rate());

        // Concave on the way up: half-way in time is well over half-way
        // in rate (7 + 3·(1 − 1/8) = 9.625).
        rate.on_success(t0 + secs(k / 2.0));
        assert!(close(rate.rate(), 9.625), "{}", rate.rate());

        // At K it is back where the throttle happened: the limit here.
        rate.on_success(t0 + secs(k));
        assert!(close(rate.rate(), 10.0), "{}", rate.rate());
        assert!(!rate.is_slowed());

        // And it stays capped however long it succeeds.
        rate.on_success(t0 + secs(60.0));
        assert_eq!(rate.rate(), 10.0);
    }

    #[test]
    fn recovery_probes_beyond_the_last_throttle_point() {
        let t0 = Instant::now();
        let mut rate = AdaptiveRate::new(10.0);
        rate.on_throttle(t0, t0); // 10 -> 7
        rate.on_throttle(t0 + secs(0.5), t0 + secs(0.5)); // 7 -> 4.9, last_max 7
        let t1 = t0 + secs(0.5);
        let k = (7.0 * (1.0 - BETA) / SCALE).cbrt();
        rate.on_success(t1 + secs(k));
        assert!(close(rate.rate(), 7.0), "{}", rate.rate());
        // Past K it grows beyond last_max: 0.4 · 1³ + 7.
        rate.on_success(t1 + secs(k + 1.0));
        assert!(close(rate.rate(), 7.4), "{}", rate.rate());
    }

    #[test]
    fn recovery_needs_successes() {
        let t0 = Instant::now();
        let mut rate = AdaptiveRate::new(5.0);
        rate.on_throttle(t0, t0);
        // Time alone does not raise it: a minute later sends are still
        // spaced at the lowered rate.
        let later = t0 + secs(60.0);
        rate.record_send(later);
        assert_eq!(rate.until_next_send(later), secs(1.0 / 3.5));
        assert!(close(rate.rate(), 3.5));
    }

    #[test]
    fn while_slowed_sends_are_spaced_at_the_rate_in_force() {
        let t0 = Instant::now();
        let mut rate = AdaptiveRate::new(4.0);
        rate.on_throttle(t0, t0);
        rate.on_throttle(t0 + secs(1.0), t0 + secs(1.0)); // 4 -> 2.8 -> 1.96
        let t = t0 + secs(1.0);
        // The first send after the drop goes at once.
        assert_eq!(rate.until_next_send(t), Duration::ZERO);
        rate.record_send(t);
        let gap = secs(1.0 / rate.rate());
        assert_eq!(rate.until_next_send(t), gap);
        assert_eq!(rate.until_next_send(t + gap / 2), gap / 2);
        // A success raises the rate: the wait for the same send shrinks,
        // as the next send is counted at the new rate.
        rate.on_success(t + secs(1.5));
        let faster = secs(1.0 / rate.rate());
        assert!(faster < gap, "{faster:?} vs {gap:?}");
        assert_eq!(rate.until_next_send(t), faster);
        // Back at the limit, no spacing at all.
        rate.on_success(t + secs(60.0));
        rate.record_send(t + secs(60.0));
        assert_eq!(rate.until_next_send(t + secs(60.0)), Duration::ZERO);
    }
}
