//! The `cams_flows` data source: every flow of a space through `ListFlow`,
//! page after page, optionally filtered by CAMS's own name filter.
//!
//! `ListFlow` carries no status, so a live flow and a deprecated one of the
//! same name look alike; `with_status = true` reads each listed flow's
//! status with `GetFlow`, one paced call per flow.

use std::sync::Arc;

use futures_util::StreamExt as _;

use crate::alibaba::{CamsError, FlowSummary};
use crate::plugin::model::{Field, Model, Set};
use crate::plugin::value::Type;
use crate::plugin::{
    Attr, Attribute, Block, Context, DataSource, Diagnostics, ReadDataSourceRequest,
    ReadDataSourceResponse, Schema, ValidateRequest,
};
use crate::{attribute_path, model};

use super::id_checks;
use crate::provider::errors;
use crate::provider::Configured;

/// The `cams_flows` data source.
pub(crate) struct FlowsDataSource;

/// `GetFlow` calls in flight at once with `with_status`: enough to keep the
/// limiter's window full at the default rate; the limiter does the pacing.
const CONCURRENT_STATUS_READS: usize = 10;

model! {
    /// A `cams_flows` data source configuration or state.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub(crate) struct FlowsModel {
        pub name: Attr<String>,
        pub cust_space_id: Attr<String>,
        pub with_status: Attr<bool>,
        pub id: Attr<String>,
        pub flows: Attr<Vec<FlowItem>>,
    }
}

model! {
    /// One item of `flows`.
    #[derive(Clone, Debug, PartialEq)]
    pub(crate) struct FlowItem {
        pub flow_id: String,
        pub name: Option<String>,
        pub categories: Option<Set<String>>,
        pub status: Option<String>,
    }
}

pub(crate) fn flows_data_source_schema() -> Schema {
    Schema::new(
        Block::new(
            "Lists the WhatsApp Flows of a CAMS space (API ListFlow, every page), optionally only those whose name matches a filter. Use the cams_flow data source to read one flow's status and versions.",
        )
        .markdown(
            "Lists the WhatsApp Flows of a CAMS space (API `ListFlow`, every page), optionally only those whose name matches a filter. Use the `cams_flow` data source to read one flow's status and versions.",
        )
        .attribute(Attribute::optional(
            "name",
            Type::String,
            "Only flows whose name matches this text, as CAMS's own FlowName filter matches it (sent as is). Lists every flow when not set.",
        ))
        .attribute(Attribute::optional(
            "cust_space_id",
            Type::String,
            "CustSpaceId of the space to list (the ISV sub-customer space or instance ID). Defaults to the provider's cust_space_id.",
        ))
        .attribute(
            Attribute::optional(
                "with_status",
                Type::Bool,
                "Also read each flow's status (DRAFT, PUBLISHED or DEPRECATED), which ListFlow does not carry, to tell a live flow from a deprecated one of the same name. Costs one GetFlow call per listed flow, paced like every CAMS call: at GetFlow's documented 5 per second, N flows add about N/5 seconds to every read. A flow deleted between the list and its GetFlow is left out. Default false: status is null.",
            )
            .markdown(
                "Also read each flow's `status` (`DRAFT`, `PUBLISHED` or `DEPRECATED`), which `ListFlow` does not carry, to tell a live flow from a deprecated one of the same name. Costs one `GetFlow` call per listed flow, paced like every CAMS call: at `GetFlow`'s documented 5 per second, *N* flows add about *N*/5 seconds to every read (100 flows: 20 s). A flow deleted between the list and its `GetFlow` is left out. Default `false`: `status` is null.",
            ),
        )
        .attribute(Attribute::computed(
            "id",
            Type::String,
            "The query as cust_space_id:name, each part empty when not set; Terraform needs an id, and this one is stable.",
        ))
        .attribute(
            Attribute::computed(
                "flows",
                Type::list(FlowItem::ty()),
                "The flows, in the order CAMS lists them, each with flow_id, name (null when CAMS sends none), categories (a set of strings; null when CAMS sends none) and status (with with_status; else null). Empty when no flow matches.",
            )
            .markdown(
                "The flows, in the order CAMS lists them, each an object with:\n\n* `flow_id`: the flow's ID;\n* `name`: its name (null when CAMS sends none);\n* `categories`: a set of strings (null when CAMS sends none);\n* `status`: `DRAFT`, `PUBLISHED` or `DEPRECATED` with `with_status = true`; else null.\n\nEmpty when no flow matches.",
            ),
        ),
    )
}

