//! The `cams_flows` data source: every flow of a space through `ListFlow`,
//! page after page, optionally filtered by CAMS's own name filter.

use std::sync::Arc;

use crate::alibaba::FlowSummary;
use crate::plugin::value::{Type, Value};
use crate::plugin::{
    Attribute, Block, Config, Context, DataSource, Diagnostics, ReadDataSourceRequest,
    ReadDataSourceResponse, Schema, State, ValidateRequest,
};

use super::errors;
use super::id_checks;
use super::Configured;

/// The `cams_flows` data source.
pub struct FlowsDataSource;

/// The type of one item of `flows`.
fn flow_item_type() -> Type {
    Type::object([
        ("flow_id", Type::String),
        ("name", Type::String),
        ("categories", Type::set(Type::String)),
    ])
}

pub fn flows_data_source_schema() -> Schema {
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
        .attribute(Attribute::computed(
            "id",
            Type::String,
            "The query as cust_space_id:name, each part empty when not set; Terraform needs an id, and this one is stable.",
        ))
        .attribute(
            Attribute::computed(
                "flows",
                Type::list(flow_item_type()),
                "The flows, in the order CAMS lists them, each with flow_id, name (null when CAMS sends none) and categories (a set of strings; null when CAMS sends none). Empty when no flow matches.",
            )
            .markdown(
                "The flows, in the order CAMS lists them, each an object with:\n\n* `flow_id`: the flow's ID;\n* `name`: its name (null when CAMS sends none);\n* `categories`: a set of strings (null when CAMS sends none).\n\nEmpty when no flow matches.",
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
        let mut diags = Diagnostics::new();
        id_checks::check_cust_space_id(&req.config, &mut diags);
        diags
    }

    async fn read(&self, ctx: &Context, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        read_flows(&req.config, ctx).await.into()
    }
}

async fn read_flows(config: &Config, ctx: &Context) -> Result<State, Diagnostics> {
    let configured: Arc<Configured> = ctx.provider_data::<Configured>()?;
    let name = config.string("name").map_err(Diagnostics::from)?.known();
    let cust_space_id = config
        .string("cust_space_id")
        .map_err(Diagnostics::from)?
        .known()
        .or_else(|| configured.cust_space_id.clone());
    let flows = configured
        .client
        .list_flows(cust_space_id.as_deref(), name.as_deref(), &ctx.cancel)
        .await
        .map_err(|e| errors::cams_error("Listing the flows", config, &e))?;
    Ok(flows_state(
        config,
        cust_space_id.as_deref(),
        name.as_deref(),
        flows,
    ))
}

fn string_or_null(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::String)
}

fn flow_item(flow: FlowSummary) -> Value {
    Value::object([
        ("flow_id", Value::String(flow.flow_id)),
        ("name", string_or_null(flow.flow_name)),
        (
            "categories",
            flow.categories
                .map(|c| Value::Set(c.into_iter().map(Value::String).collect()))
                .unwrap_or(Value::Null),
        ),
    ])
}

fn flows_state(
    config: &Config,
    cust_space_id: Option<&str>,
    name: Option<&str>,
    flows: Vec<FlowSummary>,
) -> State {
    let id = format!("{}:{}", cust_space_id.unwrap_or(""), name.unwrap_or(""));
    let mut state = State::from_config(config);
    state.set("id", Value::String(id)).set(
        "flows",
        Value::List(flows.into_iter().map(flow_item).collect()),
    );
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::test_support::{object, text};

    fn summary(id: &str, name: Option<&str>, categories: Option<&[&str]>) -> FlowSummary {
        FlowSummary {
            flow_id: id.into(),
            flow_name: name.map(Into::into),
            categories: categories.map(|c| c.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn every_flow_becomes_one_item_in_order() {
        let config = Config::new(object(&[
            ("name", text("sign")),
            ("cust_space_id", Value::Null),
        ]));
        let state = flows_state(
            &config,
            Some("space-1"),
            Some("sign"),
            vec![
                summary("2", Some("signup"), Some(&["SIGN_UP"])),
                summary("1", None, None),
            ],
        );
        let Value::Object(a) = state.into_value() else {
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
                ]),
                Value::object([
                    ("flow_id", text("1")),
                    ("name", Value::Null),
                    ("categories", Value::Null),
                ]),
            ])
        );
        let schema = flows_data_source_schema();
        let mut want: Vec<&String> = schema.block.attributes.iter().map(|a| &a.name).collect();
        want.sort();
        assert_eq!(a.keys().collect::<Vec<_>>(), want);
    }

    #[test]
    fn the_id_has_empty_parts_when_nothing_is_set() {
        let config = Config::new(object(&[
            ("name", Value::Null),
            ("cust_space_id", Value::Null),
        ]));
        let Value::Object(a) = flows_state(&config, None, None, Vec::new()).into_value() else {
            panic!()
        };
        assert_eq!(a["id"], text(":"));
        assert_eq!(a["flows"], Value::List(Vec::new()));
    }

    #[test]
    fn items_match_the_declared_type() {
        let item = flow_item(summary("1", Some("n"), Some(&["OTHER"])));
        let (Value::Object(fields), Type::Object(types)) = (item, flow_item_type()) else {
            panic!()
        };
        assert_eq!(
            fields.keys().collect::<Vec<_>>(),
            types.keys().collect::<Vec<_>>()
        );
        assert!(flows_data_source_schema().problems().is_empty());
    }
}
