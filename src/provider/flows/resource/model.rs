//! The flow as the resource sees it: the typed model of its configuration,
//! plan and state, what follows from its Flow JSON, and the flow as an
//! apply reads it (every value known).

use sha2::{Digest as _, Sha256};

use crate::model;
use crate::plugin::model::{Model, Set};
use crate::plugin::{Attr, Config, Diagnostics, State};
use crate::provider::flows::summary::summarize;

use super::schema::DEFAULT_STATUS;

model! {
    /// A `cams_flow` configuration, plan or state.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub(crate) struct FlowModel {
        pub id: Attr<String>,
        pub name: Attr<String>,
        /// Elements may be unknown in a configuration.
        pub categories: Attr<Set<Attr<String>>>,
        pub content: Attr<String>,
        pub endpoint_uri: Attr<String>,
        pub cust_space_id: Attr<String>,
        pub status: Attr<String>,
        pub json_version: Attr<String>,
        pub data_api_version: Attr<String>,
        pub content_sha256: Attr<String>,
        pub screen_ids: Attr<Vec<String>>,
    }
}

/// A set of strings as `config.strings` reads it: unknown when any
/// element is.
pub(crate) fn known_strings(set: &Attr<Set<Attr<String>>>) -> Attr<Vec<String>> {
    match set {
        Attr::Null => Attr::Null,
        Attr::Unknown => Attr::Unknown,
        Attr::Known(Set(items)) => items
            .iter()
            .map(|item| item.clone().known())
            .collect::<Option<Vec<_>>>()
            .map_or(Attr::Unknown, Attr::Known),
    }
}

/// Known strings as a set value, in their order.
pub(crate) fn string_set(items: Vec<String>) -> Attr<Set<Attr<String>>> {
    Attr::Known(Set(items.into_iter().map(Attr::Known).collect()))
}

impl FlowModel {
    /// Sets the computed attributes that follow from the Flow JSON text:
    /// known when the text is, unknown when it is; without a text, null
    /// and no screens.
    pub(crate) fn derive_from_content(&mut self) {
        let text = match &self.content {
            Attr::Known(text) => text,
            Attr::Unknown => {
                self.json_version = Attr::Unknown;
                self.data_api_version = Attr::Unknown;
                self.content_sha256 = Attr::Unknown;
                self.screen_ids = Attr::Unknown;
                return;
            }
            Attr::Null => {
                self.json_version = Attr::Null;
                self.data_api_version = Attr::Null;
                self.content_sha256 = Attr::Null;
                self.screen_ids = Attr::Known(Vec::new());
                return;
            }
        };
        let summary = summarize(text).unwrap_or_default();
        self.content_sha256 = Attr::Known(hex::encode(Sha256::digest(text.as_bytes())));
        self.json_version = Attr::from(summary.version);
        self.data_api_version = Attr::from(summary.data_api_version);
        self.screen_ids = Attr::Known(summary.screen_ids);
    }
}

/// A flow as a (wholly known) plan or state describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KnownFlow {
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

impl KnownFlow {
    /// Reads a planned or prior state (apply time: every value known).
    pub fn from_config(config: &Config) -> Result<Self, Diagnostics> {
        Ok(Self::from_model(FlowModel::from_config(config)?))
    }

    /// The flow a planned or prior state describes.
    pub(crate) fn from_model(model: FlowModel) -> Self {
        let mut categories = known_strings(&model.categories).known().unwrap_or_default();
        categories.sort();
        categories.dedup();
        Self {
            id: model.id.known().filter(|s| !s.is_empty()),
            name: model.name.known().unwrap_or_default(),
            categories,
            content: model.content.known().unwrap_or_default(),
            endpoint_uri: model.endpoint_uri.known(),
            cust_space_id: model.cust_space_id.known().filter(|s| !s.is_empty()),
            status: model
                .status
                .known()
                .unwrap_or_else(|| DEFAULT_STATUS.to_owned()),
        }
    }

    /// The endpoint CAMS is given: none for null and for `""`.
    pub(crate) fn endpoint_in_cams(&self) -> Option<&str> {
        self.endpoint_uri.as_deref().filter(|e| !e.is_empty())
    }

    /// The state of this flow, with everything that follows from `content`.
    pub fn to_state(&self) -> State {
        let mut model = FlowModel {
            id: Attr::from(self.id.clone()),
            name: Attr::Known(self.name.clone()),
            categories: string_set(self.categories.clone()),
            content: Attr::Known(self.content.clone()),
            endpoint_uri: Attr::from(self.endpoint_uri.clone()),
            cust_space_id: Attr::from(self.cust_space_id.clone()),
            status: Attr::Known(self.status.clone()),
            ..FlowModel::default()
        };
        model.derive_from_content();
        model.to_state()
    }
}

/// Where a flow stands on the one road it may travel; `None` for a status
/// CAMS may report that is not on it (Meta's BLOCKED, THROTTLED).
pub(crate) fn rank(status: &str) -> Option<u8> {
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
    use crate::plugin::model::mismatches;
    use crate::provider::flows::resource::schema::flow_resource_schema;

    #[test]
    fn the_model_matches_the_schema() {
        assert_eq!(
            mismatches::<FlowModel>(&flow_resource_schema()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn derived_values_follow_the_text() {
        let text =
            r#"{"version":"7.0","data_api_version":"3.0","screens":[{"id":"A"},{"id":"B"}]}"#;
        let mut flow = FlowModel {
            content: Attr::Known(text.to_owned()),
            ..FlowModel::default()
        };
        flow.derive_from_content();
        assert_eq!(flow.json_version, Attr::Known("7.0".to_owned()));
        assert_eq!(flow.data_api_version, Attr::Known("3.0".to_owned()));
        assert_eq!(
            flow.content_sha256,
            Attr::Known(hex::encode(Sha256::digest(text.as_bytes())))
        );
        assert_eq!(
            flow.screen_ids,
            Attr::Known(vec!["A".to_owned(), "B".to_owned()])
        );
        flow.content = Attr::Unknown;
        flow.derive_from_content();
        assert!(
            flow.json_version.is_unknown()
                && flow.data_api_version.is_unknown()
                && flow.content_sha256.is_unknown()
                && flow.screen_ids.is_unknown()
        );
    }

    #[test]
    fn statuses_only_move_forward() {
        assert!(rank("DRAFT") < rank("PUBLISHED"));
        assert!(rank("PUBLISHED") < rank("DEPRECATED"));
        assert_eq!(rank("BLOCKED"), None);
    }
}
