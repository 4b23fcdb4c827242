//! Planning a `cams_chatapp_template`: the space by default, the id, what
//! can change in place, what needs a replacement and a new name, and a
//! FLOW button's screen checked against its flow.

use crate::alibaba::templates::AuditStatus;
use crate::plugin::model::Model;
use crate::plugin::{Attr, AttributePath, Context, Diagnostic, Diagnostics, ModifyPlanRequest};
use crate::provider::flows::summary::summarize;
use crate::provider::Configured;
use crate::{attribute_name, attribute_path};

use super::model::{template_id, ButtonModel, TemplateModel};

/// What Meta does with a deleted template's name (CAMS's
/// DeleteChatappTemplate documentation and Meta's template guidelines).
const NAME_BLOCKED: &str = "Meta blocks a deleted template's name for 30 days: no template can be created under it until then.";

/// What the resource's plan hook returns.
#[derive(Default)]
pub struct Planned {
    /// `None`: keep the plan as the runtime made it.
    pub plan: Option<TemplateModel>,
    /// Replacements beyond those of the attributes' plan modifiers.
    pub requires_replace: Vec<AttributePath>,
    pub diagnostics: Diagnostics,
}

fn shown(a: &Attr<String>) -> String {
    match a {
        Attr::Known(s) => format!("{s:?}"),
        Attr::Unknown => "(known after apply)".into(),
        Attr::Null => "(none)".into(),
    }
}

pub async fn plan(ctx: &Context, req: &ModifyPlanRequest) -> Result<Planned, Diagnostics> {
    let mut out = Planned::default();
    if req.plan.is_null() {
        let prior = TemplateModel::from_config(&req.prior_state)?;
        out.diagnostics.push(Diagnostic::warning(
            "Template Name Blocked After Deletion",
            format!(
                "Destroying deletes template {} ({}) in CAMS. {NAME_BLOCKED}",
                shown(&prior.name),
                shown(&prior.language)
            ),
        ));
        return Ok(out);
    }
    let mut plan = TemplateModel::from_config(&req.plan)?;
    let prior = TemplateModel::decode_optional(req.prior_state.value())?;
    check_flow_screens(ctx, &plan, prior.as_ref(), &mut out.diagnostics).await;
    let Some(prior) = prior else {
        plan_create(ctx, req, &mut plan)?;
        out.plan = Some(plan);
        return Ok(out);
    };

    // The space: the configured one, else the one the template is in.
    let config_space = TemplateModel::from_config(&req.config)?.cust_space_id;
    if config_space.is_null() {
        plan.cust_space_id = prior.cust_space_id.clone();
    }
    if plan.cust_space_id != prior.cust_space_id {
        out.requires_replace
            .push(attribute_path!(TemplateModel, cust_space_id));
    }
    out.plan = Some(plan.clone());

    let identity = [
        ("name", &prior.name, &plan.name),
        ("language", &prior.language, &plan.language),
        ("category", &prior.category, &plan.category),
        ("cust_space_id", &prior.cust_space_id, &plan.cust_space_id),
    ];
    let changed: Vec<&str> = identity
        .iter()
        .filter(|(_, before, after)| before != after)
        .map(|(name, _, _)| *name)
        .collect();
    if let Some(first) = changed.first() {
        if plan.name == prior.name {
            out.diagnostics.push(
                Diagnostic::error(
                    "Template Cannot Be Replaced Under Its Own Name",
                    format!(
                        "Changing {} replaces template {}: CAMS deletes the old one and creates a new one. {NAME_BLOCKED} The new template cannot take the name, so the apply would delete the template and then fail. Give the template a new name as well (e.g. {}_v2), or leave {} as it was.",
                        changed.join(", "),
                        shown(&prior.name),
                        prior.name.clone().known().unwrap_or_default(),
                        changed.join(", ")
                    ),
                )
                .at(AttributePath::of(*first)),
            );
        } else {
            out.diagnostics.push(
                Diagnostic::warning(
                    "Template Will Be Replaced",
                    format!(
                        "Changing {} replaces template {} with a new one, {}, which goes through Meta's review again. {NAME_BLOCKED} The old name stays blocked.",
                        changed.join(", "),
                        shown(&prior.name),
                        shown(&plan.name)
                    ),
                )
                .at(AttributePath::of(*first)),
            );
        }
        return Ok(out);
    }

    if plan.content_differs(&prior) {
        let status = prior.audit_status.clone().known().unwrap_or_default();
        if !AuditStatus::parse(&status).allows_modify() {
            let why = match status.as_str() {
                "pass" => "Meta approved it, and CAMS changes only templates that are not approved".to_owned(),
                "auditing" => "Meta is reviewing it, and a template under review cannot change; once the review fails it can (refresh to see the verdict)".to_owned(),
                other => format!("its review status is {other:?}, and CAMS changes only rejected (fail) or suspended (unaudit) templates"),
            };
            out.diagnostics.push(
                Diagnostic::error(
                    "Template Cannot Be Changed In Place",
                    format!(
                        "Template {} cannot be changed: {why}. To change it anyway, give it a new name: Terraform then replaces it with a new template that goes through review. {NAME_BLOCKED}",
                        shown(&prior.name)
                    ),
                )
                .at(first_content_change(&prior, &plan)),
            );
            return Ok(out);
        }
        // A new review: the id turns unknown so that an approval of this
        // template is replaced and waits for it.
        plan.id = Attr::Unknown;
        out.plan = Some(plan);
    }
    Ok(out)
}

