//! What Alibaba Cloud error codes mean for us: whether an answer is worth
//! retrying, and a one-line hint telling the user what to do about it.
//!
//! Codes are matched exactly, with a few families matched by prefix
//! (`Throttling.*`, `InvalidSecurityToken.*`, ...). The HTTP status matters
//! too: CAMS sends throttling as HTTP 400 `System.LimitControl`, other
//! gateways as 429, and server trouble as 5xx whatever the code.

/// How the retry loop should treat a failed answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryClass {
    /// Flow control: retry after a backoff (or the server's `x-acs-retry-after`).
    Throttled,
    /// A transient server problem: retry after a backoff.
    Transient,
    /// `SignatureNonceUsed`: retry once, with a fresh nonce.
    NonceReused,
    /// Retrying would give the same answer.
    Fatal,
}

/// Classifies an answer by HTTP status and error `Code` (if any).
pub(crate) fn retry_class(http_status: u16, code: Option<&str>) -> RetryClass {
    if let Some(code) = code {
        if is_throttling_code(code) {
            return RetryClass::Throttled;
        }
        match code {
            "ServiceUnavailable" | "InternalError" | "UnknownError" => {
                return RetryClass::Transient
            }
            "SignatureNonceUsed" => return RetryClass::NonceReused,
            _ => {}
        }
    }
    match http_status {
        429 => RetryClass::Throttled,
        500..=599 => RetryClass::Transient,
        _ => RetryClass::Fatal,
    }
}

/// `System.LimitControl`, `Throttling`, `Throttling.*`, `Rejected.Throttling`
/// and any other code naming throttling.
fn is_throttling_code(code: &str) -> bool {
    code == "System.LimitControl" || code.contains("Throttling")
}

