//! `cams_chatapp_template_approval`: waits for Meta's verdict on a
//! template, the way `aws_acm_certificate_validation` waits for a
//! certificate. Its `template_id` turns unknown when the template changes
//! (see the template's plan), so the approval is replaced and waits for the
//! new review.

use std::time::Duration;

use crate::alibaba::templates::AuditStatus;
use crate::alibaba::{TemplateKey, TemplateRef};
use crate::plugin::model::Model;
use crate::plugin::value::Type;
use crate::plugin::{
    ApplyResponse, Attr, Attribute, Block, Context, CreateRequest, DeleteRequest, DeleteResponse,
    Diagnostic, Diagnostics, NestedBlock, ReadRequest, ReadResponse, RequiresReplace, Resource,
    Schema, UpdateRequest, ValidateRequest,
};
use crate::provider::Configured;
use crate::{attribute_name, attribute_path, model};

use super::errors::template_error;
use super::model::parse_template_id;

/// How long create waits when `timeouts.create` is left out.
pub(crate) const DEFAULT_CREATE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// The first pause between two reads of the review, doubled up to
/// [`MAX_POLL`]: Meta decides in minutes, at most about a day.
const FIRST_POLL: Duration = Duration::from_secs(1);
const MAX_POLL: Duration = Duration::from_secs(30);

model! {
    #[derive(Clone, Debug, Default, PartialEq)]
    pub(crate) struct ApprovalModel {
        pub id: Attr<String>,
        pub template_id: Attr<String>,
        pub audit_status: Attr<String>,
        pub timeouts: Attr<Timeouts>,
    }
}

model! {
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Timeouts {
        pub create: Attr<String>,
    }
}

pub(crate) fn approval_schema() -> Schema {
    Schema::new(
        Block::new("Waits for Meta's review of a `cams_chatapp_template`: succeeds when the template is approved (`pass`), fails with Meta's reason when it is rejected (`fail`). Replaced, and waits again, whenever the template changes. Destroying it only removes it from the state.")
            .attribute(Attribute::computed("id", Type::String, "The template's id."))
            .attribute(
                Attribute::required(
                    "template_id",
                    Type::String,
                    "The `id` of the template to wait for, e.g. `cams_chatapp_template.signup.id`.",
                )
                .plan_modifier(RequiresReplace),
            )
            .attribute(Attribute::computed(
                "audit_status",
                Type::String,
                "`pass` once the wait succeeded.",
            ))
            .block(NestedBlock::single(
                "timeouts",
                Block::new("How long to wait.").attribute(Attribute::optional(
                    "create",
                    Type::String,
                    "The longest wait for the verdict, e.g. `30m` (the default) or `2h`: a number and a unit (`s`, `m`, `h`), repeated.",
                )),
            )),
    )
}

/// `30m`, `1h30m`, `45s`: Terraform's timeout notation (Go durations
/// without fractions).
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let mut total = 0u64;
    let mut number = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return None,
        };
        let n: u64 = number.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        number.clear();
        any = true;
    }
    (any && number.is_empty()).then(|| Duration::from_secs(total))
}

fn create_timeout(m: &ApprovalModel) -> Result<Duration, Diagnostic> {
    match &m.timeouts {
        Attr::Known(Timeouts {
            create: Attr::Known(text),
        }) => parse_duration(text).ok_or_else(|| {
            Diagnostic::error(
                "Invalid Timeout",
                format!("timeouts.create {text:?} is not a duration: write e.g. \"30m\", \"2h\" or \"1h30m\"."),
            )
            .at(attribute_path!(ApprovalModel, timeouts).attribute(attribute_name!(Timeouts, create)))
        }),
        _ => Ok(DEFAULT_CREATE_TIMEOUT),
    }
}

fn invalid_id(id: &str) -> Diagnostic {
    Diagnostic::error(
        "Invalid Template ID",
        format!("template_id {id:?} is not a template id ([CUST_SPACE_ID:]NAME:LANGUAGE): use cams_chatapp_template.NAME.id."),
    )
    .at(attribute_path!(ApprovalModel, template_id))
}

pub(crate) struct ApprovalResource;

