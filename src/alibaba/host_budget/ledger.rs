//! The content of a budget file: the recent send times of each operation,
//! and the one decision made on them (may a call go out now, or how long
//! until it may). Pure: no file, no clock.
//!
//! The text form, one line per operation, is small and readable by a person
//! debugging a stuck run:
//!
//! ```text
//! cams-host-budget 1
//! GetFlowJSONAssest 1764163215123456 1764163215301002
//! ```
//!
//! Times are microseconds since the Unix epoch. Nothing else is stored: no
//! key, no account, no process id.

use std::collections::BTreeMap;
use std::time::Duration;

/// The first line of every budget file; a file starting otherwise (another
/// version, or garbage left by a crash) is read as empty.
const HEADER: &str = "cams-host-budget 1";

/// The most send times kept per operation: the highest rate the pacer
/// tracks, so a process with a high limit never loses sends it must count.
pub(crate) const MAX_SENDS_PER_OPERATION: usize =
    super::super::pacing::MAX_RATE_PER_SECOND as usize;

/// The most operations a file tracks; CAMS has about a dozen.
pub const MAX_OPERATIONS: usize = 64;

/// The longest window a caller may use. Sends of other operations older
/// than this are dropped, so the file stays small whatever is asked.
pub const MAX_WINDOW: Duration = Duration::from_secs(60);

/// Longest accepted operation name (CAMS action names are ~30 characters).
const MAX_OPERATION_NAME: usize = 64;

/// The largest file read; anything bigger is not one we wrote and is read
/// as empty. Bounds memory whatever another process left there.
pub(crate) const MAX_FILE_BYTES: u64 = 4 << 20;

/// Recent send times per operation name, oldest first.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ledger {
    sends: BTreeMap<String, Vec<u64>>,
}

/// The answer to "may a call go out now?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Yes; the send was recorded at this time (µs since the epoch).
    Admitted(u64),
    /// No; the oldest send that counts leaves the window after this long.
    Wait(Duration),
}

