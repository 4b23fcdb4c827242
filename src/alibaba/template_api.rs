//! The typed message template operations of [`CamsClient`]
//! (`CreateChatappTemplate`, `ModifyChatappTemplate`,
//! `GetChatappTemplateDetail`, `ListChatappTemplate`,
//! `DeleteChatappTemplate`): each builds its business parameters (absent
//! values left out; `Components`, `Example` and `Page` as compact JSON
//! text, as the official SDK sends them), goes through
//! [`CamsClient::call`] and reads its typed result from the answer
//! ([`super::templates`]).
//!
//! A template is one name in one language of one space: CAMS identifies it
//! by `TemplateCode` or `TemplateName`, always with `Language`
//! ([`TemplateRef`]). Every request says `TemplateType=WHATSAPP`.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use tokio_util::sync::CancellationToken;

use super::api_response::{ApiError, Envelope};
use super::client::{answer_error, invalid, CamsClient, CamsError};
use super::error_codes::is_template_not_found;
use super::flows::{self, Done};
use super::operations::Operation;
use super::templates::{
    self, components_json, example_json, Component, CreatedTemplate, ModifiedTemplate, Template,
    TemplateSummary, WHATSAPP_TEMPLATE_TYPE,
};

/// Templates asked for per `ListChatappTemplate` page (the size of the
/// documentation's example).
pub const TEMPLATE_PAGE_SIZE: usize = 20;
/// `ListChatappTemplate` stops with an error after this many pages: a
/// server that keeps answering new items must not be read for ever.
pub const TEMPLATE_MAX_PAGES: usize = 500;

/// How a template is named in a request: by the code CAMS gave it, or by
/// its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKey<'a> {
    /// `TemplateCode`.
    Code(&'a str),
    /// `TemplateName`.
    Name(&'a str),
}

impl<'a> TemplateKey<'a> {
    fn param(&self) -> (&'static str, &'a str) {
        match self {
            TemplateKey::Code(code) => ("TemplateCode", code),
            TemplateKey::Name(name) => ("TemplateName", name),
        }
    }

    fn value(&self) -> &'a str {
        self.param().1
    }
}

/// One template: its code or name, its language, and the space it is in
/// (`None` or empty: the space of the credentials' account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateRef<'a> {
    pub key: TemplateKey<'a>,
    pub language: &'a str,
    pub cust_space_id: Option<&'a str>,
}

impl fmt::Display for TemplateRef<'_> {
    /// `name:language` or `code:language`, quoted, cut when very long.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, value) = match self.key {
            TemplateKey::Code(code) => ("code", code),
            TemplateKey::Name(name) => ("name", name),
        };
        write!(
            f,
            "{what} {} in language {}",
            shown(value),
            shown(self.language)
        )
    }
}

/// How many characters of a name, code or language an error repeats.
const SHOWN_CHARS: usize = 64;

fn shown(text: &str) -> String {
    let count = text.chars().count();
    if count <= SHOWN_CHARS {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(SHOWN_CHARS).collect();
    format!("{head:?}… ({count} characters)")
}

/// What `CreateChatappTemplate` creates (a WhatsApp template).
#[derive(Debug, Clone, PartialEq)]
pub struct NewTemplate<'a> {
    /// Lowercase letters, digits and underscores (Meta's rule; CAMS
    /// checks it).
    pub name: &'a str,
    pub language: &'a str,
    /// `UTILITY`, `MARKETING` or `AUTHENTICATION`.
    pub category: &'a str,
    /// Sent as a JSON list; CAMS requires at least one component.
    pub components: &'a [Component],
    /// Variable → sample, sent as a JSON object; empty: left out.
    pub example: &'a BTreeMap<String, String>,
    pub cust_space_id: Option<&'a str>,
    pub message_send_ttl_seconds: Option<u32>,
    pub category_change_paused: Option<bool>,
}

/// What `ModifyChatappTemplate` sets on an existing template. Name,
/// language, category and type cannot change. The components are always
/// sent (CAMS requires them); an empty example is left out.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateChanges<'a> {
    pub template: TemplateRef<'a>,
    pub components: &'a [Component],
    pub example: &'a BTreeMap<String, String>,
    pub message_send_ttl_seconds: Option<u32>,
    pub category_change_paused: Option<bool>,
}

/// `ListChatappTemplate`'s filters, each CAMS's own, sent as is when
/// given and non-empty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TemplateFilter<'a> {
    pub cust_space_id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub code: Option<&'a str>,
    pub language: Option<&'a str>,
    /// `auditing`, `pass`, `fail` or `unaudit`.
    pub audit_status: Option<&'a str>,
    pub category: Option<&'a str>,
}

/// A business parameter list: `(name, value)`, absent values left out.
type Params<'a> = Vec<(&'static str, &'a str)>;

/// Pushes `value` when given and non-empty.
fn push_given<'a>(params: &mut Params<'a>, name: &'static str, value: Option<&'a str>) {
    if let Some(value) = value.filter(|v| !v.is_empty()) {
        params.push((name, value));
    }
}

