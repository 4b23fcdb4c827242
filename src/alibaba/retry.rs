//! The retry loop shared by CAMS calls and file downloads: exponential
//! backoff with jitter (from `backon`), an attempt limit, a time budget, an
//! optional server-requested delay, and cancellation of both the waiting and
//! the attempt in flight.

use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBuilder};
use tokio_util::sync::CancellationToken;

/// Limits of the retry loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included (at least 1).
    pub max_attempts: u32,
    /// No retry is started if its backoff sleep would end later than this
    /// after the first attempt began.
    pub max_duration: Duration,
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
    /// after the next backoff delay.
    Retry { server_delay: Option<Duration> },
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

/// Runs `attempt(n)` (n = 1, 2, ...) until it succeeds, `classify` says
/// stop, or a limit is hit. `attempt` receives the attempt number. The
/// attempt future and every backoff sleep are raced against `cancel`;
/// dropping the attempt future aborts whatever it was doing (waiting for a
/// rate-limiter permit, an HTTP exchange).
pub(crate) async fn run<T, E, F, Fut, C>(
    policy: &RetryPolicy,
    cancel: &CancellationToken,
    operation: &str,
    mut attempt: F,
    mut classify: C,
) -> Result<T, RetryFailure<E>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    C: FnMut(&E) -> Verdict,
{
    let started = Instant::now();
    let mut backoff = ExponentialBuilder::new()
        .with_jitter()
        .with_min_delay(policy.initial_delay)
        .with_max_delay(policy.max_delay)
        .without_max_times()
        .build();
    let max_attempts = policy.max_attempts.max(1);
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        if cancel.is_cancelled() {
            return Err(RetryFailure::Cancelled {
                attempts: attempts - 1,
            });
        }
        let outcome = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(RetryFailure::Cancelled { attempts }),
            outcome = attempt(attempts) => outcome,
        };
        let error = match outcome {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let server_delay = match classify(&error) {
            Verdict::Stop => {
                return Err(RetryFailure::Failed {
                    error,
                    attempts,
                    gave_up: GiveUp::NotRetryable,
                })
            }
            Verdict::Retry { server_delay } => server_delay,
        };
        if attempts >= max_attempts {
            return Err(RetryFailure::Failed {
                error,
                attempts,
                gave_up: GiveUp::AttemptLimit,
            });
        }
        // Advance the backoff even when the server names the delay, so that
        // later retries without a server hint keep growing.
        let backoff_delay = backoff.next().unwrap_or(policy.max_delay);
        let delay = server_delay.unwrap_or(backoff_delay);
        if started.elapsed().saturating_add(delay) > policy.max_duration {
            return Err(RetryFailure::Failed {
                error,
                attempts,
                gave_up: GiveUp::TimeBudget(policy.max_duration),
            });
        }
        tracing::debug!(
            operation,
            attempt = attempts,
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
}
