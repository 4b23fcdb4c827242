//! Request authentication as Alibaba's RPC gateway does it: common
//! parameters, timestamp window, AccessKey lookup, HMAC-SHA1 signature
//! (`rpc_signature`, the emulator's own), STS token, nonce replay.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use time::OffsetDateTime;

use super::acs3_signature;
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

    let claimed = Claimed {
        access_key_id: params.get("AccessKeyId").unwrap_or_default(),
        timestamp: params.get("Timestamp").unwrap_or_default(),
        nonce: params.get("SignatureNonce").unwrap_or_default(),
        security_token: params.get("SecurityToken"),
    };
    let received = params.get("Signature").unwrap_or_default();
    check_request(&claimed, credentials, nonces, now, now_instant, |secret| {
        let server_string = rpc_signature::string_to_sign(method, params.pairs());
        if rpc_signature::signature_matches(secret, &server_string, received) {
            return Ok(());
        }
        Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            format!("Specified signature is not matched with our calculation. server string to sign is:{server_string}"),
        ))
    })
}

/// A V3 (`ACS3-HMAC-SHA256`) request as the gateway sees it: lower-case
/// header names, decoded query pairs, the raw body.
pub struct Acs3Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
}

impl Acs3Request<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Authenticates a V3-signed request and returns its AccessKeyId: the
/// `x-acs-*` headers replace the RPC common parameters.
pub fn authenticate_acs3(
    request: &Acs3Request<'_>,
    credentials: &mut CredentialStore,
    nonces: &mut NonceCache,
    now: OffsetDateTime,
    now_instant: Instant,
) -> Result<String, PopError> {
    let Some(authorization) = request
        .header("authorization")
        .and_then(acs3_signature::parse_authorization)
    else {
        return Err(incomplete_signature(
            "The Authorization header is malformed.",
        ));
    };
    for name in [
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
    ] {
        if request.header(name).is_none() {
            return Err(incomplete_signature(&format!(
                "The header {name} is missing."
            )));
        }
        if !authorization.signed_headers.iter().any(|h| h == name) {
            return Err(incomplete_signature(&format!(
                "The header {name} is not signed."
            )));
        }
    }
    let payload_hash = acs3_signature::sha256_hex(request.body);
    if request
        .header("x-acs-content-sha256")
        .is_some_and(|sent| sent != payload_hash)
    {
        return Err(incomplete_signature(
            "x-acs-content-sha256 does not match the body.",
        ));
    }
    let claimed = Claimed {
        access_key_id: &authorization.access_key_id,
        timestamp: request.header("x-acs-date").unwrap_or_default(),
        nonce: request.header("x-acs-signature-nonce").unwrap_or_default(),
        security_token: request.header("x-acs-security-token"),
    };
    check_request(&claimed, credentials, nonces, now, now_instant, |secret| {
        let canonical = acs3_signature::canonical_request(
            request.method,
            request.path,
            &request.query,
            &request.headers,
            &authorization.signed_headers,
            &payload_hash,
        );
        let server_string = acs3_signature::string_to_sign(&canonical);
        let expected = acs3_signature::signature(secret, &server_string);
        if crate::oss_signature::same_signature(&expected, &authorization.signature) {
            return Ok(());
        }
        Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            format!("Specified signature is not matched with our calculation. server string to sign is:{server_string}"),
        ))
    })
}

/// What a request claims, whichever signature form carries it.
struct Claimed<'a> {
    access_key_id: &'a str,
    timestamp: &'a str,
    nonce: &'a str,
    security_token: Option<&'a str>,
}

/// The checks both signature forms share, in the gateway's order:
/// timestamp, AccessKeyId, signature (`verify`, given the secret), security
/// token, nonce replay.
fn check_request(
    claimed: &Claimed<'_>,
    credentials: &mut CredentialStore,
    nonces: &mut NonceCache,
    now: OffsetDateTime,
    now_instant: Instant,
    verify: impl FnOnce(&str) -> Result<(), PopError>,
) -> Result<String, PopError> {
    let Some(sent_at) = parse_iso8601(claimed.timestamp) else {
        return Err(PopError::known("IllegalTimestamp", None));
    };
    if (now - sent_at).unsigned_abs() > REQUEST_WINDOW {
        return Err(PopError::known("InvalidTimeStamp.Expired", None));
    }

    credentials.prune(now);
    let Some(secret) = credentials.by_id.get(claimed.access_key_id).cloned() else {
        return Err(PopError::known("InvalidAccessKeyId.NotFound", None));
    };
    let secret_text = match &secret {
        Secret::AccessKey { secret } | Secret::Sts { secret, .. } => secret.as_str(),
    };
    verify(secret_text)?;
    check_security_token(&secret, claimed.security_token, now)?;
    if !nonces.first_use(claimed.access_key_id, claimed.nonce, now_instant) {
        return Err(PopError::known("SignatureNonceUsed", None));
    }
    Ok(claimed.access_key_id.to_string())
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
