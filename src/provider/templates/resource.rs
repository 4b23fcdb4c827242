//! The `cams_chatapp_template` resource: create, change in place while
//! CAMS allows it, refresh, import and delete a WhatsApp template.

use crate::alibaba::templates::Template;
use crate::alibaba::{
    CamsClient, CamsError, NewTemplate, TemplateChanges, TemplateKey, TemplateRef,
};
use crate::plugin::model::Model;
use crate::plugin::{
    ApplyResponse, Attr, Context, CreateRequest, DeleteRequest, DeleteResponse, Diagnostic,
    Diagnostics, ImportRequest, ImportResponse, ModifyPlanRequest, ModifyPlanResponse, ReadRequest,
    ReadResponse, Resource, Schema, UpdateRequest, ValidateRequest,
};
use crate::provider::Configured;

use super::checks::check;
use super::errors::template_error;
use super::model::{parse_template_id, template_id, TemplateModel};
use super::schema::template_schema;

pub(crate) struct TemplateResource;

fn text(a: &Attr<String>) -> Option<&str> {
    match a {
        Attr::Known(s) => Some(s),
        _ => None,
    }
}

/// The space, name and language that identify a template in a plan or
/// state (every one known at apply time).
fn reference(t: &TemplateModel) -> TemplateRef<'_> {
    TemplateRef {
        key: TemplateKey::Name(text(&t.name).unwrap_or_default()),
        language: text(&t.language).unwrap_or_default(),
        cust_space_id: text(&t.cust_space_id),
    }
}

fn client(ctx: &Context) -> Result<std::sync::Arc<Configured>, Diagnostics> {
    ctx.provider_data::<Configured>().map_err(Diagnostics::from)
}

/// The plan with what CAMS computed: id, code, review.
fn realised(
    plan: &TemplateModel,
    remote: Option<&Template>,
    code: Option<String>,
) -> TemplateModel {
    let mut state = plan.clone();
    let r = reference(plan);
    state.id = Attr::Known(template_id(
        r.cust_space_id,
        text(&plan.name).unwrap_or_default(),
        r.language,
    ));
    let known = |s: Option<&String>| s.map_or(Attr::Null, |s| Attr::Known(s.clone()));
    state.template_code = known(
        remote
            .and_then(|t| t.template_code.as_ref())
            .or(code.as_ref()),
    );
    state.audit_status = known(
        remote
            .and_then(|t| t.audit_status.as_ref())
            .map(|s| s.as_str().to_owned())
            .as_ref(),
    );
    state.reason = known(remote.and_then(|t| t.reason.as_ref()));
    state.quality_score = known(remote.and_then(|t| t.quality_score.as_ref()));
    if state.cust_space_id.is_unknown() {
        state.cust_space_id = Attr::Null;
    }
    state
}

/// Reads the template after a create or modify; a failure to read is a
/// warning (the change itself succeeded) and leaves the review unknown
/// until the next refresh.
async fn read_back(
    client: &CamsClient,
    plan: &TemplateModel,
    ctx: &Context,
    diags: &mut Diagnostics,
) -> Option<Template> {
    match client.get_template(&reference(plan), &ctx.cancel).await {
        Ok(t) => Some(t),
        Err(e) => {
            diags.push(Diagnostic::warning(
                "Template Review Status Not Read",
                format!("The template was sent to CAMS, but reading its review status failed: {e}. The next refresh reads it."),
            ));
            None
        }
    }
}

