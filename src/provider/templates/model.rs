//! The template as the resource sees it (typed models of its schema), and
//! the translation to and from the components CAMS keeps.
//!
//! Samples travel in CAMS's `Example` map. Which keys CAMS expects is not
//! documented publicly; this provider writes (an assumption, kept in one
//! place here): `{{n}}` for body variable n, and the button's `url` for
//! the sample of a dynamic URL button.

use std::collections::BTreeMap;

use crate::alibaba::templates::{Button, Component, Template};
use crate::model;
use crate::plugin::value::Number;
use crate::plugin::Attr;

model! {
    /// A `cams_chatapp_template` configuration, plan or state.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct TemplateModel {
        pub id: Attr<String>,
        pub name: Attr<String>,
        pub language: Attr<String>,
        pub category: Attr<String>,
        pub cust_space_id: Attr<String>,
        pub header: Attr<Header>,
        pub body: Attr<Body>,
        pub footer: Attr<String>,
        pub button: Attr<Vec<ButtonModel>>,
        pub message_send_ttl_seconds: Attr<Number>,
        pub template_code: Attr<String>,
        pub audit_status: Attr<String>,
        pub reason: Attr<String>,
        pub quality_score: Attr<String>,
    }
}

model! {
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Header {
        pub format: Attr<String>,
        pub text: Attr<String>,
        pub example_url: Attr<String>,
    }
}

model! {
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Body {
        pub text: Attr<String>,
        pub examples: Attr<Vec<Attr<String>>>,
    }
}

model! {
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct ButtonModel {
        pub kind as "type": Attr<String>,
        pub text: Attr<String>,
        pub flow_id: Attr<String>,
        pub flow_action: Attr<String>,
        pub navigate_screen: Attr<String>,
        pub url: Attr<String>,
        pub url_type: Attr<String>,
        pub example: Attr<String>,
        pub phone_number: Attr<String>,
        pub coupon_code: Attr<String>,
    }
}

/// The `Example` key of body variable `n`.
pub(crate) fn variable_key(n: usize) -> String {
    format!("{{{{{n}}}}}")
}

fn known(a: &Attr<String>) -> Option<String> {
    a.clone().known()
}

/// What identifies a template: `[CUST_SPACE_ID:]NAME:LANGUAGE`.
pub fn template_id(space: Option<&str>, name: &str, language: &str) -> String {
    match space.filter(|s| !s.is_empty()) {
        Some(space) => format!("{space}:{name}:{language}"),
        None => format!("{name}:{language}"),
    }
}

/// The parts of an id: `(space, name, language)`; `None` when it has not
/// at least a name and a language. Names and languages hold no `:`, so
/// whatever comes before them is the space.
pub(crate) fn parse_template_id(id: &str) -> Option<(Option<&str>, &str, &str)> {
    let (rest, language) = id.rsplit_once(':')?;
    let (space, name) = match rest.rsplit_once(':') {
        Some((space, name)) => (Some(space), name),
        None => (None, rest),
    };
    if name.is_empty() || language.is_empty() || space == Some("") {
        return None;
    }
    Some((space, name, language))
}

