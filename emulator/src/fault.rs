//! Injected faults (`--fault TARGET=SPEC`) and their counters. TARGET is a
//! flow id, `*` (every request) or `@Action` (every request to one
//! operation, e.g. `@CreateFlow`, also those that carry no FlowId).
//!
//! Rules are evaluated in the order given. A counted rule (`http5xx:N`,
//! `reset:N`, `throttle:N`, `file5xx:N`) fires for the first N requests that
//! reach it for a flow id and then lets requests pass on to the next rule, so
//! `http5xx:2` followed by `reset:1` gives 503, 503, reset, success.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Which requests a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowSelector {
    /// `*`: every request.
    Any,
    /// One flow id.
    Id(String),
    /// `@Action`: every request to one operation.
    Operation(String),
}

/// What a request is, for matching fault rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    pub action: &'a str,
    pub flow_id: Option<&'a str>,
}

impl<'a> Target<'a> {
    /// A request about one flow (GetFlowJSONAssest and its download).
    pub fn flow(flow_id: &'a str) -> Self {
        Target {
            action: "GetFlowJSONAssest",
            flow_id: Some(flow_id),
        }
    }

    /// Counters of counted rules are per flow id, or per operation for
    /// requests without one.
    fn counter_key(&self) -> &'a str {
        self.flow_id.unwrap_or(self.action)
    }
}

impl FlowSelector {
    pub fn matches(&self, target: &Target<'_>) -> bool {
        match self {
            FlowSelector::Any => true,
            FlowSelector::Id(id) => target.flow_id == Some(id.as_str()),
            FlowSelector::Operation(action) => target.action == action,
        }
    }
}

/// One kind of misbehaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// `error:CODE[:STATUS]`: a POP error with this code.
    Error { code: String, status: Option<u16> },
    /// `code200:CODE`: HTTP 200 whose `Code` is not `OK`.
    Code200 { code: String },
    /// `http5xx:N`: the first N API requests answer 503 ServiceUnavailable.
    Http5xx(u32),
    /// `reset:N`: the first N API requests get their connection reset.
    Reset(u32),
    /// `throttle:N`: the first N API requests answer System.LimitControl.
    Throttle(u32),
    /// `unseen:N`: the first N API requests answer `Flow.NotExists`, as an
    /// eventually consistent service does right after a flow is created.
    Unseen(u32),
    /// `slow:MS`: every answer for the flow (API and download) is delayed,
    /// after the request took effect: `@CreateFlow=slow:MS` is a create
    /// whose answer comes late or is lost.
    Slow(Duration),
    /// `garbage`: HTTP 200 with an HTML body.
    Garbage,
    /// `no-filepath`: Code OK but `Data.FilePath` empty.
    NoFilePath,
    /// `file404`: the download answers 404 NoSuchKey.
    File404,
    /// `file403`: the download answers 403 AccessDenied "Request has expired.".
    File403,
    /// `file5xx:N`: the first N downloads answer 503.
    File5xx(u32),
    /// `invalid-json`: the downloaded file is truncated JSON.
    InvalidJson,
    /// `large:BYTES`: the download is a generated valid Flow JSON of at least BYTES.
    Large(u64),
}

/// The largest `large:BYTES` accepted: the emulator keeps the document in memory.
pub const MAX_LARGE_BYTES: u64 = 1 << 30;

impl Fault {
    /// How many requests a counted fault affects; `None` for faults that
    /// apply to every request.
    fn limit(&self) -> Option<u32> {
        match self {
            Fault::Http5xx(n)
            | Fault::Reset(n)
            | Fault::Throttle(n)
            | Fault::Unseen(n)
            | Fault::File5xx(n) => Some(*n),
            _ => None,
        }
    }

    /// Whether this fault changes the downloaded object rather than the API answer.
    pub fn is_download_fault(&self) -> bool {
        matches!(
            self,
            Fault::File404
                | Fault::File403
                | Fault::File5xx(_)
                | Fault::InvalidJson
                | Fault::Large(_)
        )
    }
}

/// A bad `--fault` value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FaultParseError {
    #[error("expected TARGET=SPEC (TARGET: a flow id, * or @Action)")]
    MissingEquals,
    #[error("the target (flow id or @Action) is empty")]
    EmptyFlowId,
    #[error("unknown fault kind {0:?}")]
    UnknownKind(String),
    #[error("fault {kind:?} needs a number argument, got {value:?}")]
    BadNumber { kind: String, value: String },
    #[error("fault {0:?} needs an error code")]
    MissingCode(String),
    #[error("{0:?} is not an HTTP status (100..=599)")]
    BadStatus(String),
    #[error("large:BYTES is limited to {MAX_LARGE_BYTES} bytes")]
    TooLarge,
    #[error("fault {0:?} takes no argument")]
    UnexpectedArgument(String),
}

