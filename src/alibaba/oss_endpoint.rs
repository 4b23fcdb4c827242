//! Where an OSS bucket is reached: the `EndPoint` of an upload
//! authorization (a host meaning https, or a URL; http only to loopback),
//! and the object URL in virtual-host style (`{bucket}.{host}/{key}`) or,
//! for IP addresses and `localhost` as OSS SDKs do, path style
//! (`{host}/{bucket}/{key}`).

use std::net::IpAddr;

use url::{Host, Url};

use super::endpoint::is_loopback;
use super::oss_signature;

/// Where OSS is: scheme, host and port, and whether buckets are addressed
/// by path (IP addresses and `localhost`) or by virtual host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssEndpoint {
    scheme: String,
    /// As it appears in a URL (IPv6 in brackets).
    host: String,
    port: Option<u16>,
    path_style: bool,
}

impl OssEndpoint {
    /// Reads `EndPoint`: a host (`oss-ap-southeast-1.aliyuncs.com`, with an
    /// optional port) meaning https, or a URL. http only for loopback hosts.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty EndPoint".to_owned());
        }
        let candidate = if text.contains("://") {
            text.to_owned()
        } else {
            format!("https://{text}/")
        };
        let url = Url::parse(&candidate)
            .map_err(|e| format!("an EndPoint that is not a host or URL ({e})"))?;
        let host = match url.host() {
            Some(Host::Domain("")) | None => return Err("an EndPoint without a host".to_owned()),
            Some(host) => host,
        };
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            other => {
                return Err(format!(
                    "an EndPoint with the scheme {other:?} (only https, or http to this machine)"
                ))
            }
        }
        if !url.username().is_empty()
            || url.password().is_some()
            || !matches!(url.path(), "" | "/")
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err("an EndPoint with a path, query or user info".to_owned());
        }
        let path_style = match host {
            Host::Ipv4(_) | Host::Ipv6(_) => true,
            Host::Domain(d) => d.eq_ignore_ascii_case("localhost") || d.parse::<IpAddr>().is_ok(),
        };
        Ok(Self {
            scheme: url.scheme().to_owned(),
            host: url.host_str().unwrap_or_default().to_owned(),
            port: url.port(),
            path_style,
        })
    }

    pub fn is_path_style(&self) -> bool {
        self.path_style
    }

    /// The object's URL: `{scheme}://{bucket}.{host}/{key}`, or
    /// `{scheme}://{host}/{bucket}/{key}` in path style.
    pub fn object_url(&self, bucket: &str, key: &str) -> Result<Url, String> {
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        let path = oss_signature::encode_key_path(key);
        let text = if self.path_style {
            format!("{}://{}{port}/{bucket}/{path}", self.scheme, self.host)
        } else {
            format!("{}://{bucket}.{}{port}/{path}", self.scheme, self.host)
        };
        Url::parse(&text).map_err(|e| format!("no valid object URL for the bucket ({e})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_address_buckets_by_host_or_by_path() {
        let host = OssEndpoint::parse("oss-ap-southeast-1.aliyuncs.com").unwrap();
        assert_eq!(
            host.object_url("b", "d/k.json").unwrap().as_str(),
            "https://b.oss-ap-southeast-1.aliyuncs.com/d/k.json"
        );
        let url = OssEndpoint::parse("https://oss.example.com:8443/").unwrap();
        assert_eq!(
            url.object_url("b", "k").unwrap().as_str(),
            "https://b.oss.example.com:8443/k"
        );
        for (endpoint, expected) in [
            (
                "http://127.0.0.1:9000",
                "http://127.0.0.1:9000/b/d/a%20b.json",
            ),
            (
                "http://localhost:9000",
                "http://localhost:9000/b/d/a%20b.json",
            ),
            ("http://[::1]:9000", "http://[::1]:9000/b/d/a%20b.json"),
            ("10.0.0.1", "https://10.0.0.1/b/d/a%20b.json"),
        ] {
            let e = OssEndpoint::parse(endpoint).unwrap();
            assert!(e.is_path_style(), "{endpoint}");
            assert_eq!(e.object_url("b", "d/a b.json").unwrap().as_str(), expected);
        }
        for bad in [
            "",
            "http://oss.example.com",
            "ftp://127.0.0.1",
            "https://oss.example.com/path",
            "https://user@oss.example.com",
            "https://oss.example.com/?q=1",
        ] {
            assert!(OssEndpoint::parse(bad).is_err(), "{bad}");
        }
    }
}
