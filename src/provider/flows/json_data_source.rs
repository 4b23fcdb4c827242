//! The `cams_flow_json` data source: GetFlowJSONAssest, then the download.

use std::sync::Arc;

use crate::plugin::model::Model;
use crate::plugin::value::Type;
use crate::plugin::{
    Attr, Context, DataSource, Diagnostic, Diagnostics, ReadDataSourceRequest,
    ReadDataSourceResponse, Schema, ValidateRequest,
};
use crate::{attribute_path, model};

use super::id_checks;
use super::summary::summarize;
use crate::plugin::{Attribute, Block};
use crate::provider::errors;
use crate::provider::Configured;

/// The `cams_flow_json` data source.
pub(crate) struct FlowJson;

model! {
    /// A `cams_flow_json` data source configuration or state.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub(crate) struct FlowJsonModel {
        pub flow_id: Attr<String>,
        pub cust_space_id: Attr<String>,
        pub id: Attr<String>,
        pub file_path: Attr<String>,
        pub content: Attr<String>,
        pub content_sha256: Attr<String>,
        pub request_id: Attr<String>,
        pub flow_json_version: Attr<String>,
        pub screen_ids: Attr<Vec<String>>,
    }
}

#[async_trait::async_trait]
impl DataSource for FlowJson {
    fn type_name(&self) -> &'static str {
        "cams_flow_json"
    }

    fn schema(&self) -> Schema {
        flow_json_schema()
    }

    async fn validate(&self, req: ValidateRequest) -> Diagnostics {
        let config = match FlowJsonModel::from_config(&req.config) {
            Ok(config) => config,
            Err(d) => return d.into(),
        };
        id_checks::check_flow_reference(
            (&config.flow_id, attribute_path!(FlowJsonModel, flow_id)),
            (
                &config.cust_space_id,
                attribute_path!(FlowJsonModel, cust_space_id),
            ),
        )
    }

    async fn read(&self, ctx: &Context, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let read = match FlowJsonModel::from_config(&req.config) {
            Ok(config) => self.read_state(config, ctx).await,
            Err(d) => Err(d.into()),
        };
        read.map(|state| state.to_state()).into()
    }
}

impl FlowJson {
    async fn read_state(
        &self,
        config: FlowJsonModel,
        ctx: &Context,
    ) -> Result<FlowJsonModel, Diagnostics> {
        let configured: Arc<Configured> = ctx.provider_data::<Configured>()?;
        let flow_id = config.flow_id.clone().known().unwrap_or_default();
        let cust_space_id = config
            .cust_space_id
            .clone()
            .known()
            .or_else(|| configured.cust_space_id.clone());

        // GetFlowJSONAssest, then the download (asking for a fresh URL once
        // if the presigned one has already expired).
        let fetched = configured
            .client
            .fetch_flow_json(&flow_id, cust_space_id.as_deref(), &ctx.cancel)
            .await
            .map_err(|e| {
                errors::fetch_error(&flow_id, attribute_path!(FlowJsonModel, flow_id), &e)
            })?;
        let (asset, file) = (fetched.asset, fetched.file);
        let request_id = asset.request_id.clone().unwrap_or_default();
        let content = String::from_utf8(file.bytes).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Flow JSON Is Not Text",
                format!(
                    "The Flow JSON file of flow_id {} is not valid UTF-8 (first bad byte at offset {}). CAMS should only store JSON documents; check the file uploaded with UpdateFlowJSONAsset.",
                    errors::shown_id(&flow_id),
                    e.utf8_error().valid_up_to()
                ),
            ))
        })?;
        let summary = summarize(&content).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Flow JSON Is Not Valid JSON",
                format!(
                    "The Flow JSON file of flow_id {} ({} bytes, RequestId {}) is not valid JSON: {e}. Fix the document in CAMS (UpdateFlowJSONAsset) and run Terraform again.",
                    errors::shown_id(&flow_id),
                    content.len(),
                    request_id
                ),
            ))
        })?;

        Ok(FlowJsonModel {
            id: Attr::Known(flow_id),
            cust_space_id: Attr::from(config.cust_space_id.clone().known()),
            file_path: Attr::Known(asset.file_path),
            content_sha256: Attr::Known(file.sha256_hex),
            request_id: Attr::from(asset.request_id),
            flow_json_version: Attr::from(summary.version),
            screen_ids: Attr::Known(summary.screen_ids),
            content: Attr::Known(content),
            ..config
        })
    }
}

pub fn flow_json_schema() -> Schema {
    Schema::new(
        Block::new(
            "Reads the Flow JSON document of a WhatsApp Flow stored in CAMS (API `GetFlowJSONAssest`) and downloads it. Use `jsondecode(content)` to work with it.",
        )
        .attribute(Attribute::required(
            "flow_id",
            Type::String,
            "ID of the WhatsApp Flow, as returned by CAMS `CreateFlow`. Must not be empty.",
        ))
        .attribute(Attribute::optional(
            "cust_space_id",
            Type::String,
            "`CustSpaceId` of the flow's space. Defaults to the provider's `cust_space_id`. Must not be empty when set.",
        ))
        .attribute(Attribute::computed("id", Type::String, "Same as `flow_id`."))
        .attribute(
            Attribute::computed(
                "file_path",
                Type::String,
                "The URL CAMS returned for the Flow JSON file: usually a presigned OSS URL, a bearer credential until it expires, hence sensitive.",
            )
            .sensitive(),
        )
        .attribute(Attribute::computed(
            "content",
            Type::String,
            "The Flow JSON document, byte for byte as downloaded.",
        ))
        .attribute(Attribute::computed(
            "content_sha256",
            Type::String,
            "Lowercase hex SHA-256 of `content`, as downloaded.",
        ))
        .attribute(Attribute::computed(
            "request_id",
            Type::String,
            "The CAMS `RequestId` of the `GetFlowJSONAssest` call, for Alibaba Cloud support.",
        ))
        .attribute(Attribute::computed(
            "flow_json_version",
            Type::String,
            "The document's Flow JSON `version` (e.g. `7.0`); null when absent. A numeric `version` is given as its JSON text.",
        ))
        .attribute(Attribute::computed(
            "screen_ids",
            Type::List(Box::new(Type::String)),
            "The `id` of each screen, in document order; empty when there are none. Screens without a string `id` are skipped.",
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::model::mismatches;

    #[test]
    fn the_model_matches_the_schema() {
        assert_eq!(
            mismatches::<FlowJsonModel>(&flow_json_schema()),
            Vec::<String>::new()
        );
    }
}