/// True when `code` equals `family` or starts with `family.`.
fn in_family(code: &str, family: &str) -> bool {
    code == family
        || code
            .strip_prefix(family)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// Segments that mark a "does not exist" answer, compared
/// case-insensitively: `Flow.NotExists`, `EntityNotExist.Flow`, ...
// Longest first, so `EntityNotExist` is not read as `Entity` + `NotExist`.
const NOT_FOUND_MARKERS: &[&str] = &["entitynotexist", "notexists", "notexist", "notfound"];

/// What a not-found code may name besides the marker and still be about
/// the flow asked for: nothing, a flow, or a generic resource/entity.
const FLOW_ENTITIES: &[&str] = &["", "flow", "flowid", "resource", "entity", "invalidflowid"];

/// True when `code` says the flow asked about does not exist.
///
/// CAMS documents no code for an unknown flow; POP products answer with
/// the shapes `<X>.NotFound`, `<X>.NotExist(s)`, `<X>NotExist`,
/// `EntityNotExist.<X>`. The family is recognised when `<X>` names the
/// flow or nothing specific. Codes about anything else are not "gone":
/// `InvalidAccessKeyId.NotFound` (the key), `InvalidAction.NotFound` (the
/// API), `CustSpace.NotExist` (the space), and above all
/// `Unknown.ResourceOwnerId` (the resource belongs to another account: with
/// the wrong credentials every flow would otherwise look deleted).
pub fn is_flow_not_found(code: &str) -> bool {
    not_found_entity(code).is_some_and(|entity| FLOW_ENTITIES.contains(&entity.as_str()))
}

/// What a not-found code may name besides the marker and still be about
/// the template asked for: nothing, a template, or a generic
/// resource/entity.
const TEMPLATE_ENTITIES: &[&str] = &[
    "",
    "template",
    "templatecode",
    "templatename",
    "chatapptemplate",
    "resource",
    "entity",
    "invalidtemplatecode",
];

/// True when `code` says the template asked about does not exist: the
/// same family as [`is_flow_not_found`], about a template. CAMS documents
/// no code for an unknown template either.
pub fn is_template_not_found(code: &str) -> bool {
    not_found_entity(code).is_some_and(|entity| TEMPLATE_ENTITIES.contains(&entity.as_str()))
}

/// For a code of the not-found family, what it names besides the marker
/// (lowercase, dots removed: `""` for `NotFound`, `"flow"` for
/// `EntityNotExist.Flow`); `None` for any other code.
fn not_found_entity(code: &str) -> Option<String> {
    let lower = code.to_ascii_lowercase();
    let mut entity = String::new();
    let mut marked = false;
    for segment in lower.split('.') {
        match NOT_FOUND_MARKERS
            .iter()
            .find(|m| segment == **m || segment.ends_with(*m) || segment.starts_with(*m))
        {
            Some(marker) if !marked => {
                marked = true;
                // `FlowNotExist`: what precedes the marker names the entity;
                // `EntityNotExist.Flow`: the marker itself is generic.
                let rest = segment.replacen(marker, "", 1);
                entity.push_str(&rest);
            }
            _ => entity.push_str(segment),
        }
    }
    marked.then_some(entity)
}

/// A one-line hint for a known error code, `None` for codes we know
/// nothing useful about.
pub(crate) fn hint_for_code(code: &str) -> Option<&'static str> {
    let hint = match code {
        "Product.Unsubscript" => {
            "Chat App Message Service is not activated for this Alibaba Cloud account; activate CAMS in the console, or use credentials of the account that owns the CAMS space"
        }
        "Ram.PermissionDeny" | "Forbidden.RAM" | "NoPermission" => {
            "the RAM user or role behind these credentials is not allowed to call this CAMS action; it needs the RAM permission for it"
        }
        "Unknown.ResourceOwnerId" => {
            "CAMS does not know the account that owns these credentials, or the CustSpaceId does not belong to it; the AccessKey must belong to the account with the CAMS instance, and the CustSpaceId to that account"
        }
        "System.LimitControl" | "Rejected.Throttling" => THROTTLING_HINT,
        "SignatureDoesNotMatch" => {
            "the AccessKeySecret does not match the AccessKeyId; check the secret for typos or stray whitespace, or whether the key was rotated"
        }
        "IncompleteSignature" => {
            "the signature parameters were rejected as incomplete; check that no proxy rewrites the query string"
        }
        "InvalidAccessKeyId.NotFound" => {
            "the AccessKeyId does not exist; check it for typos, and that it was not deleted or created on the other Alibaba Cloud site (China vs international)"
        }
        "InvalidAccessKeyId.Inactive" => {
            "the AccessKey is disabled; enable it in the RAM console or use another one"
        }
        "InvalidTimeStamp.Expired" => {
            "this machine's clock differs from Alibaba Cloud's by more than 15 minutes; synchronise the system clock (NTP)"
        }
        "IllegalTimestamp" => {
            "the request timestamp was rejected as malformed; check the system clock and that no proxy rewrites the query string"
        }
        "SignatureNonceUsed" => {
            "a request nonce was seen twice; this is normally transient, run again"
        }
        "ServiceUnavailable" => {
            "the service is temporarily unavailable; run again later"
        }
        "InternalError" | "UnknownError" => {
            "Alibaba Cloud reported an internal error; run again later, and quote the RequestId to support if it persists"
        }
        "InvalidAction.NotFound" => {
            "the endpoint does not serve this CAMS action; check the region and endpoint settings"
        }
        _ => return hint_for_family(code),
    };
    Some(hint)
}

const THROTTLING_HINT: &str = "CAMS is throttling these credentials (each Flow operation allows 5 requests per second per account, creating and modifying a message template 50); other clients using the same account count against the same limit";

