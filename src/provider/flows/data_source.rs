//! The `cams_flow` data source: one flow's attributes through `GetFlow`,
//! which also carries the preview link; `GetFlowPreviewUrl` is called only
//! when `GetFlow`'s answer has none, so a read is one paced call.

use std::sync::Arc;

use crate::alibaba::{Flow, FlowPreview};
use crate::plugin::model::{Model, Set};
use crate::plugin::value::Type;
use crate::plugin::{
    Attr, Attribute, Block, Context, DataSource, Diagnostic, Diagnostics, ReadDataSourceRequest,
    ReadDataSourceResponse, Schema, State, ValidateRequest,
};
use crate::{attribute_path, model};

use super::id_checks;
use super::preview_expiry::preview_url_expires;
use crate::provider::errors::{self, shown_id};
use crate::provider::Configured;

/// The `cams_flow` data source.
pub(crate) struct FlowDataSource;

model! {
    /// A `cams_flow` data source configuration or state.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub(crate) struct FlowDataModel {
        pub flow_id: Attr<String>,
        pub cust_space_id: Attr<String>,
        pub id: Attr<String>,
        pub name: Attr<String>,
        pub categories: Attr<Set<String>>,
        pub status: Attr<String>,
        pub json_version: Attr<String>,
        pub data_api_version: Attr<String>,
        pub endpoint_uri: Attr<String>,
        pub preview_url: Attr<String>,
        pub preview_url_expires: Attr<String>,
    }
}

pub(crate) fn flow_data_source_schema() -> Schema {
    Schema::new(
        Block::new(
            "Reads one WhatsApp Flow stored in CAMS (API GetFlow): its name, categories, status, versions, endpoint and preview link. Use the cams_flow_json data source for the Flow JSON document itself.",
        )
        .markdown(
            "Reads one WhatsApp Flow stored in CAMS (API `GetFlow`): its name, categories, status, versions, endpoint and preview link. Use the `cams_flow_json` data source for the Flow JSON document itself.",
        )
        .attribute(Attribute::required(
            "flow_id",
            Type::String,
            "ID of the WhatsApp Flow, as returned by CAMS CreateFlow or shown in the CAMS console.",
        ))
        .attribute(Attribute::optional(
            "cust_space_id",
            Type::String,
            "CustSpaceId of the flow's space (the ISV sub-customer space or instance ID). Defaults to the provider's cust_space_id.",
        ))
        .attribute(Attribute::computed("id", Type::String, "Same as flow_id."))
        .attribute(Attribute::computed(
            "name",
            Type::String,
            "The flow's name.",
        ))
        .attribute(Attribute::computed(
            "categories",
            Type::set(Type::String),
            "The flow's categories, e.g. SIGN_UP or APPOINTMENT_BOOKING.",
        ))
        .attribute(Attribute::computed(
            "status",
            Type::String,
            "DRAFT, PUBLISHED or DEPRECATED (or another status Meta reports, as CAMS sends it).",
        ))
        .attribute(Attribute::computed(
            "json_version",
            Type::String,
            "The Flow JSON version of the flow's document, e.g. 7.0; null while the flow has no document.",
        ))
        .attribute(Attribute::computed(
            "data_api_version",
            Type::String,
            "The data_api_version of the flow's document, e.g. 3.0; null when the flow uses no data endpoint.",
        ))
        .attribute(Attribute::computed(
            "endpoint_uri",
            Type::String,
            "The URL of the flow's data endpoint; null when it has none.",
        ))
        .attribute(
            Attribute::computed(
                "preview_url",
                Type::String,
                "A link that shows the flow as users will see it. It carries an access token, hence sensitive; it changes on every read.",
            )
            .sensitive(),
        )
        .attribute(Attribute::computed(
            "preview_url_expires",
            Type::String,
            "When preview_url stops working, as an RFC 3339 time in UTC (e.g. 2026-01-01T00:00:00Z). CAMS does not document the unit of PreviewUrlExpires: a value above 10^12 is read as Unix milliseconds, a smaller one as Unix seconds. Null when CAMS gives none.",
        )),
    )
}