#[async_trait::async_trait]
impl Resource for TemplateResource {
    fn type_name(&self) -> &'static str {
        "cams_chatapp_template"
    }

    fn schema(&self) -> Schema {
        template_schema()
    }

    async fn validate(&self, req: ValidateRequest) -> Diagnostics {
        match TemplateModel::from_config(&req.config) {
            Ok(t) => check(&t),
            Err(d) => d.into(),
        }
    }

    async fn modify_plan(&self, ctx: &Context, req: ModifyPlanRequest) -> ModifyPlanResponse {
        let mut resp = ModifyPlanResponse::keep(&req);
        match super::plan::plan(ctx, &req).await {
            Ok(planned) => {
                if let Some(plan) = planned.plan {
                    // Unknowns the plan leaves unknown keep what Terraform
                    // knows of them (refinements), as the configuration had.
                    resp.plan = plan.encode_over(req.plan.value());
                }
                resp.requires_replace.extend(planned.requires_replace);
                resp.diagnostics.extend(planned.diagnostics);
            }
            Err(d) => resp.diagnostics.extend(d),
        }
        resp
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyResponse {
        let plan = match TemplateModel::from_config(&req.plan) {
            Ok(p) => p,
            Err(d) => return ApplyResponse::failed(d),
        };
        let configured = match client(ctx) {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(d),
        };
        let (components, example) = plan.components();
        let r = reference(&plan);
        let name = text(&plan.name).unwrap_or_default();
        let new = NewTemplate {
            name,
            language: r.language,
            category: text(&plan.category).unwrap_or_default(),
            components: &components,
            example: &example,
            cust_space_id: r.cust_space_id,
            message_send_ttl_seconds: plan.ttl(),
            category_change_paused: None,
        };
        let mut diags = Diagnostics::new();
        match configured.client.create_template(&new, &ctx.cancel).await {
            Ok(created) => {
                let remote = read_back(&configured.client, &plan, ctx, &mut diags).await;
                let state = realised(&plan, remote.as_ref(), Some(created.template_code));
                ApplyResponse {
                    new_state: Some(state.to_state()),
                    private: None,
                    diagnostics: diags,
                }
            }
            Err(e) => {
                let mut d = template_error(&format!("Creating template {name:?}"), &e);
                // The request may have reached CAMS before it failed: if the
                // template exists now, keep it in the state.
                if matches!(
                    e,
                    CamsError::Transport { .. } | CamsError::ResponseTooLarge { .. }
                ) {
                    if let Ok(t) = configured.client.get_template(&r, &ctx.cancel).await {
                        let state = realised(&plan, Some(&t), None);
                        return ApplyResponse::partial(state.to_state(), d);
                    }
                }
                d.extend(diags);
                ApplyResponse::failed(d)
            }
        }
    }

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResponse {
        let prior = match TemplateModel::from_config(&req.state) {
            Ok(p) => p,
            Err(d) => return ReadResponse::failed(&req, d),
        };
        let configured = match client(ctx) {
            Ok(c) => c,
            Err(d) => return ReadResponse::failed(&req, d),
        };
        match configured
            .client
            .get_template(&reference(&prior), &ctx.cancel)
            .await
        {
            Ok(t) => {
                let mut state = prior.with_remote(&t);
                let r = reference(&prior);
                state.id = Attr::Known(template_id(
                    r.cust_space_id,
                    text(&prior.name).unwrap_or_default(),
                    r.language,
                ));
                ReadResponse::found(state.to_state())
            }
            Err(e) if e.is_template_not_found() => ReadResponse::removed(),
            Err(e) => ReadResponse::failed(&req, template_error("Reading the template", &e)),
        }
    }

    async fn update(&self, ctx: &Context, req: UpdateRequest) -> ApplyResponse {
        let (plan, prior) = match (
            TemplateModel::from_config(&req.plan),
            TemplateModel::from_config(&req.prior_state),
        ) {
            (Ok(p), Ok(s)) => (p, s),
            (Err(d), _) | (_, Err(d)) => return ApplyResponse::failed(d),
        };
        let configured = match client(ctx) {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(d),
        };
        let mut diags = Diagnostics::new();
        if plan.content_differs(&prior) {
            let (components, example) = plan.components();
            let changes = TemplateChanges {
                template: reference(&prior),
                components: &components,
                example: &example,
                message_send_ttl_seconds: plan.ttl(),
                category_change_paused: None,
            };
            if let Err(e) = configured
                .client
                .modify_template(&changes, &ctx.cancel)
                .await
            {
                return ApplyResponse::failed(template_error("Changing the template", &e));
            }
        }
        let remote = read_back(&configured.client, &plan, ctx, &mut diags).await;
        let code = text(&prior.template_code).map(str::to_owned);
        let state = realised(&plan, remote.as_ref(), code);
        ApplyResponse {
            new_state: Some(state.to_state()),
            private: None,
            diagnostics: diags,
        }
    }

    async fn delete(&self, ctx: &Context, req: DeleteRequest) -> DeleteResponse {
        let prior = match TemplateModel::from_config(&req.prior_state) {
            Ok(p) => p,
            Err(d) => {
                return DeleteResponse {
                    diagnostics: d.into(),
                }
            }
        };
        let configured = match client(ctx) {
            Ok(c) => c,
            Err(diagnostics) => return DeleteResponse { diagnostics },
        };
        match configured
            .client
            .delete_template(&reference(&prior), &ctx.cancel)
            .await
        {
            Ok(_) => DeleteResponse::default(),
            Err(e) if e.is_template_not_found() => DeleteResponse::default(),
            Err(e) => DeleteResponse {
                diagnostics: template_error("Deleting the template", &e),
            },
        }
    }

    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResponse {
        let Some((space, name, language)) = parse_template_id(&req.id) else {
            return ImportResponse {
                diagnostics: Diagnostic::error(
                    "Invalid Import ID",
                    format!("{:?} is not a template id: import a template as NAME:LANGUAGE, or CUST_SPACE_ID:NAME:LANGUAGE for one in an ISV sub-customer space (e.g. signup_invite:en_US).", req.id),
                )
                .into(),
                ..ImportResponse::default()
            };
        };
        let known = |s: &str| Attr::Known(s.to_owned());
        let state = TemplateModel {
            id: known(&req.id),
            name: known(name),
            language: known(language),
            cust_space_id: space.map_or(Attr::Null, known),
            button: Attr::Known(Vec::new()),
            ..TemplateModel::default()
        };
        ImportResponse {
            state: Some(state.to_state()),
            ..ImportResponse::default()
        }
    }
}
