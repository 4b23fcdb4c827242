//! The flows the emulator keeps, and the status rules every change obeys.
//!
//! Status rules (sources: the CAMS DeleteFlow page, Meta's WhatsApp Flows
//! lifecycle and error-code references): statuses go
//! `DRAFT → PUBLISHED → DEPRECATED`, forwards only; name, categories,
//! endpoint and Flow JSON change only while `DRAFT`; only a `DRAFT` flow is
//! deleted. CAMS documents only the last rule ("a flow can be deleted only
//! when it is in the draft state"); the others follow Meta's lifecycle and
//! are **assumptions** for CAMS. A flow is published only with a Flow JSON,
//! and a JSON that declares `data_api_version` (a flow with data exchange)
//! needs an `EndpointUri` (Meta's publishing checks, also assumed).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Categories CAMS accepts (ModifyFlow page: Meta's list without `SHOPPING`).
pub const CATEGORIES: [&str; 8] = [
    "SIGN_UP",
    "SIGN_IN",
    "APPOINTMENT_BOOKING",
    "LEAD_GENERATION",
    "CONTACT_US",
    "CUSTOMER_SUPPORT",
    "SURVEY",
    "OTHER",
];

/// Longest flow name accepted (Meta's limit for a flow name is not
/// published; a bound keeps the state small).
pub const MAX_NAME_CHARS: usize = 200;

/// Where a flow is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Draft,
    Published,
    Deprecated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "DRAFT",
            Status::Published => "PUBLISHED",
            Status::Deprecated => "DEPRECATED",
        }
    }
}

/// One flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub id: String,
    pub name: String,
    pub categories: Vec<String>,
    pub status: Status,
    #[serde(default)]
    pub endpoint_uri: String,
    #[serde(default)]
    pub cust_space_id: String,
    /// The Flow JSON document last stored by UpdateFlowJSONAsset.
    #[serde(default)]
    pub json: Option<String>,
}

impl Flow {
    /// `version` of the stored Flow JSON, if any.
    pub fn json_version(&self) -> Option<String> {
        version_text(self.versions()?.version?)
    }

    /// `data_api_version` of the stored Flow JSON, if any.
    pub fn data_api_version(&self) -> Option<String> {
        version_text(self.versions()?.data_api_version?)
    }

    fn versions(&self) -> Option<Versions> {
        let json = self.json.as_deref()?;
        // Only an object has members (serde would read a list as a struct).
        if !json.trim_start().starts_with('{') {
            return None;
        }
        serde_json::from_str(json).ok()
    }
}

/// The version members of a Flow JSON. Only these are built as values; the
/// others are skipped unread, so a document nested deeper than serde_json
/// builds a `Value` (as deep as `MAX_JSON_NESTING`) still has its versions.
#[derive(serde::Deserialize)]
struct Versions {
    version: Option<serde_json::Value>,
    data_api_version: Option<serde_json::Value>,
}

fn version_text(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) => Some(text),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    #[error("The specified flow does not exist.")]
    NotFound,
    #[error("The flow is {}: only a DRAFT flow can be changed (emulator assumption, after Meta error 139001).", .0.as_str())]
    NotDraft(Status),
    #[error("The flow is {}: only a DRAFT flow can be deleted (CAMS DeleteFlow documentation).", .0.as_str())]
    DeleteNotDraft(Status),
    #[error("The flow is {}: only a DRAFT flow can be published (emulator assumption).", .0.as_str())]
    PublishNotDraft(Status),
    #[error("The flow has no Flow JSON: upload one with UpdateFlowJSONAsset before publishing (emulator assumption, after Meta error 139002).")]
    PublishWithoutJson,
    #[error("The Flow JSON declares data_api_version but the flow has no EndpointUri (emulator assumption, after Meta error 139002).")]
    PublishWithoutEndpoint,
    #[error("The flow is {}: only a PUBLISHED flow can be deprecated (emulator assumption, after Meta error 139003).", .0.as_str())]
    DeprecateNotPublished(Status),
}

/// Every flow by id, in id order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowStore {
    pub flows: BTreeMap<String, Flow>,
}

impl FlowStore {
    pub fn get(&self, id: &str) -> Result<&Flow, FlowError> {
        self.flows.get(id).ok_or(FlowError::NotFound)
    }

    fn get_mut(&mut self, id: &str) -> Result<&mut Flow, FlowError> {
        self.flows.get_mut(id).ok_or(FlowError::NotFound)
    }

    /// Adds a new DRAFT flow under `id` (which the caller made unique).
    pub fn create(&mut self, flow: Flow) -> &Flow {
        let id = flow.id.clone();
        self.flows.entry(id).or_insert(flow)
    }

    /// Changes name, categories and endpoint (`None` keeps the endpoint).
    pub fn modify(
        &mut self,
        id: &str,
        name: String,
        categories: Vec<String>,
        endpoint_uri: Option<String>,
    ) -> Result<&Flow, FlowError> {
        let flow = self.get_mut(id)?;
        if flow.status != Status::Draft {
            return Err(FlowError::NotDraft(flow.status));
        }
        flow.name = name;
        flow.categories = categories;
        if let Some(endpoint_uri) = endpoint_uri {
            flow.endpoint_uri = endpoint_uri;
        }
        Ok(flow)
    }

    /// Whether the Flow JSON may be replaced now (checked before fetching it).
    pub fn check_json_change(&self, id: &str) -> Result<(), FlowError> {
        let flow = self.get(id)?;
        match flow.status {
            Status::Draft => Ok(()),
            other => Err(FlowError::NotDraft(other)),
        }
    }

