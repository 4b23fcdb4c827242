//! Caching of temporary (STS / ECS) credentials.
//!
//! Credentials are refreshed a little before they expire: 5 minutes before,
//! or when less than a quarter of their lifetime is left if that is shorter
//! (short test durations). All callers share one refresh: the cache is a
//! tokio mutex held across the fetch, so concurrent callers wait for the one
//! request in flight instead of each sending their own.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::{Credentials, CredentialsError};

/// Refresh at most this long before expiry.
const MAX_REFRESH_MARGIN: Duration = Duration::minutes(5);

/// Credentials that expire.
#[derive(Clone, Debug)]
pub(crate) struct TemporaryCredentials {
    pub credentials: Credentials,
    pub expiration: OffsetDateTime,
}

pub(crate) type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

struct Cached {
    credentials: Credentials,
    expiration: OffsetDateTime,
    refresh_at: OffsetDateTime,
}

pub(crate) struct RefreshCache {
    state: tokio::sync::Mutex<Option<Cached>>,
    clock: Clock,
}

impl RefreshCache {
    pub fn new() -> Self {
        Self::with_clock(Arc::new(OffsetDateTime::now_utc))
    }

    pub(crate) fn with_clock(clock: Clock) -> Self {
        Self {
            state: tokio::sync::Mutex::new(None),
            clock,
        }
    }

    /// Cached credentials if still fresh, else the result of `fetch`.
    ///
    /// If a refresh fails while the cached credentials have not expired yet
    /// (we are only inside the refresh margin), the cached ones are returned
    /// and the next call tries again: a brief STS hiccup should not fail a
    /// Terraform run that still holds valid credentials.
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<Credentials, CredentialsError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TemporaryCredentials, CredentialsError>>,
    {
        let mut state = self.state.lock().await;
        let now = (self.clock)();
        if let Some(cached) = state.as_ref() {
            if now < cached.refresh_at {
                return Ok(cached.credentials.clone());
            }
        }
        match fetch().await {
            Ok(fresh) => {
                let refresh_at = refresh_time(now, fresh.expiration);
                tracing::debug!(
                    expiration = %fresh.expiration,
                    refresh_at = %refresh_at,
                    "obtained temporary credentials"
                );
                let credentials = fresh.credentials.clone();
                *state = Some(Cached {
                    credentials: fresh.credentials,
                    expiration: fresh.expiration,
                    refresh_at,
                });
                Ok(credentials)
            }
            Err(error) => match state.as_ref() {
                Some(cached) if (self.clock)() < cached.expiration => {
                    tracing::warn!(
                        error = %error,
                        expiration = %cached.expiration,
                        "refreshing temporary credentials failed; using the cached ones until they expire"
                    );
                    Ok(cached.credentials.clone())
                }
                _ => Err(error),
            },
        }
    }

    /// The expiration of the cached credentials, if any (for Debug output).
    fn cached_expiration(&self) -> Option<OffsetDateTime> {
        self.state
            .try_lock()
            .ok()
            .and_then(|state| state.as_ref().map(|c| c.expiration))
    }
}

impl fmt::Debug for RefreshCache {
    // Only the expiration: the credentials themselves stay out of Debug even
    // though `Credentials` redacts its secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshCache")
            .field("cached_until", &self.cached_expiration())
            .finish()
    }
}

/// When to refresh credentials obtained at `obtained` that expire at
/// `expiration`.
fn refresh_time(obtained: OffsetDateTime, expiration: OffsetDateTime) -> OffsetDateTime {
    let lifetime = expiration - obtained;
    if lifetime <= Duration::ZERO {
        // Already expired on arrival (clock skew): never serve from cache.
        return obtained;
    }
    expiration - std::cmp::min(MAX_REFRESH_MARGIN, lifetime / 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alibaba::credentials::Secret;
    use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

    fn t(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::seconds(seconds)
    }

    fn creds(n: usize) -> Credentials {
        Credentials {
            access_key_id: format!("STS.{n}"),
            access_key_secret: Secret::new("s"),
            security_token: Some(Secret::new("t")),
        }
    }

    /// A cache on a manual clock, and a fetch counter.
    struct Harness {
        cache: RefreshCache,
        now: Arc<AtomicI64>,
        fetches: AtomicUsize,
    }

    impl Harness {
        fn new() -> Self {
            let now = Arc::new(AtomicI64::new(0));
            let clock_now = now.clone();
            Self {
                cache: RefreshCache::with_clock(Arc::new(move || {
                    t(clock_now.load(Ordering::SeqCst))
                })),
                now,
                fetches: AtomicUsize::new(0),
            }
        }

        fn set_time(&self, seconds: i64) {
            self.now.store(seconds, Ordering::SeqCst);
        }

        /// Fetches credentials valid for `lifetime` seconds from now, or fails.
        async fn get(&self, lifetime: i64, fail: bool) -> Result<Credentials, CredentialsError> {
            self.cache
                .get(|| async {
                    let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
                    if fail {
                        return Err(CredentialsError::Invalid("sts down".into()));
                    }
                    Ok(TemporaryCredentials {
                        credentials: creds(n),
                        expiration: t(self.now.load(Ordering::SeqCst) + lifetime),
                    })
                })
                .await
        }
    }

    #[test]
    fn refresh_margin_is_five_minutes_or_a_quarter_of_the_lifetime() {
        assert_eq!(refresh_time(t(0), t(3600)), t(3300));
        assert_eq!(refresh_time(t(0), t(900)), t(675));
        assert_eq!(refresh_time(t(0), t(8)), t(6));
        assert_eq!(refresh_time(t(10), t(5)), t(10));
    }

    #[tokio::test]
    async fn serves_from_cache_until_the_refresh_time() {
        let h = Harness::new();
        assert_eq!(h.get(3600, false).await.unwrap().access_key_id, "STS.1");
        h.set_time(3299);
        assert_eq!(h.get(3600, false).await.unwrap().access_key_id, "STS.1");
        assert_eq!(h.fetches.load(Ordering::SeqCst), 1);
        h.set_time(3300);
        assert_eq!(h.get(3600, false).await.unwrap().access_key_id, "STS.2");
        assert_eq!(h.fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn failed_refresh_keeps_unexpired_credentials_but_not_expired_ones() {
        let h = Harness::new();
        h.get(3600, false).await.unwrap();
        h.set_time(3500); // inside the margin, not expired
        assert_eq!(h.get(3600, true).await.unwrap().access_key_id, "STS.1");
        assert_eq!(
            h.fetches.load(Ordering::SeqCst),
            2,
            "a refresh was attempted"
        );
        h.set_time(3600); // expired
        assert!(h.get(3600, true).await.is_err());
    }

    #[tokio::test]
    async fn first_fetch_error_is_returned() {
        let h = Harness::new();
        assert!(h.get(3600, true).await.is_err());
        assert_eq!(h.get(3600, false).await.unwrap().access_key_id, "STS.2");
    }

    #[tokio::test]
    async fn debug_shows_expiration_only() {
        let h = Harness::new();
        assert!(format!("{:?}", h.cache).contains("None"));
        h.get(60, false).await.unwrap();
        let debug = format!("{:?}", h.cache);
        assert!(debug.contains("cached_until: Some"), "{debug}");
        assert!(!debug.contains("STS.1"), "{debug}");
    }
}
