//! The `cams-emulator` command line: options into an [`EmulatorConfig`].
//! In the library so tests can start an in-process emulator from the same
//! arguments a user would pass.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::config::{AccessKey, EmulatorConfig, StsKey, MAX_UPLOAD_TTL};
use super::fault::FaultRule;
use super::operations;

pub const HELP: &str = "\
cams-emulator: a local stand-in for Alibaba Cloud CAMS (the WhatsApp Flow API), STS AssumeRole
and the OSS bucket that GetChatappUploadAuthorization hands out

USAGE:
    cams-emulator [OPTIONS]

After binding it prints one line on stdout:
    cams-emulator listening on http://127.0.0.1:PORT
then logs one line per request on stderr (never secrets, signatures or file URL queries).
Ctrl-C or SIGTERM stops it.

OPTIONS:
    --listen ADDR            Address to listen on [default: 127.0.0.1:0, any free port]
    --flows DIR              Directory of <flow_id>.json files: PUBLISHED flows, served
                             byte-exact and re-read on every request; must exist
                             [default: examples/flows]
    --state FILE             Keep the flows (created, changed, uploaded JSON) in FILE
                             across restarts; its directory must exist [default: in
                             memory only]
    --access-key ID:SECRET   Accepted AccessKey pair (repeatable)
                             [default: demo-access-key-id:demo-access-key-secret]
    --sts-key ID:SECRET:TOKEN
                             Accepted STS credentials; requests with ID must send
                             SecurityToken=TOKEN (repeatable)
    --role ARN               Role ARN accepted by AssumeRole (repeatable)
                             [default: any acs:ram::<digits>:role/<name>]
    --oidc-provider ARN,issuer=URL,audience=AUD,key=FILE[,role=ARN]
                             An OIDC provider AssumeRoleWithOIDC trusts: tokens must be
                             RS256 JWTs signed by the RSA public key in FILE (DER), from
                             URL, for AUD (repeatable parts: audience, role; no role =
                             every role trusts it) (repeatable)
    --sts-ttl SECS           Lifetime of the STS credentials AssumeRole and
                             AssumeRoleWithOIDC issue [default: the DurationSeconds asked]
    --qps N                  Every operation: at most N requests per AccessKeyId in any
                             sliding second; more answer 400 System.LimitControl with
                             x-acs-retry-after (ms) [default: each operation's documented
                             limit, 5 where undocumented; 0 = unlimited]
    --qps ACTION=N           The same for one operation, e.g. --qps CreateFlow=1 (repeatable)
    --fault TARGET=SPEC      Inject a fault (repeatable, evaluated in order). TARGET is a flow
                             id, * for every request, or @ACTION for every request to one
                             operation (e.g. @CreateFlow). SPEC is one of:
                               error:CODE[:STATUS]  POP error JSON with this Code
                               code200:CODE         HTTP 200 with Code != OK
                               http5xx:N            first N API requests answer 503
                               reset:N              first N API requests: connection reset
                               throttle:N           first N API requests: System.LimitControl
                               slow:MS              delay every answer by MS ms, after the
                                                    request took effect (@CreateFlow=slow:8000
                                                    makes the flow, then answers 8 s later)
                               garbage              HTTP 200 with an HTML body
                               no-filepath          GetFlowJSONAssest: empty Data.FilePath
                               file404              download answers 404 NoSuchKey
                               file403              download answers 403 \"Request has expired.\"
                               file5xx:N            first N downloads answer 503
                               invalid-json         downloaded file is truncated JSON
                               large:BYTES          downloaded file is a generated valid Flow
                                                    JSON of at least BYTES bytes
    --file-url-ttl SECS      Lifetime of the presigned FilePath URLs [default: 300]
    --upload-ttl SECS        Lifetime of GetChatappUploadAuthorization's credentials,
                             at most 31536000 (a year) [default: 3600]
    --template-review SPEC   How Meta's review of a template ends: pass:SECS (approved
                             SECS seconds after create or modify), fail:SECS[:REASON]
                             (rejected with REASON), or manual (only
                             POST /_emulator/templates/review decides) [default: pass:5]
    --public-url URL         Base URL written into FilePath and EndPoint [default: the
                             listen URL]
    --quiet                  Do not log requests on stderr
    -h, --help               Print this help
    -V, --version            Print the version