#[async_trait::async_trait]
impl DataSource for FlowsDataSource {
    fn type_name(&self) -> &'static str {
        "cams_flows"
    }

    fn schema(&self) -> Schema {
        flows_data_source_schema()
    }

    async fn validate(&self, req: ValidateRequest) -> Diagnostics {
        let config = match FlowsModel::from_config(&req.config) {
            Ok(config) => config,
            Err(d) => return d.into(),
        };
        let mut diags = Diagnostics::new();
        id_checks::check_cust_space_id(
            &config.cust_space_id,
            attribute_path!(FlowsModel, cust_space_id),
            &mut diags,
        );
        diags
    }

    async fn read(&self, ctx: &Context, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let read = match FlowsModel::from_config(&req.config) {
            Ok(config) => read_flows(config, ctx).await,
            Err(d) => Err(d.into()),
        };
        read.map(|state| state.to_state()).into()
    }
}

async fn read_flows(config: FlowsModel, ctx: &Context) -> Result<FlowsModel, Diagnostics> {
    let configured: Arc<Configured> = ctx.provider_data::<Configured>()?;
    let name = config.name.clone().known();
    let cust_space_id = config
        .cust_space_id
        .clone()
        .known()
        .or_else(|| configured.cust_space_id.clone());
    let with_status = config.with_status.clone().known().unwrap_or(false);
    let listed = configured
        .client
        .list_flows(cust_space_id.as_deref(), name.as_deref(), &ctx.cancel)
        .await
        .map_err(|e| errors::cams_error("Listing the flows", None, &e))?;
    let flows = if with_status {
        // The futures are made before the stream (not in a closure of it),
        // so that the whole read stays Send for async_trait.
        let reads: Vec<_> = listed
            .iter()
            .map(|flow| {
                configured
                    .client
                    .get_flow(&flow.flow_id, cust_space_id.as_deref(), &ctx.cancel)
            })
            .collect();
        let statuses: Vec<_> = futures_util::stream::iter(reads)
            .buffered(CONCURRENT_STATUS_READS)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .map(|read| read.map(|flow| flow.status.map(|s| s.as_str().to_owned())))
            .collect();
        with_statuses(listed, statuses).map_err(|(flow_id, e)| {
            errors::cams_error(
                &format!("Reading the status of flow_id {flow_id}"),
                None,
                &e,
            )
        })?
    } else {
        listed.into_iter().map(|flow| (flow, None)).collect()
    };
    Ok(flows_state(
        config,
        cust_space_id.as_deref(),
        name.as_deref(),
        flows,
    ))
}

/// A listed flow and its status (`None` without `with_status`).
type ListedFlow = (FlowSummary, Option<String>);

/// Each listed flow with the status its `GetFlow` read, in list order. A
/// flow CAMS no longer knows was deleted after the list: it is left out.
/// Any other failure fails the read, naming the flow.
fn with_statuses(
    listed: Vec<FlowSummary>,
    statuses: Vec<Result<Option<String>, CamsError>>,
) -> Result<Vec<ListedFlow>, (String, Box<CamsError>)> {
    let mut flows = Vec::with_capacity(listed.len());
    for (flow, status) in listed.into_iter().zip(statuses) {
        match status {
            Ok(status) => flows.push((flow, status)),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err((flow.flow_id, Box::new(e))),
        }
    }
    Ok(flows)
}

fn flow_item(flow: FlowSummary, status: Option<String>) -> FlowItem {
    FlowItem {
        flow_id: flow.flow_id,
        name: flow.flow_name,
        categories: flow.categories.map(Set),
        status,
    }
}