impl TemplateModel {
    /// The components and samples CAMS is sent (apply time: every value
    /// known; unknown ones would be left out).
    pub fn components(&self) -> (Vec<Component>, BTreeMap<String, String>) {
        let mut components = Vec::new();
        let mut example = BTreeMap::new();
        if let Attr::Known(h) = &self.header {
            components.push(Component {
                kind: "HEADER".into(),
                format: known(&h.format),
                text: known(&h.text),
                url: known(&h.example_url),
                ..Component::default()
            });
        }
        if let Attr::Known(b) = &self.body {
            if let Attr::Known(samples) = &b.examples {
                for (i, sample) in samples.iter().enumerate() {
                    if let Some(s) = known(sample) {
                        example.insert(variable_key(i + 1), s);
                    }
                }
            }
            components.push(Component {
                kind: "BODY".into(),
                text: known(&b.text),
                ..Component::default()
            });
        }
        // CAMS wants a BODY even where Meta writes the text.
        if self.body.is_null() && self.category == Attr::Known("AUTHENTICATION".into()) {
            components.push(Component {
                kind: "BODY".into(),
                ..Component::default()
            });
        }
        if let Some(footer) = known(&self.footer) {
            components.push(Component {
                kind: "FOOTER".into(),
                text: Some(footer),
                ..Component::default()
            });
        }
        let buttons: Vec<Button> = match &self.button {
            Attr::Known(buttons) => buttons
                .iter()
                .map(|b| {
                    if let (Some(url), Some(sample)) = (known(&b.url), known(&b.example)) {
                        example.insert(url, sample);
                    }
                    let flow = b.kind == Attr::Known("FLOW".into());
                    Button {
                        kind: known(&b.kind).unwrap_or_default(),
                        text: known(&b.text),
                        url: known(&b.url),
                        url_type: known(&b.url_type),
                        phone_number: known(&b.phone_number),
                        coupon_code: known(&b.coupon_code),
                        flow_id: known(&b.flow_id),
                        flow_action: known(&b.flow_action)
                            .or_else(|| flow.then(|| "NAVIGATE".to_owned())),
                        navigate_screen: known(&b.navigate_screen),
                        ..Button::default()
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
        if !buttons.is_empty() {
            components.push(Component {
                kind: "BUTTONS".into(),
                buttons,
                ..Component::default()
            });
        }
        (components, example)
    }

    /// The TTL as CAMS takes it (checked at plan to be a whole number in
    /// range).
    pub fn ttl(&self) -> Option<u32> {
        match &self.message_send_ttl_seconds {
            Attr::Known(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            _ => None,
        }
    }

    /// This template with what CAMS holds: the content (so a change made
    /// behind Terraform shows as a diff) and the review. An
    /// `AUTHENTICATION` template's body and footer are Meta's text, not
    /// the configuration's, so they keep their prior values.
    pub(crate) fn with_remote(&self, t: &Template) -> TemplateModel {
        let mut out = self.clone();
        out.template_code = Attr::from(t.template_code.clone()).or(out.template_code);
        out.audit_status = Attr::from(t.audit_status.as_ref().map(|s| s.as_str().to_owned()));
        out.reason = Attr::from(t.reason.clone());
        out.quality_score = Attr::from(t.quality_score.clone());
        if let Some(category) = &t.category {
            out.category = Attr::Known(category.clone());
        }
        out.message_send_ttl_seconds = match t.message_send_ttl_seconds {
            Some(ttl) => Attr::Known(Number::from(ttl)),
            None => Attr::Null,
        };
        let component = |kind: &str| t.components.iter().find(|c| c.kind == kind);
        out.header = match component("HEADER") {
            Some(h) => Attr::Known(Header {
                format: Attr::from(h.format.clone()),
                text: Attr::from(h.text.clone()),
                example_url: Attr::from(h.url.clone()),
            }),
            None => Attr::Null,
        };
        let authentication = out.category == Attr::Known("AUTHENTICATION".into());
        if !authentication {
            out.body = match component("BODY") {
                Some(b) => {
                    let mut samples = Vec::new();
                    while let Some(s) = t.example.get(&variable_key(samples.len() + 1)) {
                        samples.push(Attr::Known(s.clone()));
                    }
                    // No samples reads back as the configuration wrote it:
                    // left out (null) or an empty list.
                    let examples = if samples.is_empty() {
                        match &self.body {
                            Attr::Known(Body {
                                examples: Attr::Known(e),
                                ..
                            }) if e.is_empty() => Attr::Known(Vec::new()),
                            _ => Attr::Null,
                        }
                    } else {
                        Attr::Known(samples)
                    };
                    Attr::Known(Body {
                        text: Attr::from(b.text.clone()),
                        examples,
                    })
                }
                None => Attr::Null,
            };
            out.footer = component("FOOTER").map_or(Attr::Null, |f| Attr::from(f.text.clone()));
        }
        let buttons = component("BUTTONS")
            .map(|c| c.buttons.as_slice())
            .unwrap_or_default();
        out.button = Attr::Known(
            buttons
                .iter()
                .map(|b| ButtonModel {
                    kind: Attr::Known(b.kind.clone()),
                    text: Attr::from(b.text.clone()),
                    flow_id: Attr::from(b.flow_id.clone()),
                    flow_action: Attr::from(b.flow_action.clone()),
                    navigate_screen: Attr::from(b.navigate_screen.clone()),
                    example: b
                        .url
                        .as_ref()
                        .and_then(|u| t.example.get(u))
                        .map_or(Attr::Null, |s| Attr::Known(s.clone())),
                    url: Attr::from(b.url.clone()),
                    url_type: Attr::from(b.url_type.clone()),
                    phone_number: Attr::from(b.phone_number.clone()),
                    coupon_code: Attr::from(b.coupon_code.clone()),
                })
                .collect(),
        );
        // A FLOW button's action left out in the configuration is the
        // default CAMS reports back: keep it left out.
        if let (Attr::Known(prior), Attr::Known(now)) = (&self.button, &mut out.button) {
            for (p, n) in prior.iter().zip(now.iter_mut()) {
                if p.flow_action.is_null() && n.flow_action == Attr::Known("NAVIGATE".into()) {
                    n.flow_action = Attr::Null;
                }
            }
        }
        out
    }

    /// Whether the content CAMS is sent differs between two plans (what
    /// ModifyChatappTemplate changes).
    pub(crate) fn content_differs(&self, other: &TemplateModel) -> bool {
        self.header != other.header
            || self.body != other.body
            || self.footer != other.footer
            || self.button != other.button
            || self.message_send_ttl_seconds != other.message_send_ttl_seconds
    }
}

trait OrAttr {
    fn or(self, other: Self) -> Self;
}

impl OrAttr for Attr<String> {
    fn or(self, other: Self) -> Self {
        match self {
            Attr::Null => other,
            v => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alibaba::templates::AuditStatus;
    use crate::plugin::model::mismatches;
    use crate::provider::templates::schema::template_schema;

    pub fn signup() -> TemplateModel {
        let s = |v: &str| Attr::Known(v.to_owned());
        TemplateModel {
            name: s("signup_invite"),
            language: s("en_US"),
            category: s("MARKETING"),
            header: Attr::Known(Header {
                format: s("TEXT"),
                text: s("Join us"),
                example_url: Attr::Null,
            }),
            body: Attr::Known(Body {
                text: s("Hi {{1}}, sign up in two minutes."),
                examples: Attr::Known(vec![s("Alice")]),
            }),
            footer: s("Reply STOP to opt out"),
            button: Attr::Known(vec![
                ButtonModel {
                    kind: s("FLOW"),
                    text: s("Sign up"),
                    flow_id: s("123"),
                    navigate_screen: s("WELCOME"),
                    ..ButtonModel::default()
                },
                ButtonModel {
                    kind: s("URL"),
                    text: s("Terms"),
                    url: s("https://example.com/{{1}}"),
                    url_type: s("dynamic"),
                    example: s("https://example.com/terms"),
                    ..ButtonModel::default()
                },
            ]),
            ..TemplateModel::default()
        }
    }

    #[test]
    fn the_model_matches_the_schema() {
        assert_eq!(
            mismatches::<TemplateModel>(&template_schema()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn content_read_back_from_cams_is_the_content_sent() {
        let plan = signup();
        let (components, example) = plan.components();
        assert_eq!(
            example,
            BTreeMap::from([
                ("{{1}}".to_owned(), "Alice".to_owned()),
                (
                    "https://example.com/{{1}}".to_owned(),
                    "https://example.com/terms".to_owned()
                ),
            ])
        );
        assert_eq!(
            components[3].buttons[0].flow_action.as_deref(),
            Some("NAVIGATE")
        );
        let remote = Template {
            name: "signup_invite".into(),
            language: "en_US".into(),
            template_code: Some("T1".into()),
            category: Some("MARKETING".into()),
            template_type: Some("WHATSAPP".into()),
            audit_status: Some(AuditStatus::Auditing),
            reason: None,
            quality_score: Some("UNKNOWN".into()),
            components,
            example,
            message_send_ttl_seconds: None,
            category_change_paused: None,
            allow_send: None,
            request_id: None,
        };
        let read = plan.with_remote(&remote);
        assert!(!plan.content_differs(&read), "{read:#?}");
        assert_eq!(read.audit_status, Attr::Known("auditing".into()));
        assert_eq!(read.template_code, Attr::Known("T1".into()));

        let mut changed = remote.clone();
        changed.components[1].text = Some("Hi {{1}}, changed behind Terraform.".into());
        assert!(plan.content_differs(&plan.with_remote(&changed)));
    }

    #[test]
    fn ids_name_the_space_when_there_is_one() {
        assert_eq!(template_id(Some("s1"), "a_b", "en_US"), "s1:a_b:en_US");
        assert_eq!(template_id(Some(""), "a_b", "en"), "a_b:en");
        assert_eq!(
            parse_template_id("s1:a_b:en_US"),
            Some((Some("s1"), "a_b", "en_US"))
        );
        assert_eq!(parse_template_id("a_b:en"), Some((None, "a_b", "en")));
        for bad in ["a_b", ":en", "a_b:", ":a_b:en"] {
            assert_eq!(parse_template_id(bad), None, "{bad}");
        }
    }
}
