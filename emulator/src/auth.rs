//! Request authentication as Alibaba's RPC gateway does it: common
//! parameters, timestamp window, AccessKey lookup, HMAC-SHA1 signature
//! (`rpc_signature`, the emulator's own), STS token, nonce replay.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use time::OffsetDateTime;

use super::config::{AccessKey, StsKey};
use super::params::RpcParams;
use super::pop::PopError;
use super::rpc_signature::{self, SIGNATURE_METHOD, SIGNATURE_VERSION};
use super::timestamp::parse_iso8601;

/// How far `Timestamp` may be from the server clock, and how long nonces are remembered.
pub const REQUEST_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The secret side of an accepted AccessKeyId.
#[derive(Clone)]
enum Secret {
    AccessKey {
        secret: String,
    },
    Sts {
        secret: String,
        token: String,
        expires: Option<OffsetDateTime>,
    },
}

/// Every AccessKeyId the emulator accepts: configured pairs, configured STS
/// keys, and STS keys issued by AssumeRole.
#[derive(Default)]
pub struct CredentialStore {
    by_id: HashMap<String, Secret>,
}

impl std::fmt::Debug for CredentialStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialStore")
            .field("ids", &self.by_id.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl CredentialStore {
    pub fn new(access_keys: &[AccessKey], sts_keys: &[StsKey]) -> Self {
        let mut store = CredentialStore::default();
        for key in access_keys {
            store.by_id.insert(
                key.id.clone(),
                Secret::AccessKey {
                    secret: key.secret.clone(),
                },
            );
        }
        for key in sts_keys {
            store.add_sts(key.clone(), None);
        }
        store
    }

    /// Accepts STS credentials, until `expires` if given.
    pub fn add_sts(&mut self, key: StsKey, expires: Option<OffsetDateTime>) {
        self.by_id.insert(
            key.id,
            Secret::Sts {
                secret: key.secret,
                token: key.token,
                expires,
            },
        );
    }

    /// Forgets issued STS keys that expired before `now`.
    fn prune(&mut self, now: OffsetDateTime) {
        self.by_id.retain(|_, secret| match secret {
            Secret::Sts {
                expires: Some(at), ..
            } => *at + REQUEST_WINDOW > now,
            _ => true,
        });
    }
}

/// At most this many nonces are remembered; beyond it the oldest are
/// forgotten early, so an unlimited-rate benchmark cannot exhaust memory.
pub const MAX_REMEMBERED_NONCES: usize = 1_000_000;

/// `SignatureNonce`s seen per AccessKeyId within the request window, with
/// their arrival order so expired ones are dropped from the front.
#[derive(Debug, Default)]
pub struct NonceCache {
    seen: HashSet<(String, String)>,
    arrivals: VecDeque<(Instant, (String, String))>,
}

impl NonceCache {
    /// Records the nonce; `false` if it was already used within the window.
    /// Calls must come with non-decreasing `now` (they are made under the lock).
    fn first_use(&mut self, access_key_id: &str, nonce: &str, now: Instant) -> bool {
        while let Some((at, _)) = self.arrivals.front() {
            let expired = now.saturating_duration_since(*at) >= REQUEST_WINDOW;
            if !expired && self.arrivals.len() < MAX_REMEMBERED_NONCES {
                break;
            }
            if let Some((_, key)) = self.arrivals.pop_front() {
                self.seen.remove(&key);
            }
        }
        let key = (access_key_id.to_string(), nonce.to_string());
        if !self.seen.insert(key.clone()) {
            return false;
        }
        self.arrivals.push_back((now, key));
        true
    }
}

/// Authenticates a request and returns its AccessKeyId. Checks, in order:
/// mandatory parameters, signature method/version, timestamp, AccessKeyId,
/// signature, security token, nonce replay.
pub fn authenticate(
    method: &str,
    params: &RpcParams,
    credentials: &mut CredentialStore,
    nonces: &mut NonceCache,
    now: OffsetDateTime,
    now_instant: Instant,
) -> Result<String, PopError> {
    for name in [
        "Action",
        "Version",
        "AccessKeyId",
        "SignatureNonce",
        "Timestamp",
    ] {
        if params.non_empty(name).is_none() {
            return Err(PopError::missing_parameter(name));
        }
    }
    for name in ["Signature", "SignatureMethod", "SignatureVersion"] {
        if params.non_empty(name).is_none() {
            return Err(incomplete_signature(&format!(
                "The parameter \"{name}\" is missing."
            )));
        }
    }
    if params.get("SignatureMethod") != Some(SIGNATURE_METHOD) {
        return Err(incomplete_signature("SignatureMethod must be HMAC-SHA1."));
    }
    if params.get("SignatureVersion") != Some(SIGNATURE_VERSION) {
        return Err(incomplete_signature("SignatureVersion must be 1.0."));
    }

    let timestamp = params.get("Timestamp").unwrap_or_default();
    let Some(sent_at) = parse_iso8601(timestamp) else {
        return Err(PopError::known("IllegalTimestamp", None));
    };
    if (now - sent_at).unsigned_abs() > REQUEST_WINDOW {
        return Err(PopError::known("InvalidTimeStamp.Expired", None));
    }

    credentials.prune(now);
    let access_key_id = params.get("AccessKeyId").unwrap_or_default();
    let Some(secret) = credentials.by_id.get(access_key_id).cloned() else {
        return Err(PopError::known("InvalidAccessKeyId.NotFound", None));
    };
    let secret_text = match &secret {
        Secret::AccessKey { secret } | Secret::Sts { secret, .. } => secret.as_str(),
    };
    let received = params.get("Signature").unwrap_or_default();
    let server_string = rpc_signature::string_to_sign(method, params.pairs());
    if !rpc_signature::signature_matches(secret_text, &server_string, received) {
        return Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            format!("Specified signature is not matched with our calculation. server string to sign is:{server_string}"),
        ));
    }

    check_security_token(&secret, params.get("SecurityToken"), now)?;

    let nonce = params.get("SignatureNonce").unwrap_or_default();
    if !nonces.first_use(access_key_id, nonce, now_instant) {
        return Err(PopError::known("SignatureNonceUsed", None));
    }
    Ok(access_key_id.to_string())
}

