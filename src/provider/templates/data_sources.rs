//! Data sources `cams_chatapp_template` (one template, by name or code,
//! with its language) and `cams_chatapp_templates` (every template of a
//! space matching the filters), on typed models.

use crate::alibaba::templates::{AuditStatus, Template, TemplateSummary};
use crate::alibaba::{TemplateFilter, TemplateKey, TemplateRef};
use crate::plugin::model::Model;
use crate::plugin::value::Type;
use crate::plugin::{
    Attr, Attribute, AttributePath, Block, Context, DataSource, Diagnostic, Diagnostics,
    ReadDataSourceRequest, ReadDataSourceResponse, Schema, ValidateRequest,
};
use crate::provider::Configured;
use crate::{attribute_path, model};

use super::errors::template_error;
use super::model::template_id;
use super::schema::{AUDIT_STATUSES, CATEGORIES};

model! {
    #[derive(Clone, Debug, Default, PartialEq)]
    pub(crate) struct TemplateLookup {
        pub id: Attr<String>,
        pub name: Attr<String>,
        pub template_code: Attr<String>,
        pub language: Attr<String>,
        pub cust_space_id: Attr<String>,
        pub category: Attr<String>,
        pub audit_status: Attr<String>,
        pub reason: Attr<String>,
        pub quality_score: Attr<String>,
        pub body_text: Attr<String>,
        pub footer: Attr<String>,
        pub message_send_ttl_seconds: Attr<i64>,
        pub buttons: Attr<Vec<ButtonSummary>>,
    }
}

model! {
    #[derive(Clone, Debug, Default, PartialEq)]
    pub(crate) struct ButtonSummary {
        pub kind as "type": Option<String>,
        pub text: Option<String>,
        pub flow_id: Option<String>,
        pub navigate_screen: Option<String>,
        pub url: Option<String>,
        pub phone_number: Option<String>,
    }
}

model! {
    #[derive(Clone, Debug, Default, PartialEq)]
    pub(crate) struct TemplateList {
        pub id: Attr<String>,
        pub cust_space_id: Attr<String>,
        pub name: Attr<String>,
        pub language: Attr<String>,
        pub audit_status: Attr<String>,
        pub category: Attr<String>,
        pub templates: Attr<Vec<ListedTemplate>>,
    }
}

model! {
    #[derive(Clone, Debug, Default, PartialEq)]
    pub(crate) struct ListedTemplate {
        pub id: String,
        pub name: String,
        pub language: String,
        pub template_code: Option<String>,
        pub category: Option<String>,
        pub audit_status: Option<String>,
        pub reason: Option<String>,
    }
}

fn button_type() -> Type {
    Type::object([
        ("type", Type::String),
        ("text", Type::String),
        ("flow_id", Type::String),
        ("navigate_screen", Type::String),
        ("url", Type::String),
        ("phone_number", Type::String),
    ])
}

fn listed_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("name", Type::String),
        ("language", Type::String),
        ("template_code", Type::String),
        ("category", Type::String),
        ("audit_status", Type::String),
        ("reason", Type::String),
    ])
}

pub(crate) fn template_data_source_schema() -> Schema {
    Schema::new(
        Block::new("One WhatsApp message template of CAMS, by `name` or `template_code`, with its `language`.")
            .attribute(Attribute::computed("id", Type::String, "`[CUST_SPACE_ID:]NAME:LANGUAGE`."))
            .attribute(Attribute::optional_computed("name", Type::String, "The template name; set this or `template_code`."))
            .attribute(Attribute::optional_computed("template_code", Type::String, "The `TemplateCode`; set this or `name`."))
            .attribute(Attribute::required("language", Type::String, "The language code, e.g. `en_US`."))
            .attribute(Attribute::optional("cust_space_id", Type::String, "The space; defaults to the provider's `cust_space_id`."))
            .attribute(Attribute::computed("category", Type::String, "`UTILITY`, `MARKETING` or `AUTHENTICATION`."))
            .attribute(Attribute::computed("audit_status", Type::String, "Meta's review: `auditing`, `pass`, `fail` or `unaudit`."))
            .attribute(Attribute::computed("reason", Type::String, "Why Meta rejected it, with `fail`."))
            .attribute(Attribute::computed("quality_score", Type::String, "`GREEN`, `YELLOW`, `RED` or `UNKNOWN`."))
            .attribute(Attribute::computed("body_text", Type::String, "The body text."))
            .attribute(Attribute::computed("footer", Type::String, "The footer text."))
            .attribute(Attribute::computed("message_send_ttl_seconds", Type::Number, "The delivery window, when set."))
            .attribute(Attribute::computed("buttons", Type::list(button_type()), "The buttons, in order.")),
    )
}

