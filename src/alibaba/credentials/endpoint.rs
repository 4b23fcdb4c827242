//! Validation of the STS and ECS metadata endpoints the user may override.
//! Done in `resolve`, so a typo is reported at configuration time rather than
//! on the first request.

use url::{Host, Url};

use super::CredentialsError;

/// Region of the default STS endpoint when none is configured.
pub(crate) const DEFAULT_STS_REGION: &str = "ap-southeast-1";
/// The ECS instance metadata service.
pub(crate) const DEFAULT_ECS_METADATA_ENDPOINT: &str = "http://100.100.100.200";

/// The STS endpoint to call: `endpoint` (a host or a URL) if given, else
/// `https://sts.<region>.aliyuncs.com`, or with `vpc` the VPC endpoint
/// `https://sts-vpc.<region>.aliyuncs.com` (the two forms Alibaba's
/// credentials libraries build). STS requests carry signed credentials or
/// an OIDC token, so plain HTTP is refused except towards loopback.
pub fn sts_endpoint(
    endpoint: Option<&str>,
    region: &str,
    vpc: bool,
) -> Result<Url, CredentialsError> {
    let url = match endpoint.filter(|e| !e.is_empty()) {
        Some(endpoint) => parse_base_url("sts_endpoint", endpoint, "https")?,
        None => {
            if region.is_empty()
                || !region
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(CredentialsError::Invalid(format!(
                    "region {region:?} is not a valid Alibaba Cloud region id \
                     (lowercase letters, digits and '-')"
                )));
            }
            let prefix = if vpc { "sts-vpc" } else { "sts" };
            parse_base_url(
                "region",
                &format!("{prefix}.{region}.aliyuncs.com"),
                "https",
            )?
        }
    };
    if url.scheme() == "http" && !is_loopback(&url) {
        return Err(CredentialsError::Invalid(format!(
            "sts_endpoint {url} uses plain http; only https is allowed \
             (http is accepted for loopback addresses only)"
        )));
    }
    Ok(url)
}

/// The ECS metadata endpoint: `endpoint` (host or URL, default scheme http)
/// if given, else `http://100.100.100.200`. The metadata service is plain
/// HTTP by design (link-local, no credentials sent).
pub fn ecs_metadata_endpoint(endpoint: Option<&str>) -> Result<Url, CredentialsError> {
    let endpoint = endpoint
        .filter(|e| !e.is_empty())
        .unwrap_or(DEFAULT_ECS_METADATA_ENDPOINT);
    parse_base_url("ecs_metadata_endpoint", endpoint, "http")
}

/// Parses `https://host[:port][/]` or a bare `host[:port]`. Paths, queries
/// and user info are refused: every request path is fixed by the protocol.
fn parse_base_url(
    setting: &str,
    endpoint: &str,
    default_scheme: &str,
) -> Result<Url, CredentialsError> {
    let text = if endpoint.contains("://") {
        endpoint.to_string()
    } else {
        format!("{default_scheme}://{endpoint}")
    };
    let invalid = |why: &str| CredentialsError::Invalid(format!("{setting} {endpoint:?} {why}"));
    let url =
        Url::parse(&text).map_err(|e| invalid(&format!("is not a valid URL or host: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("must use http or https"));
    }
    if url.host().is_none() {
        return Err(invalid("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Do not echo the endpoint here: the user info may be a password.
        return Err(CredentialsError::Invalid(format!(
            "{setting} must not contain user info (user:password@)"
        )));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a path, query or fragment"));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_sts_endpoint_is_regional_https() {
        let url = sts_endpoint(None, "ap-southeast-1", false).unwrap();
        assert_eq!(url.as_str(), "https://sts.ap-southeast-1.aliyuncs.com/");
        assert_eq!(
            sts_endpoint(Some(""), "cn-hangzhou", false)
                .unwrap()
                .as_str(),
            "https://sts.cn-hangzhou.aliyuncs.com/"
        );
    }

    #[test]
    fn the_vpc_form_is_sts_vpc_of_the_region_and_an_explicit_endpoint_wins() {
        assert_eq!(
            sts_endpoint(None, "cn-hangzhou", true).unwrap().as_str(),
            "https://sts-vpc.cn-hangzhou.aliyuncs.com/"
        );
        assert_eq!(
            sts_endpoint(Some("sts.example.com"), "cn-hangzhou", true)
                .unwrap()
                .as_str(),
            "https://sts.example.com/"
        );
    }

    #[test]
    fn region_cannot_inject_a_host() {
        for region in ["", "evil.com/x", "a b", "EU", "x@y"] {
            assert!(sts_endpoint(None, region, false).is_err(), "{region:?}");
        }
    }

    #[test]
    fn sts_endpoint_accepts_host_or_https_url() {
        assert_eq!(
            sts_endpoint(Some("sts.aliyuncs.com"), "x", false)
                .unwrap()
                .as_str(),
            "https://sts.aliyuncs.com/"
        );
        assert_eq!(
            sts_endpoint(
                Some("https://sts-vpc.cn-hangzhou.aliyuncs.com/"),
                "x",
                false
            )
            .unwrap()
            .as_str(),
            "https://sts-vpc.cn-hangzhou.aliyuncs.com/"
        );
    }

    #[test]
    fn sts_plain_http_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:99",
        ] {
            assert!(sts_endpoint(Some(ok), "x", false).is_ok(), "{ok}");
        }
        let err = sts_endpoint(Some("http://sts.aliyuncs.com"), "x", false).unwrap_err();
        assert!(err.to_string().contains("plain http"), "{err}");
    }

    #[test]
    fn paths_queries_userinfo_and_other_schemes_are_refused() {
        for bad in [
            "https://sts.aliyuncs.com/v1",
            "https://sts.aliyuncs.com/?a=b",
            "ftp://sts.aliyuncs.com",
            "https://",
        ] {
            assert!(sts_endpoint(Some(bad), "x", false).is_err(), "{bad}");
        }
        let err =
            sts_endpoint(Some("https://user:hunter2@sts.aliyuncs.com"), "x", false).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn ecs_endpoint_defaults_to_link_local_http() {
        assert_eq!(
            ecs_metadata_endpoint(None).unwrap().as_str(),
            "http://100.100.100.200/"
        );
        assert_eq!(
            ecs_metadata_endpoint(Some("127.0.0.1:9")).unwrap().as_str(),
            "http://127.0.0.1:9/"
        );
        assert!(ecs_metadata_endpoint(Some("http://h/latest")).is_err());
    }
}