#[async_trait::async_trait]
impl DataSource for FlowDataSource {
    fn type_name(&self) -> &'static str {
        "cams_flow"
    }

    fn schema(&self) -> Schema {
        flow_data_source_schema()
    }

    async fn validate(&self, req: ValidateRequest) -> Diagnostics {
        let config = match FlowDataModel::from_config(&req.config) {
            Ok(config) => config,
            Err(d) => return d.into(),
        };
        id_checks::check_flow_reference(
            (&config.flow_id, attribute_path!(FlowDataModel, flow_id)),
            (
                &config.cust_space_id,
                attribute_path!(FlowDataModel, cust_space_id),
            ),
        )
    }

    async fn read(&self, ctx: &Context, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let read = match FlowDataModel::from_config(&req.config) {
            Ok(config) => read_flow(config, ctx).await,
            Err(d) => Err(d.into()),
        };
        match read {
            Ok((state, diagnostics)) => ReadDataSourceResponse {
                state: Some(state),
                diagnostics,
            },
            Err(diagnostics) => ReadDataSourceResponse {
                state: None,
                diagnostics,
            },
        }
    }
}

/// The state, with any warnings (a preview link that could not be had).
async fn read_flow(
    config: FlowDataModel,
    ctx: &Context,
) -> Result<(State, Diagnostics), Diagnostics> {
    let configured: Arc<Configured> = ctx.provider_data::<Configured>()?;
    let flow_id = config.flow_id.clone().known().unwrap_or_default();
    let cust_space_id = config
        .cust_space_id
        .clone()
        .known()
        .or_else(|| configured.cust_space_id.clone());
    let client = &configured.client;

    let flow = client
        .get_flow(&flow_id, cust_space_id.as_deref(), &ctx.cancel)
        .await
        .map_err(|e| {
            errors::cams_error(
                &format!("Reading flow_id {}", shown_id(&flow_id)),
                Some(attribute_path!(FlowDataModel, flow_id)),
                &e,
            )
        })?;

    let mut warnings = Diagnostics::new();
    let fallback = if flow.preview_url.is_some() {
        None
    } else {
        match client
            .get_flow_preview_url(&flow_id, cust_space_id.as_deref(), &ctx.cancel)
            .await
        {
            Ok(preview) => Some(preview),
            Err(e) => {
                warnings.push(Diagnostic::warning(
                    "Flow Preview Unavailable",
                    format!(
                        "GetFlow gave no preview link for flow_id {}, and GetFlowPreviewUrl failed: {e}. preview_url and preview_url_expires are null.",
                        shown_id(&flow_id)
                    ),
                ));
                None
            }
        }
    };
    Ok((flow_state(config, flow, fallback).to_state(), warnings))
}