    /// Stores a fetched Flow JSON (the status is checked again: it may have
    /// changed while the document was fetched).
    pub fn set_json(&mut self, id: &str, json: String) -> Result<(), FlowError> {
        self.check_json_change(id)?;
        self.get_mut(id)?.json = Some(json);
        Ok(())
    }

    pub fn publish(&mut self, id: &str) -> Result<(), FlowError> {
        let flow = self.get_mut(id)?;
        if flow.status != Status::Draft {
            return Err(FlowError::PublishNotDraft(flow.status));
        }
        if flow.json.is_none() {
            return Err(FlowError::PublishWithoutJson);
        }
        if flow.data_api_version().is_some() && flow.endpoint_uri.is_empty() {
            return Err(FlowError::PublishWithoutEndpoint);
        }
        flow.status = Status::Published;
        Ok(())
    }

    pub fn deprecate(&mut self, id: &str) -> Result<(), FlowError> {
        let flow = self.get_mut(id)?;
        if flow.status != Status::Published {
            return Err(FlowError::DeprecateNotPublished(flow.status));
        }
        flow.status = Status::Deprecated;
        Ok(())
    }

    pub fn delete(&mut self, id: &str) -> Result<(), FlowError> {
        let flow = self.get(id)?;
        if flow.status != Status::Draft {
            return Err(FlowError::DeleteNotDraft(flow.status));
        }
        self.flows.remove(id);
        Ok(())
    }

    /// Flows whose name contains `name_filter` (all when empty), in id order.
    pub fn list<'a>(&'a self, name_filter: &'a str) -> impl Iterator<Item = &'a Flow> + 'a {
        self.flows
            .values()
            .filter(move |flow| name_filter.is_empty() || flow.name.contains(name_filter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_draft() -> FlowStore {
        let mut store = FlowStore::default();
        store.create(Flow {
            id: "1".into(),
            name: "signup".into(),
            categories: vec!["SIGN_UP".into()],
            status: Status::Draft,
            endpoint_uri: String::new(),
            cust_space_id: String::new(),
            json: None,
        });
        store
    }

    #[test]
    fn lifecycle_goes_forward_only() {
        let mut store = store_with_draft();
        assert_eq!(
            store.deprecate("1"),
            Err(FlowError::DeprecateNotPublished(Status::Draft))
        );
        assert_eq!(store.publish("1"), Err(FlowError::PublishWithoutJson));
        store
            .set_json("1", r#"{"version":"7.0","screens":[]}"#.into())
            .unwrap();
        assert_eq!(
            store.get("1").unwrap().json_version().as_deref(),
            Some("7.0")
        );
        store.publish("1").unwrap();
        assert_eq!(
            store.publish("1"),
            Err(FlowError::PublishNotDraft(Status::Published))
        );
        assert_eq!(
            store.modify("1", "x".into(), vec![], None).err(),
            Some(FlowError::NotDraft(Status::Published))
        );
        assert_eq!(
            store.set_json("1", "{}".into()),
            Err(FlowError::NotDraft(Status::Published))
        );
        assert_eq!(
            store.delete("1"),
            Err(FlowError::DeleteNotDraft(Status::Published))
        );
        store.deprecate("1").unwrap();
        assert_eq!(
            store.deprecate("1"),
            Err(FlowError::DeprecateNotPublished(Status::Deprecated))
        );
        assert_eq!(
            store.publish("1"),
            Err(FlowError::PublishNotDraft(Status::Deprecated))
        );
        assert_eq!(
            store.delete("1"),
            Err(FlowError::DeleteNotDraft(Status::Deprecated))
        );
        assert_eq!(store.get("1").unwrap().status, Status::Deprecated);
    }

    #[test]
    fn a_draft_changes_and_is_deleted() {
        let mut store = store_with_draft();
        let flow = store
            .modify(
                "1",
                "renamed".into(),
                vec!["OTHER".into()],
                Some("https://e".into()),
            )
            .unwrap();
        assert_eq!(
            (flow.name.as_str(), flow.endpoint_uri.as_str()),
            ("renamed", "https://e")
        );
        let flow = store.modify("1", "again".into(), vec![], None).unwrap();
        assert_eq!(flow.endpoint_uri, "https://e", "None keeps the endpoint");
        store.delete("1").unwrap();
        assert_eq!(store.get("1"), Err(FlowError::NotFound));
        assert_eq!(store.delete("1"), Err(FlowError::NotFound));
    }

    #[test]
    fn data_exchange_needs_an_endpoint_to_publish() {
        let mut store = store_with_draft();
        store
            .set_json(
                "1",
                r#"{"version":"7.0","data_api_version":"3.0","screens":[]}"#.into(),
            )
            .unwrap();
        assert_eq!(store.publish("1"), Err(FlowError::PublishWithoutEndpoint));
        store
            .modify("1", "n".into(), vec![], Some("https://e".into()))
            .unwrap();
        store.publish("1").unwrap();
    }

    #[test]
    fn list_filters_by_name_substring() {
        let mut store = store_with_draft();
        let mut other = store.get("1").unwrap().clone();
        other.id = "2".into();
        other.name = "booking".into();
        store.create(other);
        let names = |f: &str| store.list(f).map(|x| x.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(""), vec!["signup", "booking"]);
        assert_eq!(names("book"), vec!["booking"]);
        assert!(names("zzz").is_empty());
    }
}
