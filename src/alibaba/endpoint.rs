//! Where requests go: the CAMS endpoint (default, per region, or overridden)
//! and the loopback rule that allows plain HTTP only to this machine.

use std::net::IpAddr;

use url::{Host, Url};

/// The only region the CAMS documentation lists.
pub(crate) const DEFAULT_REGION: &str = "ap-southeast-1";

/// Why an endpoint override or a region was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("the endpoint is empty")]
    Empty,
    #[error("the endpoint {input:?} is not a valid host or URL: {reason}")]
    Invalid { input: String, reason: String },
    #[error("the endpoint {input:?} uses the scheme {scheme:?}; only https is allowed (http only for loopback hosts such as 127.0.0.1 or localhost)")]
    Scheme { input: String, scheme: String },
    #[error("the endpoint {input:?} must not contain {what}; give a host (cams.example.com), host:port, or a URL such as https://host/")]
    Extra { input: String, what: &'static str },
    #[error("the region {0:?} is not a valid Alibaba Cloud region id (lowercase letters, digits and '-', e.g. ap-southeast-1)")]
    Region(String),
}

/// Parses an endpoint override.
///
/// Accepted forms:
/// * a bare host or `host:port` (`cams.example.com`, `127.0.0.1:8080`,
///   `[::1]:8080`), which always means `https://host/`;
/// * a full URL (`https://host/`, `http://127.0.0.1:8080`). `http` is only
///   accepted for loopback hosts, where there is no network to protect.
///
/// Paths other than `/`, queries, fragments and user info are rejected: the
/// RPC signature always signs the path `/`, and anything extra would be
/// silently dropped or break the signature.
pub fn parse_endpoint(input: &str) -> Result<Url, EndpointError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(EndpointError::Empty);
    }
    let has_scheme = trimmed.contains("://");
    if !has_scheme && trimmed.contains(['/', '?', '#', '@']) {
        return Err(EndpointError::Extra {
            input: trimmed.to_owned(),
            what: "a path, query or user info without a scheme",
        });
    }
    let candidate = if has_scheme {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}/")
    };
    let url = Url::parse(&candidate).map_err(|e| EndpointError::Invalid {
        input: trimmed.to_owned(),
        reason: e.to_string(),
    })?;
    let host_missing = url.host().is_none_or(|h| matches!(h, Host::Domain("")));
    if host_missing {
        return Err(EndpointError::Invalid {
            input: trimmed.to_owned(),
            reason: "it has no host".to_owned(),
        });
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        other => {
            return Err(EndpointError::Scheme {
                input: trimmed.to_owned(),
                scheme: other.to_owned(),
            })
        }
    }
    let extra = if !url.username().is_empty() || url.password().is_some() {
        Some("user info")
    } else if url.path() != "/" {
        Some("a path")
    } else if url.query().is_some() {
        Some("a query string")
    } else if url.fragment().is_some() {
        Some("a fragment")
    } else {
        None
    };
    if let Some(what) = extra {
        return Err(EndpointError::Extra {
            input: trimmed.to_owned(),
            what,
        });
    }
    Ok(url)
}

/// The public CAMS endpoint of a region: `https://cams.{region}.aliyuncs.com/`.
pub(crate) fn region_endpoint(region: &str) -> Result<Url, EndpointError> {
    let valid = !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        return Err(EndpointError::Region(region.to_owned()));
    }
    Url::parse(&format!("https://cams.{region}.aliyuncs.com/"))
        .map_err(|_| EndpointError::Region(region.to_owned()))
}

/// True when the URL's host is this machine: `localhost`, 127.0.0.0/8 or ::1.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// `scheme://host[:port]/path` of a URL, without user info, query or
/// fragment. Presigned download URLs carry a bearer credential in their
/// query, so this is the only form of a URL that may appear in logs and
/// errors.
pub(crate) fn redact_url(url: &Url) -> String {
    let mut out = format!("{}://", url.scheme());
    if let Some(host) = url.host_str() {
        out.push_str(host);
    }
    if let Some(port) = url.port() {
        out.push(':');
        out.push_str(&port.to_string());
    }
    out.push_str(url.path());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_hosts_become_https_root_urls() {
        assert_eq!(
            parse_endpoint("cams.example.com").unwrap().as_str(),
            "https://cams.example.com/"
        );
        assert_eq!(
            parse_endpoint(" 127.0.0.1:8080 ").unwrap().as_str(),
            "https://127.0.0.1:8080/"
        );
        assert_eq!(
            parse_endpoint("[::1]:9").unwrap().as_str(),
            "https://[::1]:9/"
        );
    }

    #[test]
    fn full_urls_keep_their_scheme_when_allowed() {
        assert_eq!(
            parse_endpoint("http://127.0.0.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            parse_endpoint("http://localhost:1/").unwrap().as_str(),
            "http://localhost:1/"
        );
        assert_eq!(
            parse_endpoint("http://[::1]:80/").unwrap().as_str(),
            "http://[::1]/"
        );
        assert_eq!(
            parse_endpoint("https://cams.example.com/")
                .unwrap()
                .as_str(),
            "https://cams.example.com/"
        );
    }

    #[test]
    fn plain_http_to_remote_hosts_and_other_schemes_are_rejected() {
        assert!(matches!(
            parse_endpoint("http://cams.example.com"),
            Err(EndpointError::Scheme { .. })
        ));
        assert!(matches!(
            parse_endpoint("http://10.0.0.1"),
            Err(EndpointError::Scheme { .. })
        ));
        assert!(matches!(
            parse_endpoint("ftp://127.0.0.1"),
            Err(EndpointError::Scheme { .. })
        ));
    }

    #[test]
    fn paths_queries_and_junk_are_rejected() {
        assert_eq!(parse_endpoint("  "), Err(EndpointError::Empty));
        for bad in [
            "https://h/x",
            "https://h/?a=b",
            "https://h/#f",
            "https://u:p@h/",
            "h/x",
            "h?x",
            "user@h",
        ] {
            assert!(
                matches!(parse_endpoint(bad), Err(EndpointError::Extra { .. })),
                "{bad}"
            );
        }
        for bad in ["https://", "h:notaport", "exa mple.com"] {
            assert!(
                matches!(parse_endpoint(bad), Err(EndpointError::Invalid { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn region_endpoints_follow_the_cams_pattern() {
        assert_eq!(
            region_endpoint(DEFAULT_REGION).unwrap().as_str(),
            "https://cams.ap-southeast-1.aliyuncs.com/"
        );
        assert!(region_endpoint("").is_err());
        assert!(region_endpoint("ap-southeast-1/evil").is_err());
        assert!(region_endpoint("AP").is_err());
    }

    #[test]
    fn loopback_detection() {
        let yes = [
            "http://127.0.0.1/",
            "http://127.9.9.9/",
            "http://[::1]/",
            "http://LOCALHOST/",
        ];
        for u in yes {
            assert!(is_loopback(&Url::parse(u).unwrap()), "{u}");
        }
        let no = [
            "http://128.0.0.1/",
            "http://localhost.example.com/",
            "http://[::2]/",
            "http://10.0.0.1/",
        ];
        for u in no {
            assert!(!is_loopback(&Url::parse(u).unwrap()), "{u}");
        }
    }

    #[test]
    fn redaction_drops_query_fragment_and_user_info() {
        let u = Url::parse("https://u:p@b.oss.example.com:8443/f/a%2Bb.json?Signature=abc%3D#x")
            .unwrap();
        assert_eq!(
            redact_url(&u),
            "https://b.oss.example.com:8443/f/a%2Bb.json"
        );
    }
}