fn check_ref(op: Operation, template: &TemplateRef<'_>) -> Result<(), CamsError> {
    if template.key.value().trim().is_empty() {
        let what = match template.key {
            TemplateKey::Code(_) => "template code",
            TemplateKey::Name(_) => "template name",
        };
        return Err(invalid(op, &format!("the {what} is empty")));
    }
    if template.language.trim().is_empty() {
        return Err(invalid(op, "the template language is empty"));
    }
    Ok(())
}

/// The parameters naming one template.
fn ref_params<'a>(template: &TemplateRef<'a>) -> Params<'a> {
    let (key, value) = template.key.param();
    let mut params: Params = vec![
        (key, value),
        ("Language", template.language),
        ("TemplateType", WHATSAPP_TEMPLATE_TYPE),
    ];
    push_given(&mut params, "CustSpaceId", template.cust_space_id);
    params
}

/// A not-found answer about `template` becomes
/// [`CamsError::TemplateNotFound`]; every other error stays as it is.
fn not_found_for(error: CamsError, template: &TemplateRef<'_>) -> CamsError {
    let CamsError::Api {
        action,
        error,
        attempts,
        gave_up,
    } = error
    else {
        return error;
    };
    match *error {
        ApiError::Service(service)
            if service.code.as_deref().is_some_and(is_template_not_found) =>
        {
            CamsError::TemplateNotFound {
                action,
                template: template.to_string(),
                error: Box::new(service),
                attempts,
            }
        }
        other => CamsError::Api {
            action,
            error: Box::new(other),
            attempts,
            gave_up,
        },
    }
}

impl CamsClient {
    /// `CreateChatappTemplate`. Never retried once the request may have
    /// reached CAMS (a repeat would answer that the name is taken, hiding
    /// that the first one created it): only after a connect failure or a
    /// throttling answer. After any other failure the template may or may
    /// not exist: look it up by name and language.
    pub async fn create_template(
        &self,
        template: &NewTemplate<'_>,
        cancel: &CancellationToken,
    ) -> Result<CreatedTemplate, CamsError> {
        let op = Operation::CreateChatappTemplate;
        for (what, value) in [
            ("name", template.name),
            ("language", template.language),
            ("category", template.category),
        ] {
            if value.trim().is_empty() {
                return Err(invalid(op, &format!("the template {what} is empty")));
            }
        }
        if template.components.is_empty() {
            return Err(invalid(op, "a template needs at least one component"));
        }
        let components = components_json(template.components);
        let example = (!template.example.is_empty()).then(|| example_json(template.example));
        let ttl = template.message_send_ttl_seconds.map(|t| t.to_string());
        let paused = template.category_change_paused.map(|p| p.to_string());
        let mut params: Params = vec![
            ("Name", template.name),
            ("Language", template.language),
            ("Category", template.category),
            ("TemplateType", WHATSAPP_TEMPLATE_TYPE),
            ("Components", &components),
        ];
        push_given(&mut params, "Example", example.as_deref());
        push_given(&mut params, "CustSpaceId", template.cust_space_id);
        push_given(&mut params, "MessageSendTtlSeconds", ttl.as_deref());
        push_given(&mut params, "CategoryChangePaused", paused.as_deref());
        let (envelope, attempts) = self.call(op, &params, None, cancel).await?;
        templates::created_template(envelope).map_err(|e| answer_error(op, e, attempts))
    }

    /// `ModifyChatappTemplate`: new components, example, TTL. CAMS allows
    /// it only on templates that are not approved, as far as its SDK says
    /// (a refusal comes back as [`CamsError::Api`] with CAMS's code); the
    /// template then goes back to review.
    pub async fn modify_template(
        &self,
        changes: &TemplateChanges<'_>,
        cancel: &CancellationToken,
    ) -> Result<ModifiedTemplate, CamsError> {
        let op = Operation::ModifyChatappTemplate;
        check_ref(op, &changes.template)?;
        if changes.components.is_empty() {
            return Err(invalid(op, "a template needs at least one component"));
        }
        let components = components_json(changes.components);
        let example = (!changes.example.is_empty()).then(|| example_json(changes.example));
        let ttl = changes.message_send_ttl_seconds.map(|t| t.to_string());
        let paused = changes.category_change_paused.map(|p| p.to_string());
        let mut params = ref_params(&changes.template);
        params.push(("Components", &components));
        push_given(&mut params, "Example", example.as_deref());
        push_given(&mut params, "MessageSendTtlSeconds", ttl.as_deref());
        push_given(&mut params, "CategoryChangePaused", paused.as_deref());
        let (envelope, _) = self
            .call(op, &params, None, cancel)
            .await
            .map_err(|e| not_found_for(e, &changes.template))?;
        Ok(templates::modified_template(envelope))
    }

    /// `GetChatappTemplateDetail`. An unknown template is
    /// [`CamsError::TemplateNotFound`].
    pub async fn get_template(
        &self,
        template: &TemplateRef<'_>,
        cancel: &CancellationToken,
    ) -> Result<Template, CamsError> {
        let op = Operation::GetChatappTemplateDetail;
        let (envelope, attempts) = self.template_call(op, template, cancel).await?;
        let asked_name = match template.key {
            TemplateKey::Name(name) => Some(name),
            TemplateKey::Code(_) => None,
        };
        templates::template(envelope, asked_name, template.language)
            .map_err(|e| answer_error(op, e, attempts))
    }

