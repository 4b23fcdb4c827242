//! Logs as hclog JSON lines on stderr, the format Terraform's plugin client
//! parses and forwards into `TF_LOG` output: `@level`, `@message`,
//! `@module`, `@timestamp` (exactly six fractional digits, or Terraform
//! treats the whole line as plain text) and the event's fields.
//!
//! The level comes from `TF_LOG_PROVIDER`, else `TF_LOG`. With neither set,
//! Terraform throws plugin stderr away, so we install no subscriber at all
//! and logging costs nothing.
//!
//! That level applies to the provider's own events. The libraries it links
//! (h2, hyper, tonic, tower, reqwest: HTTP/2 frames, gRPC streams,
//! connection pools) log far more, including harmless connection-closed
//! errors at every shutdown, so their events are left out unless
//! `TF_LOG_PROVIDER_CAMS_LIBS` names a level for them.

use std::fmt::Write as _;
use std::io::Write as _;

use serde_json::{Map, Value as Json};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::Layer;

/// The most verbose level to emit, from Terraform's log variables.
pub(crate) fn level_from_env(tf_log_provider: Option<&str>, tf_log: Option<&str>) -> Option<Level> {
    let raw = tf_log_provider
        .filter(|s| !s.is_empty())
        .or(tf_log.filter(|s| !s.is_empty()))?;
    match raw.to_ascii_uppercase().as_str() {
        "OFF" => None,
        "ERROR" => Some(Level::ERROR),
        "WARN" => Some(Level::WARN),
        "INFO" => Some(Level::INFO),
        "DEBUG" => Some(Level::DEBUG),
        // TRACE, JSON, and (as Terraform does) anything unrecognised.
        _ => Some(Level::TRACE),
    }
}

/// The level of the libraries' own events (none when unset).
pub(crate) const LIBRARY_LOG_ENV: &str = "TF_LOG_PROVIDER_CAMS_LIBS";

/// Installs the stderr JSON logger if Terraform asked for logs.
pub(crate) fn init_from_env() {
    let provider = std::env::var("TF_LOG_PROVIDER").ok();
    let core = std::env::var("TF_LOG").ok();
    if let Some(level) = level_from_env(provider.as_deref(), core.as_deref()) {
        let libraries = std::env::var(LIBRARY_LOG_ENV).ok();
        let _ = tracing_subscriber::registry()
            .with(HclogLayer {
                levels: Levels {
                    own: level,
                    libraries: level_from_env(libraries.as_deref(), None),
                },
            })
            .try_init();
    }
}

/// The most verbose level emitted, for the provider's own events and for
/// those of the libraries it links.
#[derive(Clone, Copy, Debug)]
struct Levels {
    own: Level,
    libraries: Option<Level>,
}

impl Levels {
    fn emits(&self, target: &str, level: &Level) -> bool {
        let max = if is_own_target(target) {
            Some(self.own)
        } else {
            self.libraries
        };
        max.is_some_and(|max| *level <= max)
    }
}

/// The provider's events: its crates' module paths and the targets it
/// names itself (`sdk.*`, `provider*`, see [`module_name`]).
fn is_own_target(target: &str) -> bool {
    let crate_name = target.split("::").next().unwrap_or(target);
    matches!(crate_name, "cams_provider" | "terraform_provider_cams")
        || target.starts_with("sdk.")
        || target == "provider"
        || target.starts_with("provider.")
}

/// One JSON line per event.
struct HclogLayer {
    levels: Levels,
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, metadata: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        self.levels.emits(metadata.target(), metadata.level())
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut line = format_line(event, time::OffsetDateTime::now_utc());
        line.push('\n');
        // One write per line so concurrent events never interleave.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

fn format_line(event: &Event<'_>, now: time::OffsetDateTime) -> String {
    let meta = event.metadata();
    let mut fields = FieldCollector::default();
    event.record(&mut fields);
    let mut obj = Map::new();
    obj.insert("@level".into(), Json::from(level_name(meta.level())));
    obj.insert(
        "@message".into(),
        Json::from(fields.message.unwrap_or_default()),
    );
    obj.insert("@module".into(), Json::from(module_name(meta.target())));
    obj.insert("@timestamp".into(), Json::from(hclog_timestamp(now)));
    for (k, v) in fields.fields {
        obj.entry(k).or_insert(v);
    }
    Json::Object(obj).to_string()
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "error",
        Level::WARN => "warn",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    }
}