impl FromStr for Fault {
    type Err = FaultParseError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let (kind, arg) = match spec.split_once(':') {
            Some((kind, arg)) => (kind, Some(arg)),
            None => (spec, None),
        };
        let number = |kind: &str| -> Result<u64, FaultParseError> {
            arg.and_then(|a| a.parse::<u64>().ok())
                .ok_or_else(|| FaultParseError::BadNumber {
                    kind: kind.to_string(),
                    value: arg.unwrap_or("").to_string(),
                })
        };
        let count = |kind: &str| -> Result<u32, FaultParseError> {
            let n = number(kind)?;
            u32::try_from(n).map_err(|_| FaultParseError::BadNumber {
                kind: kind.to_string(),
                value: n.to_string(),
            })
        };
        let no_argument = |fault: Fault| match arg {
            None => Ok(fault),
            Some(_) => Err(FaultParseError::UnexpectedArgument(kind.to_string())),
        };
        match kind {
            "error" => {
                let arg = arg.unwrap_or("");
                let (code, status) = match arg.rsplit_once(':') {
                    Some((code, status)) => {
                        let status = status
                            .parse::<u16>()
                            .ok()
                            .filter(|s| (100..=599).contains(s))
                            .ok_or_else(|| FaultParseError::BadStatus(status.to_string()))?;
                        (code, Some(status))
                    }
                    None => (arg, None),
                };
                if code.is_empty() {
                    return Err(FaultParseError::MissingCode(kind.to_string()));
                }
                Ok(Fault::Error {
                    code: code.to_string(),
                    status,
                })
            }
            "code200" => match arg {
                Some(code) if !code.is_empty() => Ok(Fault::Code200 {
                    code: code.to_string(),
                }),
                _ => Err(FaultParseError::MissingCode(kind.to_string())),
            },
            "http5xx" => Ok(Fault::Http5xx(count(kind)?)),
            "reset" => Ok(Fault::Reset(count(kind)?)),
            "throttle" => Ok(Fault::Throttle(count(kind)?)),
            "unseen" => Ok(Fault::Unseen(count(kind)?)),
            "file5xx" => Ok(Fault::File5xx(count(kind)?)),
            "slow" => Ok(Fault::Slow(Duration::from_millis(number(kind)?))),
            "large" => {
                let bytes = number(kind)?;
                if bytes > MAX_LARGE_BYTES {
                    return Err(FaultParseError::TooLarge);
                }
                Ok(Fault::Large(bytes))
            }
            "garbage" => no_argument(Fault::Garbage),
            "no-filepath" => no_argument(Fault::NoFilePath),
            "file404" => no_argument(Fault::File404),
            "file403" => no_argument(Fault::File403),
            "invalid-json" => no_argument(Fault::InvalidJson),
            other => Err(FaultParseError::UnknownKind(other.to_string())),
        }
    }
}

/// `FLOW_ID=SPEC`: a fault for one flow id (or `*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub flow: FlowSelector,
    pub fault: Fault,
}

impl FaultRule {
    pub fn new(flow: FlowSelector, fault: Fault) -> Self {
        FaultRule { flow, fault }
    }

    /// A rule for one flow id.
    pub fn for_flow(flow_id: &str, fault: Fault) -> Self {
        FaultRule::new(FlowSelector::Id(flow_id.to_string()), fault)
    }
}

impl FromStr for FaultRule {
    type Err = FaultParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (flow, spec) = s.split_once('=').ok_or(FaultParseError::MissingEquals)?;
        let flow = match flow {
            "" | "@" => return Err(FaultParseError::EmptyFlowId),
            "*" => FlowSelector::Any,
            target => match target.strip_prefix('@') {
                Some(action) => FlowSelector::Operation(action.to_string()),
                None => FlowSelector::Id(target.to_string()),
            },
        };
        Ok(FaultRule {
            flow,
            fault: spec.parse()?,
        })
    }
}

impl fmt::Display for FlowSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlowSelector::Any => f.write_str("*"),
            FlowSelector::Id(id) => f.write_str(id),
            FlowSelector::Operation(action) => write!(f, "@{action}"),
        }
    }
}

/// How often each counted rule has fired, per flow id.
#[derive(Debug, Default)]
pub struct FaultCounters {
    fired: HashMap<(usize, String), u32>,
}