pub(crate) fn templates_data_source_schema() -> Schema {
    let listed = |v: &[&str]| {
        v.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Schema::new(
        Block::new("The WhatsApp message templates of a CAMS space that match the filters (every page of ListChatappTemplate).")
            .attribute(Attribute::computed("id", Type::String, "The filters, as one string."))
            .attribute(Attribute::optional("cust_space_id", Type::String, "The space; defaults to the provider's `cust_space_id`."))
            .attribute(Attribute::optional("name", Type::String, "Templates whose name contains this."))
            .attribute(Attribute::optional("language", Type::String, "Templates in this language."))
            .attribute(Attribute::optional("audit_status", Type::String, &format!("Templates with this review status: {}.", listed(&AUDIT_STATUSES))))
            .attribute(Attribute::optional("category", Type::String, &format!("Templates of this category: {}.", listed(&CATEGORIES))))
            .attribute(Attribute::computed("templates", Type::list(listed_type()), "The templates, as CAMS lists them.")),
    )
}

fn space(ctx: &Context, configured: &Attr<String>) -> Option<String> {
    configured.clone().known().or_else(|| {
        ctx.provider_data::<Configured>()
            .ok()
            .and_then(|c| c.cust_space_id.clone())
    })
}

fn status(s: &Option<AuditStatus>) -> Option<String> {
    s.as_ref().map(|s| s.as_str().to_owned())
}

fn lookup_result(m: TemplateLookup, space: Option<&str>, t: Template) -> TemplateLookup {
    let component = |kind: &str| t.components.iter().find(|c| c.kind == kind);
    let buttons = component("BUTTONS")
        .map(|c| {
            c.buttons
                .iter()
                .map(|b| ButtonSummary {
                    kind: Some(b.kind.clone()),
                    text: b.text.clone(),
                    flow_id: b.flow_id.clone(),
                    navigate_screen: b.navigate_screen.clone(),
                    url: b.url.clone(),
                    phone_number: b.phone_number.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    TemplateLookup {
        id: Attr::Known(template_id(space, &t.name, &t.language)),
        name: Attr::Known(t.name.clone()),
        template_code: Attr::from(t.template_code.clone()),
        category: Attr::from(t.category.clone()),
        audit_status: Attr::from(status(&t.audit_status)),
        reason: Attr::from(t.reason.clone()),
        quality_score: Attr::from(t.quality_score.clone()),
        body_text: Attr::from(component("BODY").and_then(|c| c.text.clone())),
        footer: Attr::from(component("FOOTER").and_then(|c| c.text.clone())),
        message_send_ttl_seconds: Attr::from(t.message_send_ttl_seconds),
        buttons: Attr::Known(buttons),
        ..m
    }
}

pub(crate) struct TemplateDataSource;

#[async_trait::async_trait]
impl DataSource for TemplateDataSource {
    fn type_name(&self) -> &'static str {
        "cams_chatapp_template"
    }

    fn schema(&self) -> Schema {
        template_data_source_schema()
    }

    async fn validate(&self, req: ValidateRequest) -> Diagnostics {
        match TemplateLookup::from_config(&req.config) {
            Ok(m) if m.name.is_null() == m.template_code.is_null() => Diagnostic::error(
                "Name or Template Code",
                "Set exactly one of name and template_code to say which template to read.",
            )
            .at(attribute_path!(TemplateLookup, name))
            .into(),
            Ok(_) => Diagnostics::new(),
            Err(d) => d.into(),
        }
    }

    async fn read(&self, ctx: &Context, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let read = async {
            let m = TemplateLookup::from_config(&req.config)?;
            let configured = ctx.provider_data::<Configured>()?;
            let space = space(ctx, &m.cust_space_id);
            let (name, code) = (m.name.clone().known(), m.template_code.clone().known());
            let key = match (&name, &code) {
                (Some(name), _) => TemplateKey::Name(name),
                (None, Some(code)) => TemplateKey::Code(code),
                (None, None) => {
                    return Err(Diagnostics::from(Diagnostic::error(
                        "Name or Template Code",
                        "Set name or template_code.",
                    )))
                }
            };
            let language = m.language.clone().known().unwrap_or_default();
            let template = TemplateRef {
                key,
                language: &language,
                cust_space_id: space.as_deref(),
            };
            let t = configured
                .client
                .get_template(&template, &ctx.cancel)
                .await
                .map_err(|e| template_error(&format!("Reading template {template}"), &e))?;
            Ok(lookup_result(m.clone(), space.as_deref(), t).to_state())
        };
        read.await.into()
    }
}

pub(crate) struct TemplatesDataSource;

fn listed(space: Option<&str>, t: TemplateSummary) -> ListedTemplate {
    ListedTemplate {
        id: template_id(space, &t.template_name, &t.language),
        audit_status: status(&t.audit_status),
        name: t.template_name,
        language: t.language,
        template_code: t.template_code,
        category: t.category,
        reason: t.reason,
    }
}

#[async_trait::async_trait]
impl DataSource for TemplatesDataSource {
    fn type_name(&self) -> &'static str {
        "cams_chatapp_templates"
    }

    fn schema(&self) -> Schema {
        templates_data_source_schema()
    }

    async fn validate(&self, req: ValidateRequest) -> Diagnostics {
        let m = match TemplateList::from_config(&req.config) {
            Ok(m) => m,
            Err(d) => return d.into(),
        };
        let mut diags = Diagnostics::new();
        for (name, value, allowed) in [
            ("audit_status", &m.audit_status, &AUDIT_STATUSES[..]),
            ("category", &m.category, &CATEGORIES[..]),
        ] {
            if let Attr::Known(v) = value {
                if !allowed.contains(&v.as_str()) {
                    diags.push(
                        Diagnostic::error(
                            "Invalid Filter",
                            format!("{name} {v:?} is not one of {}.", allowed.join(", ")),
                        )
                        .at(AttributePath::of(name)),
                    );
                }
            }
        }
        diags
    }

    async fn read(&self, ctx: &Context, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let read = async {
            let m = TemplateList::from_config(&req.config)?;
            let configured = ctx.provider_data::<Configured>()?;
            let space = space(ctx, &m.cust_space_id);
            let known = |a: &Attr<String>| a.clone().known();
            let (name, language, audit_status, category) = (
                known(&m.name),
                known(&m.language),
                known(&m.audit_status),
                known(&m.category),
            );
            let filter = TemplateFilter {
                cust_space_id: space.as_deref(),
                name: name.as_deref(),
                code: None,
                language: language.as_deref(),
                audit_status: audit_status.as_deref(),
                category: category.as_deref(),
            };
            let found = configured
                .client
                .list_templates(&filter, &ctx.cancel)
                .await
                .map_err(|e| template_error("Listing templates", &e))?;
            let id = [&space, &name, &language, &audit_status, &category]
                .iter()
                .map(|v| v.as_deref().unwrap_or(""))
                .collect::<Vec<_>>()
                .join(":");
            let out = TemplateList {
                id: Attr::Known(id),
                templates: Attr::Known(
                    found
                        .into_iter()
                        .map(|t| listed(space.as_deref(), t))
                        .collect(),
                ),
                ..m
            };
            Ok::<_, Diagnostics>(out.to_state())
        };
        read.await.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::model::mismatches;

    #[test]
    fn the_models_match_the_schemas() {
        assert_eq!(
            mismatches::<TemplateLookup>(&template_data_source_schema()),
            Vec::<String>::new()
        );
        assert_eq!(
            mismatches::<TemplateList>(&templates_data_source_schema()),
            Vec::<String>::new()
        );
    }
}