/// `sdk.proto` and `provider` targets stay as they are; Rust module paths
/// become `provider.<last segment>` so they group with the provider's logs.
fn module_name(target: &str) -> String {
    if target.starts_with("sdk.") || target == "provider" || target.starts_with("provider.") {
        target.to_owned()
    } else {
        let last = target.rsplit("::").next().unwrap_or(target);
        format!("provider.{last}")
    }
}

/// `2006-01-02T15:04:05.000000Z`: exactly six fractional digits.
pub(crate) fn hclog_timestamp(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let mut s = String::with_capacity(27);
    let _ = write!(
        s,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    );
    s
}

#[derive(Default)]
struct FieldCollector {
    message: Option<String>,
    fields: Vec<(String, Json)>,
}

impl Visit for FieldCollector {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = Some(text);
        } else {
            self.fields
                .push((field.name().to_owned(), Json::from(text)));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = Some(value.to_owned());
        } else {
            self.fields
                .push((field.name().to_owned(), Json::from(value)));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields
            .push((field.name().to_owned(), Json::from(value)));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields
            .push((field.name().to_owned(), Json::from(value)));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.fields
            .push((field.name().to_owned(), Json::from(value)));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields
            .push((field.name().to_owned(), Json::from(value)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_follows_terraform_rules() {
        assert_eq!(level_from_env(None, None), None);
        assert_eq!(
            level_from_env(Some("debug"), Some("TRACE")),
            Some(Level::DEBUG)
        );
        assert_eq!(level_from_env(None, Some("JSON")), Some(Level::TRACE));
        assert_eq!(level_from_env(None, Some("bogus")), Some(Level::TRACE));
        assert_eq!(level_from_env(Some(""), Some("WARN")), Some(Level::WARN));
        assert_eq!(level_from_env(None, Some("off")), None);
    }

    #[test]
    fn library_events_only_when_asked_for() {
        let trace = Levels {
            own: Level::TRACE,
            libraries: None,
        };
        assert!(trace.emits("cams_provider::alibaba::cams", &Level::TRACE));
        assert!(trace.emits("terraform_provider_cams", &Level::DEBUG));
        assert!(trace.emits("sdk.proto", &Level::TRACE));
        assert!(trace.emits("provider", &Level::TRACE));
        for library in [
            "h2::proto::connection",
            "hyper_util::client",
            "tonic::transport",
        ] {
            assert!(!trace.emits(library, &Level::TRACE), "{library}");
            assert!(!trace.emits(library, &Level::ERROR), "{library}");
        }
        // A crate whose name merely starts like the provider's is a library.
        assert!(!trace.emits("cams_provider_helpers::x", &Level::ERROR));

        let libraries_at_debug = Levels {
            own: Level::WARN,
            libraries: level_from_env(Some("debug"), None),
        };
        assert!(libraries_at_debug.emits("h2::codec", &Level::DEBUG));
        assert!(!libraries_at_debug.emits("h2::codec", &Level::TRACE));
        assert!(!libraries_at_debug.emits("cams_provider::plugin", &Level::INFO));
        assert!(libraries_at_debug.emits("cams_provider::plugin", &Level::WARN));
    }

    #[test]
    fn timestamps_have_exactly_six_fractional_digits() {
        let t = time::macros::datetime!(2026-01-02 03:04:05.000123 UTC);
        assert_eq!(hclog_timestamp(t), "2026-01-02T03:04:05.000123Z");
        let t = time::macros::datetime!(2026-01-02 03:04:05 UTC);
        assert_eq!(hclog_timestamp(t), "2026-01-02T03:04:05.000000Z");
    }

    #[test]
    fn module_names_group_under_provider() {
        assert_eq!(module_name("sdk.proto"), "sdk.proto");
        assert_eq!(module_name("cams_provider::alibaba::cams"), "provider.cams");
    }
}
