//! The flow as the resource sees it: what a plan asks for, what follows
//! from its Flow JSON, and the state written back.

use sha2::{Digest as _, Sha256};

use crate::plugin::value::Value;
use crate::plugin::{Attr, Config, Diagnostic, Diagnostics, State};
use crate::provider::flows::summary::summarize;

use super::schema::DEFAULT_STATUS;

/// A flow as a (wholly known) plan or state describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowModel {
    pub id: Option<String>,
    pub name: String,
    /// Sorted, as a set.
    pub categories: Vec<String>,
    pub content: String,
    /// As written: `""` (a variable's empty default) stays `""` in the
    /// state, and means no endpoint to CAMS, as null does.
    pub endpoint_uri: Option<String>,
    pub cust_space_id: Option<String>,
    pub status: String,
}

fn known_string(config: &Config, name: &str) -> Result<Option<String>, Diagnostic> {
    Ok(config.string(name)?.known())
}

impl FlowModel {
    /// Reads a planned or prior state (apply time: every value known).
    pub fn from_config(config: &Config) -> Result<Self, Diagnostics> {
        let read = || -> Result<Self, Diagnostic> {
            let mut categories = config.strings("categories")?.known().unwrap_or_default();
            categories.sort();
            categories.dedup();
            Ok(Self {
                id: known_string(config, "id")?.filter(|s| !s.is_empty()),
                name: known_string(config, "name")?.unwrap_or_default(),
                categories,
                content: known_string(config, "content")?.unwrap_or_default(),
                endpoint_uri: known_string(config, "endpoint_uri")?,
                cust_space_id: known_string(config, "cust_space_id")?.filter(|s| !s.is_empty()),
                status: known_string(config, "status")?
                    .unwrap_or_else(|| DEFAULT_STATUS.to_owned()),
            })
        };
        read().map_err(Diagnostics::from)
    }

    /// The endpoint CAMS is given: none for null and for `""`.
    pub fn endpoint_in_cams(&self) -> Option<&str> {
        self.endpoint_uri.as_deref().filter(|e| !e.is_empty())
    }

    /// The state of this flow, with everything that follows from `content`.
    pub fn to_state(&self) -> State {
        let mut state = State::new();
        state
            .set("id", opt(self.id.clone()))
            .set("name", Value::String(self.name.clone()))
            .set(
                "categories",
                Value::Set(self.categories.iter().cloned().map(Value::String).collect()),
            )
            .set("content", Value::String(self.content.clone()))
            .set("endpoint_uri", opt(self.endpoint_uri.clone()))
            .set("cust_space_id", opt(self.cust_space_id.clone()))
            .set("status", Value::String(self.status.clone()));
        for (name, value) in derived(&Attr::Known(self.content.clone())) {
            state.set(name, value);
        }
        state
    }
}

pub fn opt(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::String)
}

/// The computed attributes that follow from the Flow JSON text: known when
/// the text is, unknown otherwise.
pub fn derived(content: &Attr<String>) -> [(&'static str, Value); 4] {
    let Attr::Known(text) = content else {
        return [
            ("json_version", Value::unknown()),
            ("data_api_version", Value::unknown()),
            ("content_sha256", Value::unknown()),
            ("screen_ids", Value::unknown()),
        ];
    };
    let summary = summarize(text).unwrap_or_default();
    [
        ("json_version", opt(summary.version)),
        ("data_api_version", opt(summary.data_api_version)),
        (
            "content_sha256",
            Value::String(hex::encode(Sha256::digest(text.as_bytes()))),
        ),
        (
            "screen_ids",
            Value::List(summary.screen_ids.into_iter().map(Value::String).collect()),
        ),
    ]
}

/// Where a flow stands on the one road it may travel; `None` for a status
/// CAMS may report that is not on it (Meta's BLOCKED, THROTTLED).
pub fn rank(status: &str) -> Option<u8> {
    match status {
        "DRAFT" => Some(0),
        "PUBLISHED" => Some(1),
        "DEPRECATED" => Some(2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_values_follow_the_text() {
        let text =
            r#"{"version":"7.0","data_api_version":"3.0","screens":[{"id":"A"},{"id":"B"}]}"#;
        let d = derived(&Attr::Known(text.to_owned()));
        assert_eq!(d[0].1, Value::string("7.0"));
        assert_eq!(d[1].1, Value::string("3.0"));
        assert_eq!(
            d[2].1,
            Value::string(hex::encode(Sha256::digest(text.as_bytes())))
        );
        assert_eq!(
            d[3].1,
            Value::List(vec![Value::string("A"), Value::string("B")])
        );
        assert!(derived(&Attr::Unknown).iter().all(|(_, v)| v.is_unknown()));
    }

    #[test]
    fn statuses_only_move_forward() {
        assert!(rank("DRAFT") < rank("PUBLISHED"));
        assert!(rank("PUBLISHED") < rank("DEPRECATED"));
        assert_eq!(rank("BLOCKED"), None);
    }
}