impl FaultCounters {
    /// The first fault among `rules` (matching `flow_id` and accepted by
    /// `wanted`) that fires for this request. Counted rules that fire are
    /// charged one use; exhausted ones are skipped.
    pub fn next_fault<'a>(
        &mut self,
        rules: &'a [FaultRule],
        target: &Target<'_>,
        wanted: impl Fn(&Fault) -> bool,
    ) -> Option<&'a Fault> {
        for (index, rule) in rules.iter().enumerate() {
            if !rule.flow.matches(target) || !wanted(&rule.fault) {
                continue;
            }
            match rule.fault.limit() {
                None => return Some(&rule.fault),
                Some(limit) => {
                    let used = self
                        .fired
                        .entry((index, target.counter_key().to_string()))
                        .or_insert(0);
                    if *used < limit {
                        *used += 1;
                        return Some(&rule.fault);
                    }
                }
            }
        }
        None
    }

    pub fn clear(&mut self) {
        self.fired.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind() {
        let cases = [
            (
                "error:Product.Unsubscript",
                Fault::Error {
                    code: "Product.Unsubscript".into(),
                    status: None,
                },
            ),
            (
                "error:Throttling.User:429",
                Fault::Error {
                    code: "Throttling.User".into(),
                    status: Some(429),
                },
            ),
            (
                "code200:Flow.Busy",
                Fault::Code200 {
                    code: "Flow.Busy".into(),
                },
            ),
            ("http5xx:3", Fault::Http5xx(3)),
            ("reset:1", Fault::Reset(1)),
            ("throttle:2", Fault::Throttle(2)),
            ("unseen:3", Fault::Unseen(3)),
            ("slow:250", Fault::Slow(Duration::from_millis(250))),
            ("garbage", Fault::Garbage),
            ("no-filepath", Fault::NoFilePath),
            ("file404", Fault::File404),
            ("file403", Fault::File403),
            ("file5xx:2", Fault::File5xx(2)),
            ("invalid-json", Fault::InvalidJson),
            ("large:1048576", Fault::Large(1_048_576)),
        ];
        for (spec, fault) in cases {
            assert_eq!(spec.parse::<Fault>(), Ok(fault), "{spec}");
        }
    }

    #[test]
    fn rejects_bad_specs() {
        for spec in [
            "",
            "nope",
            "http5xx",
            "http5xx:x",
            "error:",
            "error:X:99",
            "error:X:abc",
            "garbage:1",
            "large:99999999999",
        ] {
            assert!(spec.parse::<Fault>().is_err(), "{spec}");
        }
        assert_eq!(
            "garbage".parse::<FaultRule>(),
            Err(FaultParseError::MissingEquals)
        );
        assert_eq!(
            "=garbage".parse::<FaultRule>(),
            Err(FaultParseError::EmptyFlowId)
        );
        assert_eq!(
            "*=garbage".parse::<FaultRule>().map(|r| r.flow),
            Ok(FlowSelector::Any)
        );
    }

    #[test]
    fn counted_rules_fire_in_order_then_pass() {
        let rules: Vec<FaultRule> =
            vec!["f=http5xx:2".parse().unwrap(), "f=reset:1".parse().unwrap()];
        let mut counters = FaultCounters::default();
        let mut seen = Vec::new();
        for _ in 0..5 {
            seen.push(
                counters
                    .next_fault(&rules, &Target::flow("f"), |_| true)
                    .cloned(),
            );
        }
        assert_eq!(
            seen,
            vec![
                Some(Fault::Http5xx(2)),
                Some(Fault::Http5xx(2)),
                Some(Fault::Reset(1)),
                None,
                None
            ]
        );
        // Counters are per flow id, also for `*` rules.
        let star: Vec<FaultRule> = vec!["*=throttle:1".parse().unwrap()];
        let (a, b) = (Target::flow("a"), Target::flow("b"));
        assert!(counters.next_fault(&star, &a, |_| true).is_some());
        assert!(counters.next_fault(&star, &a, |_| true).is_none());
        assert!(counters.next_fault(&star, &b, |_| true).is_some());
        counters.clear();
        assert!(counters.next_fault(&star, &a, |_| true).is_some());
    }

    #[test]
    fn operation_rules_match_requests_without_a_flow_id() {
        let rules: Vec<FaultRule> = vec!["@CreateFlow=http5xx:1".parse().unwrap()];
        assert_eq!(rules[0].flow, FlowSelector::Operation("CreateFlow".into()));
        let mut counters = FaultCounters::default();
        let create = Target {
            action: "CreateFlow",
            flow_id: None,
        };
        let list = Target {
            action: "ListFlow",
            flow_id: None,
        };
        assert!(counters.next_fault(&rules, &list, |_| true).is_none());
        assert!(counters.next_fault(&rules, &create, |_| true).is_some());
        assert!(counters.next_fault(&rules, &create, |_| true).is_none());
        assert!("@=garbage".parse::<FaultRule>().is_err());
    }
}