ENDPOINTS:
    GET|POST /                       the RPC API (signature V1 HMAC-SHA1 or V3
                                     ACS3-HMAC-SHA256), CAMS 2020-06-06 Flow and
                                     message template operations, STS AssumeRole
                                     and (anonymous) AssumeRoleWithOIDC
    GET      /oss/flows/<id>.json    the presigned FilePath URLs of GetFlowJSONAssest
    PUT|GET  /cams-flow-upload/<key> the upload bucket (OSS V1/V4 signatures, STS token)
    GET      /_emulator/stats        counters as JSON (also /_stats)
    POST     /_emulator/reset        zero counters, fault counters and rate limits
    POST     /_emulator/templates/review
                                     decide a template's review at once (JSON body:
                                     name, language, cust_space_id, status, reason)
    GET      /_emulator/flows        every flow held, as JSON (id, name, categories,
                                     status, cust_space_id, endpoint_uri, content,
                                     content_sha256)
";

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Run(Box<EmulatorConfig>),
    Help,
    Version,
}

pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut config = EmulatorConfig {
        log_requests: true,
        ..EmulatorConfig::default()
    };
    let mut access_keys: Vec<AccessKey> = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Both `--name value` and `--name=value`.
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_string(), Some(value.to_string()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("option {name} needs a value"))
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--quiet" => config.log_requests = false,
            "--listen" => {
                let text = value()?;
                config.listen = text.parse::<SocketAddr>().map_err(|_| {
                    format!("--listen: {text:?} is not an address like 127.0.0.1:8080")
                })?;
            }
            "--flows" => config.flows_dir = PathBuf::from(value()?),
            "--access-key" => {
                let key = value()?
                    .parse::<AccessKey>()
                    .map_err(|e| format!("--access-key: {e}"))?;
                access_keys.push(key);
            }
            "--sts-key" => {
                let key = value()?
                    .parse::<StsKey>()
                    .map_err(|e| format!("--sts-key: {e}"))?;
                config.sts_keys.push(key);
            }
            "--role" => {
                let role = value()?;
                if role.is_empty() {
                    return Err("--role: the ARN is empty".to_string());
                }
                config.roles.push(role);
            }
            "--qps" => {
                let text = value()?;
                let number = |n: &str| {
                    n.parse::<u32>()
                        .map_err(|_| format!("--qps: {n:?} is not a whole number"))
                };
                match text.split_once('=') {
                    Some((action, n)) => {
                        if operations::version_of(action).is_none() {
                            return Err(format!("--qps: unknown operation {action:?}"));
                        }
                        config.qps_per_action.insert(action.to_string(), number(n)?);
                    }
                    None => config.qps = Some(number(&text)?),
                }
            }
            "--state" => config.state_file = Some(PathBuf::from(value()?)),
            "--template-review" => {
                let text = value()?;
                config.template_review = text
                    .parse()
                    .map_err(|e| format!("--template-review {text:?}: {e}"))?;
            }
            "--upload-ttl" => {
                let text = value()?;
                let secs: u64 =
                    text.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                        format!("--upload-ttl: {text:?} is not a number of seconds")
                    })?;
                if secs > MAX_UPLOAD_TTL.as_secs() {
                    return Err(format!(
                        "--upload-ttl: {secs} is more than {} seconds (a year)",
                        MAX_UPLOAD_TTL.as_secs()
                    ));
                }
                config.upload_ttl = Duration::from_secs(secs);
            }
            "--fault" => {
                let text = value()?;
                let rule = text
                    .parse::<FaultRule>()
                    .map_err(|e| format!("--fault {text:?}: {e}"))?;
                config.faults.push(rule);
            }
            "--file-url-ttl" => {
                let text = value()?;
                let secs: u64 = text
                    .parse()
                    .map_err(|_| format!("--file-url-ttl: {text:?} is not a number of seconds"))?;
                config.file_url_ttl = Duration::from_secs(secs);
            }
            "--oidc-provider" => {
                let provider = value()?
                    .parse()
                    .map_err(|e| format!("--oidc-provider: {e}"))?;
                config.oidc_providers.push(provider);
            }
            "--sts-ttl" => {
                let text = value()?;
                let secs: u64 = text.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    format!("--sts-ttl: {text:?} is not a positive number of seconds")
                })?;
                config.sts_ttl = Some(Duration::from_secs(secs));
            }
            "--public-url" => {
                let text = value()?;
                if !(text.starts_with("http://") || text.starts_with("https://")) {
                    return Err(format!(
                        "--public-url: {text:?} must start with http:// or https://"
                    ));
                }
                config.public_url = Some(text);
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    if !access_keys.is_empty() {
        config.access_keys = access_keys;
    }
    Ok(Command::Run(Box::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    fn config(args: &[&str]) -> EmulatorConfig {
        match parse(args) {
            Ok(Command::Run(config)) => *config,
            other => panic!("expected a config, got {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let c = config(&[]);
        assert_eq!(c.listen.to_string(), "127.0.0.1:0");
        assert_eq!(c.flows_dir, PathBuf::from("examples/flows"));
        assert_eq!(c.access_keys, vec![AccessKey::demo()]);
        assert_eq!((c.qps, c.file_url_ttl), (None, Duration::from_secs(300)));
        assert_eq!(c.qps_for("CreateFlow"), 5);
        assert_eq!(
            (c.state_file, c.upload_ttl),
            (None, Duration::from_secs(3600))
        );
        assert!(c.log_requests);
        assert!(!config(&["--quiet"]).log_requests);
    }

    #[test]
    fn every_option() {
        let c = config(&[
            "--listen",
            "0.0.0.0:8080",
            "--flows=/tmp/f",
            "--access-key",
            "a:b",
            "--access-key",
            "c:d",
            "--sts-key",
            "STS.x:y:z",
            "--role",
            "acs:ram::1:role/r",
            "--qps",
            "0",
            "--qps",
            "CreateFlow=2",
            "--state",
            "/tmp/s.json",
            "--upload-ttl",
            "60",
            "--fault",
            "*=slow:5",
            "--fault",
            "1=file404",
            "--file-url-ttl",
            "1",
            "--public-url",
            "http://h:1",
        ]);
        assert_eq!(c.listen.to_string(), "0.0.0.0:8080");
        assert_eq!(c.flows_dir, PathBuf::from("/tmp/f"));
        assert_eq!(
            c.access_keys,
            vec![AccessKey::new("a", "b"), AccessKey::new("c", "d")]
        );
        assert_eq!(c.sts_keys, vec![StsKey::new("STS.x", "y", "z")]);
        assert_eq!(c.roles, vec!["acs:ram::1:role/r".to_string()]);
        assert_eq!(c.qps, Some(0));
        assert_eq!((c.qps_for("CreateFlow"), c.qps_for("GetFlow")), (2, 0));
        assert_eq!(c.state_file, Some(PathBuf::from("/tmp/s.json")));
        assert_eq!(c.upload_ttl, Duration::from_secs(60));
        assert_eq!(c.faults.len(), 2);
        assert_eq!(c.file_url_ttl, Duration::from_secs(1));
        assert_eq!(c.public_url.as_deref(), Some("http://h:1"));
    }

    #[test]
    fn bad_options_are_errors() {
        for args in [
            &["--nope"][..],
            &["--listen"],
            &["--listen", "localhost"],
            &["--qps", "-1"],
            &["--qps", "NoSuchAction=1"],
            &["--qps", "CreateFlow=x"],
            &["--upload-ttl", "0"],
            &["--upload-ttl", "300000000000"],
            &["--upload-ttl", "31536001"],
            &["--fault", "x"],
            &["--fault", "x=boom"],
            &["--access-key", "nocolon"],
            &["--sts-key", "a:b"],
            &["--public-url", "ftp://x"],
            &["--file-url-ttl", "soon"],
        ] {
            assert!(parse(args).is_err(), "{args:?}");
        }
        assert!(matches!(parse(&["--help"]), Ok(Command::Help)));
        assert_eq!(
            config(&["--upload-ttl", "31536000"]).upload_ttl,
            MAX_UPLOAD_TTL
        );
    }

    #[test]
    fn template_review_takes_a_verdict_and_a_delay() {
        let c = config(&["--template-review", "fail:2:INVALID_FORMAT"]);
        assert_eq!(c.template_review.delay, Some(Duration::from_secs(2)));
        assert_eq!(
            c.template_review.fail_reason.as_deref(),
            Some("INVALID_FORMAT")
        );
        assert_eq!(
            config(&["--template-review=manual"]).template_review.delay,
            None
        );
        assert_eq!(
            config(&[]).template_review.delay,
            Some(Duration::from_secs(5))
        );
        assert!(parse(&["--template-review", "soon"]).is_err());
    }
}