impl ApprovalResource {
    /// Reads the review until Meta decides, the deadline passes or
    /// Terraform is interrupted.
    async fn wait(&self, ctx: &Context, plan: &ApprovalModel) -> Result<(), Diagnostics> {
        let timeout = create_timeout(plan)?;
        let id = plan.template_id.clone().known().unwrap_or_default();
        let (space, name, language) = parse_template_id(&id).ok_or_else(|| invalid_id(&id))?;
        let template = TemplateRef {
            key: TemplateKey::Name(name),
            language,
            cust_space_id: space,
        };
        let configured = ctx.provider_data::<Configured>()?;
        let deadline = tokio::time::Instant::now() + timeout;
        let mut pause = FIRST_POLL;
        loop {
            let t = configured
                .client
                .get_template(&template, &ctx.cancel)
                .await
                .map_err(|e| {
                    template_error(&format!("Reading the review of template {id:?}"), &e)
                })?;
            match t.audit_status {
                Some(AuditStatus::Pass) => return Ok(()),
                Some(AuditStatus::Fail) => {
                    return Err(Diagnostic::error(
                        "Template Rejected by Meta",
                        format!(
                            "Meta rejected template {id:?}: {}. Change the template to address the reason and apply again: the change sends it back to review, and this approval waits again.",
                            t.reason.as_deref().unwrap_or("no reason given")
                        ),
                    )
                    .at(attribute_path!(ApprovalModel, template_id))
                    .into())
                }
                _ => {}
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(Diagnostic::error(
                    "Timed Out Waiting for Meta's Review",
                    format!(
                        "Template {id:?} was still {} after {} s. Meta usually decides within minutes, at most about a day: apply again later, or raise timeouts.create.",
                        t.audit_status.as_ref().map_or("undecided", |s| s.as_str()),
                        timeout.as_secs()
                    ),
                )
                .into());
            }
            let sleep = pause.min(deadline - now);
            tokio::select! {
                _ = ctx.cancel.cancelled() => {
                    return Err(Diagnostic::error(
                        "Cancelled",
                        format!("The wait for Meta's review of template {id:?} was interrupted; the template itself is unchanged."),
                    )
                    .into())
                }
                _ = tokio::time::sleep(sleep) => {}
            }
            pause = (pause * 2).min(MAX_POLL);
        }
    }
}

#[async_trait::async_trait]
impl Resource for ApprovalResource {
    fn type_name(&self) -> &'static str {
        "cams_chatapp_template_approval"
    }

    fn schema(&self) -> Schema {
        approval_schema()
    }

    async fn validate(&self, req: ValidateRequest) -> Diagnostics {
        let m = match ApprovalModel::from_config(&req.config) {
            Ok(m) => m,
            Err(d) => return d.into(),
        };
        let mut diags = Diagnostics::new();
        if let Attr::Known(id) = &m.template_id {
            if parse_template_id(id).is_none() {
                diags.push(invalid_id(id));
            }
        }
        if let Err(d) = create_timeout(&m) {
            diags.push(d);
        }
        diags
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyResponse {
        let mut plan = match ApprovalModel::from_config(&req.plan) {
            Ok(p) => p,
            Err(d) => return ApplyResponse::failed(d),
        };
        if let Err(d) = self.wait(ctx, &plan).await {
            return ApplyResponse::failed(d);
        }
        plan.id = plan.template_id.clone();
        plan.audit_status = Attr::Known("pass".into());
        ApplyResponse::ok(plan.to_state())
    }

    /// An approval stands while the template is approved; a template
    /// changed or deleted elsewhere makes Terraform plan a new wait.
    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResponse {
        let prior = match ApprovalModel::from_config(&req.state) {
            Ok(p) => p,
            Err(d) => return ReadResponse::failed(&req, d),
        };
        let configured = match ctx.provider_data::<Configured>() {
            Ok(c) => c,
            Err(d) => return ReadResponse::failed(&req, d),
        };
        let id = prior.template_id.clone().known().unwrap_or_default();
        let Some((space, name, language)) = parse_template_id(&id) else {
            return ReadResponse::removed();
        };
        let template = TemplateRef {
            key: TemplateKey::Name(name),
            language,
            cust_space_id: space,
        };
        match configured.client.get_template(&template, &ctx.cancel).await {
            Ok(t) if t.audit_status == Some(AuditStatus::Pass) => {
                ReadResponse::found(prior.to_state())
            }
            Ok(_) => ReadResponse::removed(),
            Err(e) if e.is_template_not_found() => ReadResponse::removed(),
            Err(e) => {
                ReadResponse::failed(&req, template_error("Reading the template's review", &e))
            }
        }
    }

    /// Only `timeouts` can change without a replacement: nothing to do.
    async fn update(&self, _ctx: &Context, req: UpdateRequest) -> ApplyResponse {
        match ApprovalModel::from_config(&req.plan) {
            Ok(plan) => ApplyResponse::ok(plan.to_state()),
            Err(d) => ApplyResponse::failed(d),
        }
    }

    async fn delete(&self, _ctx: &Context, _req: DeleteRequest) -> DeleteResponse {
        DeleteResponse::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::model::mismatches;

    #[test]
    fn the_model_matches_the_schema() {
        assert_eq!(
            mismatches::<ApprovalModel>(&approval_schema()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn timeouts_read_like_terraform_durations() {
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h30m5s"), Some(Duration::from_secs(5405)));
        for bad in ["", "30", "m", "1.5h", "10d", "-5m"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        let m = ApprovalModel {
            timeouts: Attr::Known(Timeouts {
                create: Attr::Known("soon".into()),
            }),
            ..ApprovalModel::default()
        };
        let d = create_timeout(&m).unwrap_err();
        assert_eq!(
            d.attribute.map(|p| p.to_string()),
            Some("timeouts.create".into())
        );
        assert_eq!(
            create_timeout(&ApprovalModel::default()),
            Ok(DEFAULT_CREATE_TIMEOUT)
        );
    }
}
