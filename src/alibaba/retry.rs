//! The retry loop shared by CAMS calls and file downloads: exponential
//! backoff with jitter (from `backon`), an attempt limit and a time budget
//! for faults, a separate time budget for throttling, an optional
//! server-requested delay, and cancellation of both the waiting and the
//! attempt in flight.
//!
//! Throttling is not a fault: the account's request budget is shared with
//! other processes and machines, and a call that waits its turn gets
//! through. So throttling answers are retried for as long as
//! [`RetryPolicy::throttle_budget`] allows, however many there are, while
//! the attempt limit and [`RetryPolicy::max_duration`] bound the attempts
//! that failed for other reasons.

use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBuilder};
use tokio_util::sync::CancellationToken;

/// How long throttling answers are retried by default: long enough for a
/// few concurrent runs on one account to take their turns, short enough to
/// end a run that will never get through.
pub(crate) const DEFAULT_THROTTLE_BUDGET: Duration = Duration::from_secs(300);

/// Limits of the retry loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts that may fail for other reasons than throttling, the first
    /// one included (at least 1); with no throttling, the attempts in total.
    pub max_attempts: u32,
    /// No retry after a fault is started if its backoff sleep would end
    /// later than this after the first attempt that failed for a fault
    /// began (with no throttling: after the first attempt began).
    pub max_duration: Duration,
    /// No retry after a throttling answer is started if its sleep would
    /// end later than this after the first attempt began.
    pub throttle_budget: Duration,
    /// The first backoff delay, before jitter (jitter adds up to 100%).
    pub initial_delay: Duration,
    /// The largest backoff delay, before jitter.
    pub max_delay: Duration,
}

/// What the caller decides about a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Give up: asking again would not help.
    Stop,
    /// Try again, after the server's requested delay if it gave one, else
    /// after the next backoff delay; counts against the attempt limit.
    Retry { server_delay: Option<Duration> },
    /// The server refused the call for its request rate: try again as
    /// [`Verdict::Retry`] does, within the throttling time budget instead
    /// of the attempt limit.
    Throttled { server_delay: Option<Duration> },
}

/// Why the loop stopped retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// The last error is not one that a retry can fix.
    NotRetryable,
    /// `max_attempts` attempts were made.
    AttemptLimit,
    /// Waiting for the next attempt would have exceeded the time budget.
    TimeBudget(Duration),
    /// Throttled for longer than the throttling time budget allows.
    ThrottleBudget(Duration),
}

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GiveUp::NotRetryable => f.write_str("not retryable"),
            GiveUp::AttemptLimit => f.write_str("attempt limit reached"),
            GiveUp::TimeBudget(budget) => {
                write!(
                    f,
                    "retry time budget of {} s exhausted",
                    budget.as_secs_f64()
                )
            }
            GiveUp::ThrottleBudget(budget) => {
                write!(
                    f,
                    "still throttled after {} s of retries",
                    budget.as_secs_f64()
                )
            }
        }
    }
}

/// How a retried operation ended without success.
#[derive(Debug)]
pub(crate) enum RetryFailure<E> {
    Failed {
        error: E,
        attempts: u32,
        gave_up: GiveUp,
    },
    /// The token was cancelled; `attempts` counts attempts started.
    Cancelled { attempts: u32 },
}

/// What cancellation does to the attempt in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InFlight {
    /// Drop it: the request did nothing that asking again would not undo
    /// (reads, idempotent changes).
    Abandon,
    /// Let it finish: its request may change something that only its
    /// answer names (`CreateFlow` returns the id of the flow it made). The
    /// attempt itself then ends on cancellation before its request is
    /// sent, and bounds its wait for the answer; the loop only stops
    /// sleeping and starting new attempts.
    Finish,
}

/// Runs `attempt(n)` (n = 1, 2, ...) until it succeeds, `classify` says
/// stop, or a limit is hit. `attempt` receives the attempt number. The
/// attempt future and every backoff sleep are raced against `cancel`;
/// dropping the attempt future aborts whatever it was doing (waiting for a
/// rate-limiter permit, an HTTP exchange).
pub(crate) async fn run<T, E, F, Fut, C>(
    policy: &RetryPolicy,
    cancel: &CancellationToken,
    operation: &str,
    attempt: F,
    classify: C,
) -> Result<T, RetryFailure<E>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    C: FnMut(&E) -> Verdict,
{
    run_with(
        policy,
        cancel,
        operation,
        InFlight::Abandon,
        attempt,
        classify,
    )
    .await
}