/// True for names this file can store: ASCII letters, digits, `_`, `.`, `-`.
pub(crate) fn is_valid_operation(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_OPERATION_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

impl Ledger {
    /// Reads a file's bytes. Never fails: lines that do not parse are
    /// skipped, and an unknown header gives an empty ledger, because a
    /// budget that forgets a few sends costs at most one throttled call,
    /// while a budget that refuses to work stops every run.
    pub fn parse(bytes: &[u8]) -> Self {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Self::default();
        };
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Self::default();
        }
        let mut sends = BTreeMap::new();
        for line in lines {
            let mut fields = line.split(' ');
            let Some(name) = fields.next().filter(|n| is_valid_operation(n)) else {
                continue;
            };
            let mut times: Vec<u64> = fields.filter_map(|f| f.parse().ok()).collect();
            times.sort_unstable();
            let keep_from = times.len().saturating_sub(MAX_SENDS_PER_OPERATION);
            times.drain(..keep_from);
            if sends.len() < MAX_OPERATIONS {
                sends.insert(name.to_owned(), times);
            }
        }
        Self { sends }
    }

    /// The text form (see the module docs).
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut text = String::from(HEADER);
        text.push('\n');
        for (name, times) in &self.sends {
            text.push_str(name);
            for t in times {
                text.push(' ');
                text.push_str(&t.to_string());
            }
            text.push('\n');
        }
        text.into_bytes()
    }

    /// The recorded sends of `operation`, oldest first.
    pub fn sends(&self, operation: &str) -> &[u64] {
        self.sends.get(operation).map_or(&[], Vec::as_slice)
    }

    /// Admits a send of `operation` at `now_us` if fewer than `limit` sends
    /// of it fall in the `window` ending now, recording it; otherwise says
    /// how long until one leaves the window. Also forgets what no caller can
    /// need any more, which keeps the file bounded.
    ///
    /// Sends recorded "in the future" (the wall clock was set back, or the
    /// machine rebooted) count as sent now: that may hold a call back for
    /// one window, never let an extra one through. The caller writes the
    /// ledger back when [`Ledger::repair_future`] changed it, so the next
    /// look sees them at that time and a step back of the clock costs one
    /// window, not its own length.
    pub fn admit(
        &mut self,
        operation: &str,
        now_us: u64,
        limit: u32,
        window: Duration,
    ) -> Decision {
        let window_us = micros(window.min(MAX_WINDOW));
        self.forget_stale(now_us);
        let times = self.sends.entry(operation.to_owned()).or_default();
        for t in times.iter_mut() {
            *t = (*t).min(now_us);
        }
        times.sort_unstable();
        let window_start = now_us.saturating_sub(window_us);
        // A send exactly one window old has left it: the server counts
        // sends within less than a window of each other.
        times.retain(|&t| t > window_start);
        let limit = (limit as usize).clamp(1, MAX_SENDS_PER_OPERATION);
        if times.len() >= limit {
            // The limit-th newest send must leave before another goes out.
            let blocking = times[times.len() - limit];
            return Decision::Wait(Duration::from_micros(blocking + window_us - now_us));
        }
        times.push(now_us);
        Decision::Admitted(now_us)
    }

    /// Moves every send recorded later than `now_us` to `now_us` (see
    /// [`Ledger::admit`]); true when there was one.
    pub fn repair_future(&mut self, now_us: u64) -> bool {
        let mut repaired = false;
        for times in self.sends.values_mut() {
            for t in times.iter_mut().filter(|t| **t > now_us) {
                *t = now_us;
                repaired = true;
            }
        }
        repaired
    }

    /// Drops sends older than [`MAX_WINDOW`], operations left with none, and
    /// the least recently used operations beyond [`MAX_OPERATIONS`].
    fn forget_stale(&mut self, now_us: u64) {
        let horizon = now_us.saturating_sub(micros(MAX_WINDOW));
        for times in self.sends.values_mut() {
            times.retain(|&t| t > horizon);
        }
        self.sends.retain(|_, times| !times.is_empty());
        while self.sends.len() >= MAX_OPERATIONS {
            let least_recent = self
                .sends
                .iter()
                .min_by_key(|(_, times)| times.last().copied().unwrap_or(0))
                .map(|(name, _)| name.clone());
            match least_recent {
                Some(name) => self.sends.remove(&name),
                None => break,
            };
        }
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: &str = "GetFlowJSONAssest";
    const W: Duration = Duration::from_millis(1000);

    #[test]
    fn admits_up_to_the_limit_then_names_the_wait() {
        let mut ledger = Ledger::default();
        for i in 0..3 {
            let now = 10_000_000 + i * 100_000;
            assert_eq!(ledger.admit(OP, now, 3, W), Decision::Admitted(now));
        }
        // The first send (at 10.0 s) leaves the window at 11.0 s.
        assert_eq!(
            ledger.admit(OP, 10_500_000, 3, W),
            Decision::Wait(Duration::from_millis(500))
        );
        assert_eq!(
            ledger.admit(OP, 11_000_000, 3, W),
            Decision::Admitted(11_000_000)
        );
        assert_eq!(ledger.sends(OP), &[10_100_000, 10_200_000, 11_000_000]);
    }

    #[test]
    fn operations_have_separate_budgets() {
        let mut ledger = Ledger::default();
        assert!(matches!(
            ledger.admit(OP, 1_000_000, 1, W),
            Decision::Admitted(_)
        ));
        assert!(matches!(
            ledger.admit(OP, 1_000_001, 1, W),
            Decision::Wait(_)
        ));
        assert!(matches!(
            ledger.admit("GetFlow", 1_000_002, 1, W),
            Decision::Admitted(_)
        ));
    }

    #[test]
    fn a_lower_limit_counts_the_sends_of_a_higher_one() {
        let mut ledger = Ledger::default();
        for i in 0..5 {
            assert!(matches!(
                ledger.admit(OP, 1_000_000 + i, 5, W),
                Decision::Admitted(_)
            ));
        }
        // A process configured for 2 per window counts all 5 sends and
        // waits for the second newest (sent at 1_000_003) to leave.
        assert_eq!(
            ledger.admit(OP, 1_000_010, 2, W),
            Decision::Wait(Duration::from_micros(1_000_003 + 1_000_000 - 1_000_010))
        );
    }

    #[test]
    fn sends_in_the_future_count_as_sent_now() {
        let mut ledger = Ledger::default();
        assert!(matches!(
            ledger.admit(OP, 50_000_000, 1, W),
            Decision::Admitted(_)
        ));
        // The clock went back by 20 s: the send still blocks a full window.
        assert_eq!(ledger.admit(OP, 30_000_000, 1, W), Decision::Wait(W));
    }

    #[test]
    fn future_sends_of_every_operation_are_repaired_to_now() {
        let mut ledger =
            Ledger::parse(b"cams-host-budget 1\nGetFlow 5000000 90000000\nListFlow 80000000\n");
        assert!(ledger.repair_future(30_000_000));
        assert_eq!(ledger.sends("GetFlow"), &[5_000_000, 30_000_000]);
        assert_eq!(ledger.sends("ListFlow"), &[30_000_000]);
        assert!(!ledger.repair_future(30_000_000), "nothing left to repair");
    }

    #[test]
    fn text_form_round_trips_and_holds_only_names_and_times() {
        let mut ledger = Ledger::default();
        ledger.admit(OP, 1_764_163_215_123_456, 5, W);
        ledger.admit("GetFlow", 1_764_163_215_200_000, 5, W);
        let bytes = ledger.to_bytes();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "cams-host-budget 1\nGetFlow 1764163215200000\nGetFlowJSONAssest 1764163215123456\n"
        );
        assert_eq!(Ledger::parse(&bytes), ledger);
    }

    #[test]
    fn garbage_reads_as_empty_or_is_skipped() {
        assert_eq!(Ledger::parse(b"\xff\xfe"), Ledger::default());
        assert_eq!(
            Ledger::parse(b"something else\nGetFlow 1\n"),
            Ledger::default()
        );
        let ledger = Ledger::parse(b"cams-host-budget 1\nbad/name 5\nGetFlow 7 x 3\n\n");
        assert_eq!(ledger.sends("GetFlow"), &[3, 7]);
        assert_eq!(ledger.sends("bad/name"), &[] as &[u64]);
    }

    #[test]
    fn stays_bounded_in_operations_and_sends() {
        let mut ledger = Ledger::default();
        let now = 100_000_000;
        for i in 0..(MAX_OPERATIONS as u64 + 10) {
            ledger.admit(&format!("Op{i}"), now + i, 1, W);
        }
        assert!(ledger.sends.len() <= MAX_OPERATIONS);
        assert!(ledger
            .sends
            .contains_key(&format!("Op{}", MAX_OPERATIONS + 9)));
        assert!(
            !ledger.sends.contains_key("Op0"),
            "the least recent goes first"
        );

        let many: String = (0..5000).map(|t| format!(" {t}")).collect();
        let parsed = Ledger::parse(format!("cams-host-budget 1\n{OP}{many}\n").as_bytes());
        assert_eq!(parsed.sends(OP).len(), MAX_SENDS_PER_OPERATION);
        assert_eq!(parsed.sends(OP)[0], 5000 - MAX_SENDS_PER_OPERATION as u64);
    }

    #[test]
    fn old_sends_of_other_operations_are_forgotten() {
        let mut ledger = Ledger::default();
        ledger.admit("GetFlow", 1_000_000, 5, W);
        ledger.admit(OP, 1_000_000 + micros(MAX_WINDOW) + 1, 5, W);
        assert_eq!(ledger.sends("GetFlow"), &[] as &[u64]);
    }

    #[test]
    fn operation_names_are_checked() {
        assert!(is_valid_operation("GetFlowJSONAssest"));
        assert!(!is_valid_operation(""));
        assert!(!is_valid_operation("a b"));
        assert!(!is_valid_operation("x\n1 2"));
        assert!(!is_valid_operation(&"a".repeat(65)));
    }
}