fn flows_state(
    config: FlowsModel,
    cust_space_id: Option<&str>,
    name: Option<&str>,
    flows: Vec<ListedFlow>,
) -> FlowsModel {
    let id = format!("{}:{}", cust_space_id.unwrap_or(""), name.unwrap_or(""));
    FlowsModel {
        id: Attr::Known(id),
        flows: Attr::Known(
            flows
                .into_iter()
                .map(|(flow, status)| flow_item(flow, status))
                .collect(),
        ),
        ..config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::model::mismatches;
    use crate::plugin::value::Value;
    use crate::provider::test_support::text;

    fn summary(id: &str, name: Option<&str>, categories: Option<&[&str]>) -> FlowSummary {
        FlowSummary {
            flow_id: id.into(),
            flow_name: name.map(Into::into),
            categories: categories.map(|c| c.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn every_flow_becomes_one_item_in_order() {
        let config = FlowsModel {
            name: Attr::Known("sign".to_owned()),
            with_status: Attr::Known(true),
            ..FlowsModel::default()
        };
        let state = flows_state(
            config,
            Some("space-1"),
            Some("sign"),
            vec![
                (
                    summary("2", Some("signup"), Some(&["SIGN_UP"])),
                    Some("PUBLISHED".into()),
                ),
                (summary("1", None, None), None),
            ],
        );
        let Value::Object(a) = state.encode() else {
            panic!()
        };
        assert_eq!(a["id"], text("space-1:sign"));
        assert_eq!(a["name"], text("sign"));
        assert_eq!(
            a["flows"],
            Value::List(vec![
                Value::object([
                    ("flow_id", text("2")),
                    ("name", text("signup")),
                    ("categories", Value::Set(vec![text("SIGN_UP")])),
                    ("status", text("PUBLISHED")),
                ]),
                Value::object([
                    ("flow_id", text("1")),
                    ("name", Value::Null),
                    ("categories", Value::Null),
                    ("status", Value::Null),
                ]),
            ])
        );
        let schema = flows_data_source_schema();
        let mut want: Vec<&String> = schema.block.attributes.iter().map(|a| &a.name).collect();
        want.sort();
        assert_eq!(a.keys().collect::<Vec<_>>(), want);
    }

    fn not_found(flow_id: &str) -> CamsError {
        CamsError::NotFound {
            action: "GetFlow",
            flow_id: flow_id.into(),
            error: Box::new(crate::alibaba::ServiceError {
                http_status: 400,
                code: Some("Flow.NotExists".into()),
                message: None,
                request_id: None,
                access_denied_detail: None,
                action: Some("GetFlow"),
            }),
            attempts: 1,
        }
    }

    #[test]
    fn statuses_go_with_their_flows_and_a_flow_deleted_since_the_list_is_left_out() {
        let listed = vec![
            summary("1", Some("a"), None),
            summary("2", Some("a"), None),
            summary("3", Some("a"), None),
        ];
        let flows = with_statuses(
            listed,
            vec![
                Ok(Some("DEPRECATED".into())),
                Err(not_found("2")),
                Ok(Some("PUBLISHED".into())),
            ],
        )
        .unwrap();
        let shown: Vec<(&str, Option<&str>)> = flows
            .iter()
            .map(|(f, s)| (f.flow_id.as_str(), s.as_deref()))
            .collect();
        assert_eq!(
            shown,
            vec![("1", Some("DEPRECATED")), ("3", Some("PUBLISHED"))]
        );
    }

    #[test]
    fn any_other_status_failure_fails_the_read_naming_the_flow() {
        let listed = vec![summary("1", None, None), summary("2", None, None)];
        let failure = CamsError::Cancelled {
            action: "GetFlow",
            attempts: 1,
        };
        let Err((flow_id, e)) = with_statuses(listed, vec![Ok(None), Err(failure)]) else {
            panic!("a failed status read was ignored")
        };
        assert_eq!(flow_id, "2");
        assert!(matches!(*e, CamsError::Cancelled { .. }));
    }

    #[test]
    fn the_id_has_empty_parts_when_nothing_is_set() {
        let config = FlowsModel::default();
        let Value::Object(a) = flows_state(config, None, None, Vec::new()).encode() else {
            panic!()
        };
        assert_eq!(a["id"], text(":"));
        assert_eq!(a["flows"], Value::List(Vec::new()));
    }

    #[test]
    fn the_models_match_the_schema() {
        assert_eq!(
            mismatches::<FlowsModel>(&flows_data_source_schema()),
            Vec::<String>::new()
        );
        assert!(flows_data_source_schema().problems().is_empty());
    }
}