/// [`run`], with the attempt in flight at cancellation handled as
/// `in_flight` says.
pub(crate) async fn run_with<T, E, F, Fut, C>(
    policy: &RetryPolicy,
    cancel: &CancellationToken,
    operation: &str,
    in_flight: InFlight,
    mut attempt: F,
    mut classify: C,
) -> Result<T, RetryFailure<E>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    C: FnMut(&E) -> Verdict,
{
    let started = Instant::now();
    let backoff = || {
        ExponentialBuilder::new()
            .with_jitter()
            .with_min_delay(policy.initial_delay)
            .with_max_delay(policy.max_delay)
            .without_max_times()
            .build()
    };
    // Two sequences, so that a run of throttling answers does not leave a
    // later fault with a long first backoff, nor the reverse.
    let (mut fault_backoff, mut throttle_backoff) = (backoff(), backoff());
    let max_attempts = policy.max_attempts.max(1);
    let mut attempts = 0u32;
    let mut faults = 0u32;
    let mut first_fault_started: Option<Instant> = None;
    loop {
        attempts += 1;
        if cancel.is_cancelled() {
            return Err(RetryFailure::Cancelled {
                attempts: attempts - 1,
            });
        }
        let attempt_started = Instant::now();
        let outcome = match in_flight {
            InFlight::Abandon => tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(RetryFailure::Cancelled { attempts }),
                outcome = attempt(attempts) => outcome,
            },
            InFlight::Finish => attempt(attempts).await,
        };
        let error = match outcome {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let (server_delay, throttled) = match classify(&error) {
            Verdict::Stop => {
                return Err(RetryFailure::Failed {
                    error,
                    attempts,
                    gave_up: GiveUp::NotRetryable,
                })
            }
            Verdict::Retry { server_delay } => (server_delay, false),
            Verdict::Throttled { server_delay } => (server_delay, true),
        };
        // Advance the backoff even when the server names the delay, so that
        // later retries without a server hint keep growing.
        let (delay, budget_start, budget, over_budget) = if throttled {
            let backoff_delay = throttle_backoff.next().unwrap_or(policy.max_delay);
            (
                server_delay.unwrap_or(backoff_delay),
                started,
                policy.throttle_budget,
                GiveUp::ThrottleBudget(policy.throttle_budget),
            )
        } else {
            faults += 1;
            if faults >= max_attempts {
                return Err(RetryFailure::Failed {
                    error,
                    attempts,
                    gave_up: GiveUp::AttemptLimit,
                });
            }
            let backoff_delay = fault_backoff.next().unwrap_or(policy.max_delay);
            (
                server_delay.unwrap_or(backoff_delay),
                *first_fault_started.get_or_insert(attempt_started),
                policy.max_duration,
                GiveUp::TimeBudget(policy.max_duration),
            )
        };
        if budget_start.elapsed().saturating_add(delay) > budget {
            return Err(RetryFailure::Failed {
                error,
                attempts,
                gave_up: over_budget,
            });
        }
        tracing::debug!(
            operation,
            attempt = attempts,
            throttled,
            delay_ms = delay.as_millis() as u64,
            server_requested = server_delay.is_some(),
            "retrying after a backoff"
        );
        tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(RetryFailure::Cancelled { attempts }),
            () = tokio::time::sleep(delay) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn policy(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            max_duration: Duration::from_secs(30),
            throttle_budget: Duration::from_secs(30),
            initial_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        }
    }

    #[tokio::test]
    async fn retries_until_success() {
        let calls = AtomicU32::new(0);
        let result: Result<u32, RetryFailure<&str>> = run(
            &policy(5),
            &CancellationToken::new(),
            "test",
            |n| {
                calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < 3 {
                        Err("transient")
                    } else {
                        Ok(n)
                    }
                }
            },
            |_| Verdict::Retry { server_delay: None },
        )
        .await;
        assert_eq!(result.unwrap(), 3);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn stops_at_the_attempt_limit() {
        let result: Result<(), _> = run(
            &policy(4),
            &CancellationToken::new(),
            "test",
            |_| async { Err("always") },
            |_| Verdict::Retry { server_delay: None },
        )
        .await;
        match result {
            Err(RetryFailure::Failed {
                attempts, gave_up, ..
            }) => {
                assert_eq!((attempts, gave_up), (4, GiveUp::AttemptLimit));
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn stop_verdict_ends_after_one_attempt() {
        let result: Result<(), _> = run(
            &policy(5),
            &CancellationToken::new(),
            "test",
            |_| async { Err("fatal") },
            |_| Verdict::Stop,
        )
        .await;
        assert!(matches!(
            result,
            Err(RetryFailure::Failed {
                attempts: 1,
                gave_up: GiveUp::NotRetryable,
                ..
            })
        ));
    }

    #[tokio::test]
    async fn a_server_delay_beyond_the_budget_gives_up_at_once() {
        let mut p = policy(5);
        p.max_duration = Duration::from_secs(1);
        let started = Instant::now();
        let result: Result<(), _> = run(
            &p,
            &CancellationToken::new(),
            "test",
            |_| async { Err("throttled") },
            |_| Verdict::Retry {
                server_delay: Some(Duration::from_secs(10)),
            },
        )
        .await;
        assert!(matches!(
            result,
            Err(RetryFailure::Failed {
                attempts: 1,
                gave_up: GiveUp::TimeBudget(_),
                ..
            })
        ));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn an_already_cancelled_token_makes_no_attempt() {
        let cancel = CancellationToken::new();
        cancel.cancel();
        let calls = AtomicU32::new(0);
        let result: Result<(), RetryFailure<&str>> = run(
            &policy(5),
            &cancel,
            "test",
            |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Ok(()) }
            },
            |_| Verdict::Stop,
        )
        .await;
        assert!(matches!(
            result,
            Err(RetryFailure::Cancelled { attempts: 0 })
        ));
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }
    /// Fails with the given verdicts in turn, then succeeds; records when
    /// each attempt started.
    async fn scripted(
        p: &RetryPolicy,
        script: &[Verdict],
    ) -> (Result<u32, RetryFailure<usize>>, Vec<Instant>) {
        let starts = std::sync::Mutex::new(Vec::new());
        let result = run(
            p,
            &CancellationToken::new(),
            "test",
            |n| {
                starts.lock().unwrap().push(Instant::now());
                let index = n as usize - 1;
                async move {
                    if index < script.len() {
                        Err(index)
                    } else {
                        Ok(n)
                    }
                }
            },
            |&index| script[index],
        )
        .await;
        (result, starts.into_inner().unwrap())
    }

    const THROTTLED: Verdict = Verdict::Throttled { server_delay: None };
    const FAULT: Verdict = Verdict::Retry { server_delay: None };

    #[tokio::test]
    async fn throttling_is_retried_beyond_the_attempt_limit() {
        let (result, starts) = scripted(&policy(2), &[THROTTLED; 6]).await;
        assert_eq!(result.unwrap(), 7);
        assert_eq!(starts.len(), 7);
    }

    #[tokio::test]
    async fn throttling_does_not_use_up_the_attempts_of_faults() {
        // Two attempts may fail for faults: one fault among throttles is fine.
        let script = [THROTTLED, THROTTLED, FAULT, THROTTLED];
        assert_eq!(scripted(&policy(2), &script).await.0.unwrap(), 5);
        // The second fault ends it, whatever came between.
        let script = [FAULT, THROTTLED, THROTTLED, FAULT, THROTTLED];
        match scripted(&policy(2), &script).await.0 {
            Err(RetryFailure::Failed {
                attempts, gave_up, ..
            }) => assert_eq!((attempts, gave_up), (4, GiveUp::AttemptLimit)),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn throttling_stops_at_its_time_budget_honouring_the_server_delay() {
        let mut p = policy(2);
        p.throttle_budget = Duration::from_millis(500);
        let wait = Verdict::Throttled {
            server_delay: Some(Duration::from_millis(150)),
        };
        let (result, starts) = scripted(&p, &[wait; 20]).await;
        match result {
            Err(RetryFailure::Failed {
                attempts, gave_up, ..
            }) => {
                // Attempts at 0, 150, 300, 450 ms; a fifth would start at 600.
                assert_eq!(attempts, 4);
                assert_eq!(gave_up, GiveUp::ThrottleBudget(p.throttle_budget));
            }
            other => panic!("{other:?}"),
        }
        for pair in starts.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(150));
        }
        assert!(starts[0].elapsed() < Duration::from_millis(500));
    }

    #[tokio::test]
    async fn the_fault_time_budget_starts_at_the_first_fault() {
        let mut p = policy(10);
        p.max_duration = Duration::from_millis(300);
        p.throttle_budget = Duration::from_secs(10);
        let throttled = Verdict::Throttled {
            server_delay: Some(Duration::from_millis(200)),
        };
        let fault = Verdict::Retry {
            server_delay: Some(Duration::from_millis(100)),
        };
        // 400 ms of throttling, then a fault whose retry is within 300 ms
        // of that fault: retried.
        let (result, _) = scripted(&p, &[throttled, throttled, fault]).await;
        assert_eq!(result.unwrap(), 4);
    }

    /// An attempt during which the token is cancelled, answering
    /// `answer`: abandoned, or awaited to its answer.
    async fn cancelled_mid_attempt(
        in_flight: InFlight,
        answer: Result<u32, &'static str>,
    ) -> (Result<u32, RetryFailure<&'static str>>, u32) {
        let cancel = CancellationToken::new();
        let calls = AtomicU32::new(0);
        let result = run_with(
            &policy(5),
            &cancel,
            "test",
            in_flight,
            |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                let cancel = cancel.clone();
                async move {
                    cancel.cancel();
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    answer
                }
            },
            |_| Verdict::Throttled { server_delay: None },
        )
        .await;
        (result, calls.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn a_finishing_attempt_is_awaited_after_cancellation() {
        let (abandoned, calls) = cancelled_mid_attempt(InFlight::Abandon, Ok(7)).await;
        assert!(
            matches!(abandoned, Err(RetryFailure::Cancelled { attempts: 1 })),
            "{abandoned:?}"
        );
        assert_eq!(calls, 1);
        let (finished, calls) = cancelled_mid_attempt(InFlight::Finish, Ok(7)).await;
        assert_eq!(finished.unwrap(), 7);
        assert_eq!(calls, 1);
        // A retryable answer after cancellation starts no other attempt.
        let (finished, calls) = cancelled_mid_attempt(InFlight::Finish, Err("throttled")).await;
        assert!(
            matches!(finished, Err(RetryFailure::Cancelled { attempts: 1 })),
            "{finished:?}"
        );
        assert_eq!(calls, 1);
    }
}