fn first_content_change(prior: &TemplateModel, plan: &TemplateModel) -> AttributePath {
    let name = if prior.header != plan.header {
        "header"
    } else if prior.body != plan.body {
        "body"
    } else if prior.footer != plan.footer {
        "footer"
    } else if prior.button != plan.button {
        "button"
    } else {
        "message_send_ttl_seconds"
    };
    AttributePath::of(name)
}

/// Create: the space is the configuration's, else the provider's; the id
/// is known when the name, language and space are.
fn plan_create(
    ctx: &Context,
    req: &ModifyPlanRequest,
    plan: &mut TemplateModel,
) -> Result<(), Diagnostics> {
    let config = TemplateModel::from_config(&req.config)?;
    if config.cust_space_id.is_null() {
        if let Ok(configured) = ctx.provider_data::<Configured>() {
            plan.cust_space_id = configured
                .cust_space_id
                .clone()
                .map_or(Attr::Null, Attr::Known);
        }
    }
    plan.id = match (&plan.cust_space_id, &plan.name, &plan.language) {
        (space @ (Attr::Known(_) | Attr::Null), Attr::Known(name), Attr::Known(language)) => {
            let space = match space {
                Attr::Known(s) => Some(s.as_str()),
                _ => None,
            };
            Attr::Known(template_id(space, name, language))
        }
        _ => Attr::Unknown,
    };
    Ok(())
}

/// A FLOW button's `navigate_screen` must be a screen of its flow (when
/// both are known and changed): the flow's Flow JSON is read from CAMS. A
/// flow that cannot be read is a warning; CAMS checks again on create.
async fn check_flow_screens(
    ctx: &Context,
    plan: &TemplateModel,
    prior: Option<&TemplateModel>,
    diags: &mut Diagnostics,
) {
    let Attr::Known(buttons) = &plan.button else {
        return;
    };
    let prior_buttons = match prior.map(|p| &p.button) {
        Some(Attr::Known(b)) => b.as_slice(),
        _ => &[],
    };
    let Ok(configured) = ctx.provider_data::<Configured>() else {
        return;
    };
    for (i, b) in buttons.iter().enumerate() {
        let (Attr::Known(flow_id), Attr::Known(screen)) = (&b.flow_id, &b.navigate_screen) else {
            continue;
        };
        if b.kind != Attr::Known("FLOW".into()) {
            continue;
        }
        let unchanged = prior_buttons
            .get(i)
            .is_some_and(|p| p.flow_id == b.flow_id && p.navigate_screen == b.navigate_screen);
        if unchanged {
            continue;
        }
        let space = match &plan.cust_space_id {
            Attr::Known(s) => Some(s.clone()),
            _ => configured.cust_space_id.clone(),
        };
        let at = attribute_path!(TemplateModel, button)
            .index(i)
            .attribute(attribute_name!(ButtonModel, navigate_screen));
        let fetched = configured
            .client
            .fetch_flow_json(flow_id, space.as_deref(), &ctx.cancel)
            .await;
        let screens = fetched
            .map_err(|e| e.to_string())
            .and_then(|f| String::from_utf8(f.file.bytes).map_err(|e| e.to_string()))
            .and_then(|text| summarize(&text).map_err(|e| e.to_string()))
            .map(|summary| summary.screen_ids);
        match screens {
            Ok(ids) if ids.contains(screen) => {}
            Ok(ids) => diags.push(
                Diagnostic::error(
                    "Unknown Flow Screen",
                    format!(
                        "navigate_screen {screen:?} is not a screen of flow {flow_id:?}, whose screens are: {}. Use one of them, e.g. cams_flow.NAME.screen_ids[0].",
                        ids.join(", ")
                    ),
                )
                .at(at),
            ),
            Err(e) => diags.push(
                Diagnostic::warning(
                    "Flow Screen Not Checked",
                    format!("Reading the Flow JSON of flow {flow_id:?} to check navigate_screen failed: {e}. CAMS checks the button when the template is sent."),
                )
                .at(at),
            ),
        }
    }
}
