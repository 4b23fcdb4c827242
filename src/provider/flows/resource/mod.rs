//! The `cams_flow` resource: a WhatsApp Flow kept as code.
//!
//! * [`schema`]: the arguments, and the categories and statuses allowed.
//! * [`validate`]: checks before any request, Flow JSON rules included.
//! * [`plan`]: forward-only status, replacement of published flows.
//! * [`apply`]: create, update and delete as CAMS calls, each step named
//!   when it fails, what was created kept in the state.
//! * [`read`]: GetFlow and the stored Flow JSON; import.
//! * [`model`]: the flow as its configuration, plan or state describes it.

mod apply;
mod model;
mod namesake;
mod plan;
mod read;
mod schema;
pub(crate) mod validate;

use crate::attribute_path;
use crate::plugin::model::Model;
use crate::plugin::Attr;
use crate::plugin::{
    ApplyResponse, Context, CreateRequest, DeleteRequest, DeleteResponse, Diagnostics,
    ImportRequest, ImportResponse, ModifyPlanRequest, ModifyPlanResponse, ReadRequest,
    ReadResponse, Resource, Schema, UpdateRequest, ValidateRequest,
};

pub(crate) use model::FlowModel;
pub(crate) use schema::flow_resource_schema;

/// The `cams_flow` resource.
pub(crate) struct FlowResource {
    provider_space: std::sync::Arc<crate::provider::block::space::ProviderSpace>,
    namesakes: namesake::Namesakes,
}

impl FlowResource {
    pub fn new(
        provider_space: std::sync::Arc<crate::provider::block::space::ProviderSpace>,
    ) -> Self {
        Self {
            provider_space,
            namesakes: namesake::Namesakes::default(),
        }
    }
}

#[async_trait::async_trait]
impl Resource for FlowResource {
    fn type_name(&self) -> &'static str {
        "cams_flow"
    }

    fn schema(&self) -> Schema {
        flow_resource_schema()
    }

    async fn validate(&self, req: ValidateRequest) -> Diagnostics {
        let flow = match FlowModel::from_config(&req.config) {
            Ok(flow) => flow,
            Err(d) => return d.into(),
        };
        let mut diags = validate::check(&flow);
        self.provider_space.check_resource(
            &flow.cust_space_id,
            attribute_path!(FlowModel, cust_space_id),
            &mut diags,
        );
        diags
    }

    async fn modify_plan(&self, ctx: &Context, req: ModifyPlanRequest) -> ModifyPlanResponse {
        let creating = req.prior_state.is_null() && !req.plan.is_null();
        let prior_id = FlowModel::decode_optional(req.prior_state.value())
            .ok()
            .flatten()
            .and_then(|prior| prior.id.known());
        let mut resp = plan::modify_plan(ctx, req);
        if let (Some(id), false) = (&prior_id, resp.requires_replace.is_empty()) {
            self.namesakes.replacement_announced(id);
        }
        if creating && !resp.diagnostics.has_errors() {
            // A tainted flow's replacement reaches the provider as a plain
            // create: only CAMS can tell that a published flow goes.
            if let Ok(FlowModel {
                name: Attr::Known(name),
                cust_space_id: Attr::Known(space),
                ..
            }) = FlowModel::decode(&resp.plan)
            {
                if let Some(warning) = self.namesakes.published_namesake(ctx, &space, &name).await {
                    resp.diagnostics.push(warning);
                }
            }
        }
        resp
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyResponse {
        apply::create(ctx, req).await
    }

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResponse {
        read::read(ctx, req).await
    }

    async fn update(&self, ctx: &Context, req: UpdateRequest) -> ApplyResponse {
        apply::update(ctx, req).await
    }

    async fn delete(&self, ctx: &Context, req: DeleteRequest) -> DeleteResponse {
        apply::delete(ctx, req).await
    }

    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResponse {
        read::import(&req.id)
    }
}