    /// `DeleteChatappTemplate`. Meta then blocks the name for 30 days: a
    /// create with it fails until then. An unknown template is
    /// [`CamsError::TemplateNotFound`].
    pub async fn delete_template(
        &self,
        template: &TemplateRef<'_>,
        cancel: &CancellationToken,
    ) -> Result<Done, CamsError> {
        let op = Operation::DeleteChatappTemplate;
        let (envelope, _) = self.template_call(op, template, cancel).await?;
        Ok(flows::done(envelope))
    }

    /// `ListChatappTemplate`, every page: Index 1, 2, ... of
    /// [`TEMPLATE_PAGE_SIZE`] until an empty page, or a page whose every
    /// template was already listed (a server that ignores `Page`, or
    /// repeats its last page). A short page is not taken as the last: a
    /// server may cap the page size below the one asked for. A template
    /// seen on two pages (the list shifted while it was read) is listed
    /// once. At most [`TEMPLATE_MAX_PAGES`] pages.
    pub async fn list_templates(
        &self,
        filter: &TemplateFilter<'_>,
        cancel: &CancellationToken,
    ) -> Result<Vec<TemplateSummary>, CamsError> {
        let op = Operation::ListChatappTemplate;
        let mut all: Vec<TemplateSummary> = Vec::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        for index in 1..=TEMPLATE_MAX_PAGES {
            let page_param = format!(r#"{{"Index":{index},"Size":{TEMPLATE_PAGE_SIZE}}}"#);
            let mut params: Params = vec![("TemplateType", WHATSAPP_TEMPLATE_TYPE)];
            push_given(&mut params, "CustSpaceId", filter.cust_space_id);
            push_given(&mut params, "Name", filter.name);
            push_given(&mut params, "Code", filter.code);
            push_given(&mut params, "Language", filter.language);
            push_given(&mut params, "AuditStatus", filter.audit_status);
            push_given(&mut params, "Category", filter.category);
            params.push(("Page", &page_param));
            let (envelope, attempts) = self.call(op, &params, None, cancel).await?;
            let page = page_of(&envelope).map_err(|e| answer_error(op, e, attempts))?;
            let mut new_items = 0;
            for item in page {
                if seen.insert(item.key()) {
                    all.push(item);
                    new_items += 1;
                }
            }
            if new_items == 0 {
                return Ok(all);
            }
        }
        Err(CamsError::TemplatePaging {
            detail: format!(
                "{TEMPLATE_MAX_PAGES} pages of {TEMPLATE_PAGE_SIZE} templates each brought new templates, and none was empty"
            ),
        })
    }

    /// An operation on one template: [`ref_params`], not-found mapped.
    async fn template_call(
        &self,
        op: Operation,
        template: &TemplateRef<'_>,
        cancel: &CancellationToken,
    ) -> Result<(Envelope, u32), CamsError> {
        check_ref(op, template)?;
        let params = ref_params(template);
        self.call(op, &params, None, cancel)
            .await
            .map_err(|e| not_found_for(e, template))
    }
}

fn page_of(envelope: &Envelope) -> Result<Vec<TemplateSummary>, ApiError> {
    templates::template_page(envelope).map(|page| page.items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_is_named_by_code_or_name_with_its_language_and_type() {
        let by_name = TemplateRef {
            key: TemplateKey::Name("signup"),
            language: "en_US",
            cust_space_id: Some(""),
        };
        assert_eq!(
            ref_params(&by_name),
            vec![
                ("TemplateName", "signup"),
                ("Language", "en_US"),
                ("TemplateType", "WHATSAPP")
            ]
        );
        let by_code = TemplateRef {
            key: TemplateKey::Code("744c4b5c79c9432497a075bdfca3xxxx"),
            language: "en_US",
            cust_space_id: Some("space"),
        };
        assert_eq!(ref_params(&by_code)[0].0, "TemplateCode");
        assert_eq!(ref_params(&by_code)[3], ("CustSpaceId", "space"));
        assert_eq!(by_name.to_string(), r#"name "signup" in language "en_US""#);
        let long = "x".repeat(1000);
        let shown = TemplateRef {
            key: TemplateKey::Code(&long),
            ..by_code
        }
        .to_string();
        assert!(
            shown.contains("(1000 characters)") && shown.len() < 200,
            "{shown}"
        );
    }

    #[test]
    fn empty_names_codes_and_languages_are_refused() {
        let op = Operation::GetChatappTemplateDetail;
        for (key, language) in [
            (TemplateKey::Name(" "), "en_US"),
            (TemplateKey::Code(""), "en_US"),
            (TemplateKey::Name("n"), ""),
        ] {
            let template = TemplateRef {
                key,
                language,
                cust_space_id: None,
            };
            let err = check_ref(op, &template).unwrap_err();
            assert!(matches!(err, CamsError::InvalidArgument { .. }), "{err}");
        }
    }
}