/// The state from `GetFlow`'s answer; `fallback` is the separate preview,
/// used only when `GetFlow` had none.
fn flow_state(config: FlowDataModel, flow: Flow, fallback: Option<FlowPreview>) -> FlowDataModel {
    let (preview_url, expires) = match (flow.preview_url, fallback) {
        (Some(url), _) => (Some(url), flow.preview_url_expires),
        (None, Some(preview)) => (Some(preview.preview_url), preview.preview_url_expires),
        (None, None) => (None, None),
    };
    FlowDataModel {
        id: Attr::Known(flow.flow_id),
        name: Attr::from(flow.flow_name),
        categories: flow.categories.map_or(Attr::Null, |c| Attr::Known(Set(c))),
        status: Attr::from(flow.status.map(|s| s.as_str().to_owned())),
        json_version: Attr::from(flow.json_version),
        data_api_version: Attr::from(flow.data_api_version),
        endpoint_uri: Attr::from(flow.endpoint_uri.filter(|u| !u.is_empty())),
        preview_url: Attr::from(preview_url),
        preview_url_expires: Attr::from(expires.and_then(preview_url_expires)),
        ..config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alibaba::FlowStatus;
    use crate::plugin::model::mismatches;
    use crate::plugin::value::Value;
    use crate::provider::test_support::text;

    fn config() -> FlowDataModel {
        FlowDataModel {
            flow_id: Attr::Known("123".to_owned()),
            ..FlowDataModel::default()
        }
    }

    #[test]
    fn the_model_matches_the_schema() {
        assert_eq!(
            mismatches::<FlowDataModel>(&flow_data_source_schema()),
            Vec::<String>::new()
        );
    }

    fn flow() -> Flow {
        Flow {
            flow_id: "123".into(),
            flow_name: Some("signup".into()),
            categories: Some(vec!["SIGN_UP".into(), "OTHER".into()]),
            status: Some(FlowStatus::Published),
            json_version: Some("7.0".into()),
            data_api_version: None,
            endpoint_uri: Some(String::new()),
            preview_url: Some("https://preview.example/123?token=t".into()),
            preview_url_expires: Some(1_767_225_600_000),
            request_id: Some("R".into()),
        }
    }

    fn attrs(state: FlowDataModel) -> std::collections::BTreeMap<String, Value> {
        match state.encode() {
            Value::Object(attrs) => attrs,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_schema_attribute_is_set_from_get_flow() {
        let a = attrs(flow_state(config(), flow(), None));
        let schema = flow_data_source_schema();
        let names: Vec<&String> = a.keys().collect();
        let mut want: Vec<&String> = schema.block.attributes.iter().map(|a| &a.name).collect();
        want.sort();
        assert_eq!(names, want);
        assert_eq!(a["id"], text("123"));
        assert_eq!(a["name"], text("signup"));
        assert_eq!(
            a["categories"],
            Value::Set(vec![text("SIGN_UP"), text("OTHER")])
        );
        assert_eq!(a["status"], text("PUBLISHED"));
        assert_eq!(a["json_version"], text("7.0"));
        assert_eq!(a["data_api_version"], Value::Null);
        assert_eq!(a["endpoint_uri"], Value::Null, "empty means none");
        assert_eq!(
            a["preview_url"],
            text("https://preview.example/123?token=t")
        );
        assert_eq!(a["preview_url_expires"], text("2026-01-01T00:00:00Z"));
        assert_eq!(a["cust_space_id"], Value::Null);
    }

    #[test]
    fn the_separate_preview_is_used_only_when_get_flow_has_none() {
        let separate = FlowPreview {
            flow_id: Some("123".into()),
            preview_url: "https://preview.example/other".into(),
            preview_url_expires: Some(1_767_225_600),
            request_id: None,
        };
        let a = attrs(flow_state(config(), flow(), Some(separate.clone())));
        assert_eq!(
            a["preview_url"],
            text("https://preview.example/123?token=t")
        );
        let without = Flow {
            preview_url: None,
            preview_url_expires: None,
            ..flow()
        };
        let a = attrs(flow_state(config(), without.clone(), Some(separate)));
        assert_eq!(a["preview_url"], text("https://preview.example/other"));
        assert_eq!(a["preview_url_expires"], text("2026-01-01T00:00:00Z"));
        let a = attrs(flow_state(config(), without, None));
        assert_eq!(a["preview_url"], Value::Null);
        assert_eq!(a["preview_url_expires"], Value::Null);
    }

    #[test]
    fn the_preview_url_is_sensitive() {
        let schema = flow_data_source_schema();
        let sensitive: Vec<&str> = schema
            .block
            .attributes
            .iter()
            .filter(|a| a.sensitive)
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(sensitive, vec!["preview_url"]);
        assert!(schema.problems().is_empty(), "{:?}", schema.problems());
    }
}
