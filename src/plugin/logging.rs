//! Logs as hclog JSON lines on stderr, the format Terraform's plugin client
//! parses and forwards into `TF_LOG` output: `@level`, `@message`,
//! `@module`, `@timestamp` (exactly six fractional digits, or Terraform
//! treats the whole line as plain text) and the event's fields.
//!
//! The level comes from `TF_LOG_PROVIDER`, else `TF_LOG`. With neither set,
//! Terraform throws plugin stderr away, so we install no subscriber at all
//! and logging costs nothing.

use std::fmt::Write as _;
use std::io::Write as _;

use serde_json::{Map, Value as Json};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::Layer;

/// The most verbose level to emit, from Terraform's log variables.
pub fn level_from_env(tf_log_provider: Option<&str>, tf_log: Option<&str>) -> Option<Level> {
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

/// Installs the stderr JSON logger if Terraform asked for logs.
pub fn init_from_env() {
    let provider = std::env::var("TF_LOG_PROVIDER").ok();
    let core = std::env::var("TF_LOG").ok();
    if let Some(level) = level_from_env(provider.as_deref(), core.as_deref()) {
        let _ = tracing_subscriber::registry()
            .with(HclogLayer { max: level })
            .try_init();
    }
}

/// One JSON line per event.
struct HclogLayer {
    max: Level,
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, metadata: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        metadata.level() <= &self.max
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
pub fn hclog_timestamp(t: time::OffsetDateTime) -> String {
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