fn hint_for_family(code: &str) -> Option<&'static str> {
    if is_throttling_code(code) {
        Some(THROTTLING_HINT)
    } else if in_family(code, "InvalidSecurityToken") {
        Some("the STS SecurityToken is expired, malformed or does not belong to this AccessKeyId; obtain fresh temporary credentials")
    } else if in_family(code, "MissingParameter") || in_family(code, "InvalidParameter") {
        Some("CAMS rejected a request parameter (the Message names which); check the flow id, CustSpaceId and the values sent")
    } else if in_family(code, "Forbidden") {
        Some("access was denied; check the RAM permissions of these credentials")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_codes_and_429_are_throttled() {
        for code in [
            "System.LimitControl",
            "Throttling",
            "Throttling.User",
            "Throttling.Api",
            "Rejected.Throttling",
        ] {
            assert_eq!(
                retry_class(400, Some(code)),
                RetryClass::Throttled,
                "{code}"
            );
            assert!(hint_for_code(code)
                .unwrap()
                .contains("5 requests per second"));
        }
        assert_eq!(retry_class(429, None), RetryClass::Throttled);
        assert_eq!(retry_class(429, Some("Whatever")), RetryClass::Throttled);
    }

    #[test]
    fn transient_codes_and_5xx_are_transient() {
        for code in ["ServiceUnavailable", "InternalError", "UnknownError"] {
            assert_eq!(
                retry_class(400, Some(code)),
                RetryClass::Transient,
                "{code}"
            );
        }
        assert_eq!(retry_class(502, None), RetryClass::Transient);
        assert_eq!(retry_class(504, Some("Gateway")), RetryClass::Transient);
    }

    #[test]
    fn nonce_reuse_is_its_own_class() {
        assert_eq!(
            retry_class(400, Some("SignatureNonceUsed")),
            RetryClass::NonceReused
        );
    }

    #[test]
    fn client_errors_are_fatal() {
        for code in [
            "Product.Unsubscript",
            "Ram.PermissionDeny",
            "Unknown.ResourceOwnerId",
            "SignatureDoesNotMatch",
            "InvalidAccessKeyId.NotFound",
            "InvalidTimeStamp.Expired",
            "InvalidSecurityToken.Expired",
            "MissingParameter",
            "InvalidParameter",
        ] {
            assert_eq!(retry_class(400, Some(code)), RetryClass::Fatal, "{code}");
        }
        assert_eq!(retry_class(200, Some("Flow.NotFound")), RetryClass::Fatal);
        assert_eq!(retry_class(404, None), RetryClass::Fatal);
    }

    #[test]
    fn every_documented_code_has_a_hint() {
        for code in [
            "Product.Unsubscript",
            "Ram.PermissionDeny",
            "System.LimitControl",
            "Unknown.ResourceOwnerId",
            "SignatureDoesNotMatch",
            "IncompleteSignature",
            "InvalidAccessKeyId.NotFound",
            "InvalidAccessKeyId.Inactive",
            "InvalidTimeStamp.Expired",
            "IllegalTimestamp",
            "SignatureNonceUsed",
            "InvalidSecurityToken.Expired",
            "InvalidSecurityToken.Malformed",
            "InvalidSecurityToken.MismatchWithAccessKey",
            "Forbidden.RAM",
            "NoPermission",
            "MissingParameter",
            "MissingParameter.FlowId",
            "InvalidParameter",
            "InvalidParameter.FlowId",
            "Throttling",
            "Throttling.User",
            "ServiceUnavailable",
            "InternalError",
        ] {
            assert!(hint_for_code(code).is_some(), "{code}");
        }
    }

    #[test]
    fn not_found_is_a_family_about_the_flow() {
        for code in [
            "Flow.NotExists",
            "Flow.NotExist",
            "Flow.NotFound",
            "FlowNotExist",
            "FlowNotFound",
            "EntityNotExist.Flow",
            "InvalidFlowId.NotFound",
            "Resource.NotFound",
            "ResourceNotFound",
            "NotFound",
            "flow.notexist",
        ] {
            assert!(is_flow_not_found(code), "{code}");
        }
        for code in [
            "Unknown.ResourceOwnerId",
            "InvalidAccessKeyId.NotFound",
            "InvalidAction.NotFound",
            "InvalidApi.NotFound",
            "CustSpace.NotExist",
            "EntityNotExist.Template",
            "Template.NotFound",
            "Forbidden.NotFound.Flow.Extra",
            "FlowExists",
            "InvalidParameter",
            "",
        ] {
            assert!(!is_flow_not_found(code), "{code}");
        }
    }

    #[test]
    fn template_not_found_is_the_same_family_about_templates() {
        for code in [
            "Template.NotExist",
            "TemplateNotFound",
            "EntityNotExist.Template",
            "InvalidTemplateCode.NotFound",
            "Resource.NotFound",
            "NotFound",
        ] {
            assert!(is_template_not_found(code), "{code}");
        }
        for code in [
            "Flow.NotExists",
            "CustSpace.NotExist",
            "Unknown.ResourceOwnerId",
            "InvalidAccessKeyId.NotFound",
            "Template.NameBlocked",
            "",
        ] {
            assert!(!is_template_not_found(code), "{code}");
        }
    }

    #[test]
    fn hints_name_no_terraform_setting() {
        for code in [
            "System.LimitControl",
            "Ram.PermissionDeny",
            "Unknown.ResourceOwnerId",
            "InvalidParameter.X",
        ] {
            let hint = hint_for_code(code).unwrap();
            for word in [
                "parallelism",
                "rate_limit",
                "flow_id",
                "cust_space_id",
                "Terraform",
            ] {
                assert!(!hint.contains(word), "{code}: {hint}");
            }
        }
    }

    #[test]
    fn families_match_on_dot_boundaries_only() {
        assert!(hint_for_code("InvalidSecurityTokenX").is_none());
        assert!(hint_for_code("InvalidParameters").is_none());
        assert!(hint_for_code("Something.Else").is_none());
    }
}