fn check_security_token(
    secret: &Secret,
    sent: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), PopError> {
    match (secret, sent) {
        (Secret::AccessKey { .. }, None) => Ok(()),
        // A token only makes sense with STS keys; real gateways call it malformed.
        (Secret::AccessKey { .. }, Some(_)) => {
            Err(PopError::known("InvalidSecurityToken.Malformed", None))
        }
        (Secret::Sts { .. }, None) | (Secret::Sts { .. }, Some("")) => Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "MissingSecurityToken",
            "SecurityToken is mandatory for this AccessKeyId.",
        )),
        (Secret::Sts { token, .. }, Some(sent)) if sent != token => Err(PopError::known(
            "InvalidSecurityToken.MismatchWithAccessKey",
            None,
        )),
        (
            Secret::Sts {
                expires: Some(at), ..
            },
            Some(_),
        ) if *at <= now => Err(PopError::known("InvalidSecurityToken.Expired", None)),
        (Secret::Sts { .. }, Some(_)) => Ok(()),
    }
}

fn incomplete_signature(detail: &str) -> PopError {
    PopError::new(
        StatusCode::BAD_REQUEST,
        "IncompleteSignature",
        format!("The request signature does not conform to Aliyun standards. {detail}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_single_use_per_key_within_the_window() {
        let mut cache = NonceCache::default();
        let t0 = Instant::now();
        assert!(cache.first_use("ak", "n1", t0));
        assert!(!cache.first_use("ak", "n1", t0 + Duration::from_secs(60)));
        assert!(cache.first_use("other", "n1", t0 + Duration::from_secs(60)));
        // After the window the nonce is forgotten (the timestamp check
        // rejects such old requests anyway).
        assert!(cache.first_use("ak", "n1", t0 + REQUEST_WINDOW));
    }
}
