//! The checks a template passes at plan time, each pointed at its
//! attribute. The rules are Meta's, as the official CAMS SDK's field
//! documentation (`alibabacloud-cams20200606`, CreateChatappTemplate) and
//! Meta's template guidelines
//! (https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates)
//! state them; unknown values are skipped and checked again when known.

use crate::plugin::value::Number;
use crate::plugin::{Attr, AttributePath, Diagnostic, Diagnostics};

use super::model::{Body, ButtonModel, Header, TemplateModel};
use super::schema::{BUTTON_TYPES, CATEGORIES, FLOW_ACTIONS, HEADER_FORMATS, URL_TYPES};

pub(crate) const NAME_MAX_CHARS: usize = 512;
pub(crate) const BODY_MAX_CHARS: usize = 1024;
pub(crate) const HEADER_MAX_CHARS: usize = 60;
pub(crate) const FOOTER_MAX_CHARS: usize = 60;
pub(crate) const MAX_BUTTONS: usize = 10;

/// Per kind of button, how many a template may have. The one-FLOW limit is
/// an assumption (nothing public states another).
const BUTTON_LIMITS: [(&str, usize); 3] = [("URL", 2), ("PHONE_NUMBER", 1), ("FLOW", 1)];

/// `MessageSendTtlSeconds` ranges by category.
const TTL_RANGES: [(&str, i64, i64); 2] = [("AUTHENTICATION", 30, 900), ("UTILITY", 30, 43200)];

fn path(name: &str) -> AttributePath {
    AttributePath::of(name)
}

fn error(diags: &mut Diagnostics, at: AttributePath, summary: &str, detail: String) {
    diags.push(Diagnostic::error(summary, detail).at(at));
}

fn one_of(value: &str, allowed: &[&str]) -> bool {
    allowed.contains(&value)
}

fn listed(values: &[&str]) -> String {
    values.join(", ")
}

/// Every check of a template configuration.
pub fn check(t: &TemplateModel) -> Diagnostics {
    let mut diags = Diagnostics::new();
    check_name(&t.name, &mut diags);
    if let Attr::Known(language) = &t.language {
        if language.trim().is_empty() || language.contains(':') {
            error(&mut diags, path("language"), "Invalid Template Language", format!("language {language:?} is not a language code: use one of WhatsApp's, e.g. `en_US` or `pt_BR`."));
        }
    }
    if let Attr::Known(space) = &t.cust_space_id {
        if space.trim().is_empty() {
            error(
                &mut diags,
                path("cust_space_id"),
                "Invalid Cust Space ID",
                "cust_space_id must not be empty; remove it to use the provider's cust_space_id."
                    .into(),
            );
        }
    }
    let category = t.category.clone().known();
    if let Some(c) = &category {
        if !one_of(c, &CATEGORIES) {
            error(
                &mut diags,
                path("category"),
                "Invalid Template Category",
                format!("category {c:?} is not one of {}.", listed(&CATEGORIES)),
            );
        }
    }
    let authentication = category.as_deref() == Some("AUTHENTICATION");
    if let Attr::Known(h) = &t.header {
        if authentication {
            error(&mut diags, path("header"), "Header Not Allowed", "An AUTHENTICATION template has no header: Meta writes its whole message. Remove the header block.".into());
        }
        check_header(h, &mut diags);
    }
    match &t.body {
        Attr::Known(b) => check_body(b, authentication, &mut diags),
        Attr::Null if category.is_some() && !authentication => error(
            &mut diags,
            path("body"),
            "Missing Template Body",
            "A UTILITY or MARKETING template needs a body block with its text.".into(),
        ),
        _ => {}
    }
    if let Attr::Known(footer) = &t.footer {
        if authentication {
            error(
                &mut diags,
                path("footer"),
                "Footer Not Allowed",
                "An AUTHENTICATION template's footer is written by Meta. Remove footer.".into(),
            );
        }
        check_length(
            footer,
            FOOTER_MAX_CHARS,
            path("footer"),
            "footer",
            &mut diags,
        );
    }
    if let Attr::Known(buttons) = &t.button {
        check_buttons(buttons, authentication, &mut diags);
    }
    check_ttl(&t.message_send_ttl_seconds, category.as_deref(), &mut diags);
    diags
}

fn check_name(name: &Attr<String>, diags: &mut Diagnostics) {
    let Attr::Known(name) = name else { return };
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !valid {
        error(diags, path("name"), "Invalid Template Name", format!("name {name:?} may hold only lowercase letters, digits and underscores (Meta's rule), e.g. `signup_invite`."));
    } else if name.len() > NAME_MAX_CHARS {
        error(
            diags,
            path("name"),
            "Template Name Too Long",
            format!(
                "name has {} characters; Meta allows at most {NAME_MAX_CHARS}.",
                name.len()
            ),
        );
    }
}

fn check_length(text: &str, max: usize, at: AttributePath, what: &str, diags: &mut Diagnostics) {
    let count = text.chars().count();
    if count > max {
        error(
            diags,
            at,
            "Text Too Long",
            format!("{what} has {count} characters; Meta allows at most {max}."),
        );
    }
}

fn check_header(h: &Header, diags: &mut Diagnostics) {
    let at = |name: &str| path("header").attribute(name);
    let Attr::Known(format) = &h.format else {
        return;
    };
    if !one_of(format, &HEADER_FORMATS) {
        error(
            diags,
            at("format"),
            "Invalid Header Format",
            format!(
                "header format {format:?} is not one of {}.",
                listed(&HEADER_FORMATS)
            ),
        );
        return;
    }
    match (format.as_str(), &h.text) {
        ("TEXT", Attr::Known(text)) => {
            check_length(text, HEADER_MAX_CHARS, at("text"), "header text", diags);
            if text.is_empty() {
                error(
                    diags,
                    at("text"),
                    "Empty Header Text",
                    "A TEXT header needs its text.".into(),
                );
            }
        }
        ("TEXT", Attr::Null) => error(
            diags,
            at("text"),
            "Missing Header Text",
            "A TEXT header needs text.".into(),
        ),
        (other, Attr::Known(_)) if other != "TEXT" => error(
            diags,
            at("text"),
            "Header Text Not Allowed",
            format!("A {other} header has no text; remove text or use format TEXT."),
        ),
        _ => {}
    }
    let media = matches!(format.as_str(), "IMAGE" | "VIDEO" | "DOCUMENT");
    match &h.example_url {
        Attr::Null if media => error(
            diags,
            at("example_url"),
            "Missing Header Sample",
            format!("A {format} header needs example_url: a sample file for Meta's review."),
        ),
        Attr::Known(url) if !media => error(
            diags,
            at("example_url"),
            "Header Sample Not Allowed",
            format!("A {format} header has no sample file; remove example_url ({url:?})."),
        ),
        Attr::Known(url) if !url.starts_with("https://") => error(
            diags,
            at("example_url"),
            "Invalid Header Sample",
            format!("example_url {url:?} must be an https:// URL Meta can fetch."),
        ),
        _ => {}
    }
}

/// The numbers of the `{{n}}` variables of `text`, in order of use
/// (repeats included); `Err` with the text of one that is not a number.
pub fn variables(text: &str) -> Result<Vec<u64>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let inner = &after[..end];
        match inner.trim().parse::<u64>() {
            Ok(n) if inner.trim() == inner => out.push(n),
            _ => return Err(format!("{{{{{inner}}}}}")),
        }
        rest = &after[end + 2..];
    }
    Ok(out)
}

fn check_body(b: &Body, authentication: bool, diags: &mut Diagnostics) {
    let at = |name: &str| path("body").attribute(name);
    let Attr::Known(text) = &b.text else {
        if b.text.is_null() && !authentication {
            error(
                diags,
                at("text"),
                "Missing Body Text",
                "The body needs its text (1 to 1024 characters).".into(),
            );
        }
        return;
    };
    if authentication {
        error(
            diags,
            at("text"),
            "Body Text Not Allowed",
            "An AUTHENTICATION template's text is written by Meta: leave body.text out.".into(),
        );
        return;
    }
    if text.trim().is_empty() {
        error(
            diags,
            at("text"),
            "Empty Body Text",
            "The body text must not be empty.".into(),
        );
    }
    check_length(text, BODY_MAX_CHARS, at("text"), "body text", diags);
    let numbers = match variables(text) {
        Ok(n) => n,
        Err(bad) => {
            error(diags, at("text"), "Invalid Template Variable", format!("{bad} in body.text is not a variable: variables are written {{{{1}}}}, {{{{2}}}}, ... ."));
            return;
        }
    };
    // Numbered in order of first use: 1, then 2, ... with no gap.
    let mut highest = 0;
    for n in numbers {
        if n > highest + 1 {
            error(diags, at("text"), "Variables Out of Order", format!("body.text uses {{{{{n}}}}} before {{{{{}}}}}: number variables 1, 2, ... in the order they first appear.", highest + 1));
            return;
        }
        highest = highest.max(n);
    }
    match &b.examples {
        Attr::Known(examples) if examples.len() as u64 != highest => error(
            diags,
            at("examples"),
            "Wrong Number of Examples",
            format!("body.text has {highest} variable(s) and examples has {} value(s): give exactly one sample per variable, in order, for Meta's review.", examples.len()),
        ),
        Attr::Known(examples) => {
            for (i, e) in examples.iter().enumerate() {
                if matches!(e, Attr::Known(s) if s.trim().is_empty()) || e.is_null() {
                    error(diags, at("examples").index(i), "Empty Example", format!("The sample of {{{{{}}}}} must not be empty.", i + 1));
                }
            }
        }
        Attr::Null if highest > 0 => error(
            diags,
            at("examples"),
            "Missing Examples",
            format!("body.text has {highest} variable(s): set examples to one sample each, in order, for Meta's review."),
        ),
        _ => {}
    }
}

/// Which fields each button type takes (beyond `type` and `text`).
fn fields_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "URL" => &["url", "url_type", "example"],
        "PHONE_NUMBER" => &["phone_number"],
        "COPY_CODE" => &["coupon_code"],
        "FLOW" => &["flow_id", "flow_action", "navigate_screen"],
        _ => &[],
    }
}

fn button_fields(b: &ButtonModel) -> [(&'static str, &Attr<String>); 8] {
    [
        ("flow_id", &b.flow_id),
        ("flow_action", &b.flow_action),
        ("navigate_screen", &b.navigate_screen),
        ("url", &b.url),
        ("url_type", &b.url_type),
        ("example", &b.example),
        ("phone_number", &b.phone_number),
        ("coupon_code", &b.coupon_code),
    ]
}

fn check_buttons(buttons: &[ButtonModel], authentication: bool, diags: &mut Diagnostics) {
    let at = |i: usize, name: &str| path("button").index(i).attribute(name);
    if buttons.len() > MAX_BUTTONS {
        error(
            diags,
            path("button"),
            "Too Many Buttons",
            format!(
                "The template has {} buttons; Meta allows at most {MAX_BUTTONS}.",
                buttons.len()
            ),
        );
    }
    let kinds: Vec<Option<&str>> = buttons
        .iter()
        .map(|b| match &b.kind {
            Attr::Known(k) => Some(k.as_str()),
            _ => None,
        })
        .collect();
    if authentication {
        let copy_code = kinds.len() == 1 && kinds[0].is_none_or(|k| k == "COPY_CODE");
        if !copy_code {
            error(diags, path("button"), "Invalid Authentication Buttons", "An AUTHENTICATION template has exactly one button, of type COPY_CODE (the one-time code Meta fills in).".into());
        }
    }
    for (i, b) in buttons.iter().enumerate() {
        let Some(kind) = kinds[i] else { continue };
        if !one_of(kind, &BUTTON_TYPES) {
            error(
                diags,
                at(i, "type"),
                "Invalid Button Type",
                format!(
                    "button type {kind:?} is not one of {}.",
                    listed(&BUTTON_TYPES)
                ),
            );
            continue;
        }
        if b.text.is_null() {
            error(
                diags,
                at(i, "text"),
                "Missing Button Text",
                format!("A {kind} button needs its label in text."),
            );
        }
        let allowed = fields_of(kind);
        for (name, value) in button_fields(b) {
            if !value.is_null() && !allowed.contains(&name) {
                error(
                    diags,
                    at(i, name),
                    "Argument Not Allowed For Button Type",
                    format!("{name} does not belong to a {kind} button; remove it."),
                );
            }
        }
        let require = |name: &str, value: &Attr<String>, diags: &mut Diagnostics| {
            if value.is_null() {
                error(
                    diags,
                    at(i, name),
                    "Missing Button Argument",
                    format!("A {kind} button needs {name}."),
                );
            }
        };
        match kind {
            "URL" => {
                require("url", &b.url, diags);
                if let Attr::Known(t) = &b.url_type {
                    if !one_of(t, &URL_TYPES) {
                        error(
                            diags,
                            at(i, "url_type"),
                            "Invalid URL Type",
                            format!("url_type {t:?} is not one of {}.", listed(&URL_TYPES)),
                        );
                    }
                }
                if b.url_type == Attr::Known("dynamic".into()) {
                    require("example", &b.example, diags);
                    if let Attr::Known(url) = &b.url {
                        if !url.ends_with("{{1}}") {
                            error(diags, at(i, "url"), "Invalid Dynamic URL", format!("A dynamic URL ends with {{{{1}}}}, the part filled in when sending: {url:?}."));
                        }
                    }
                } else if let Attr::Known(_) = &b.example {
                    if b.url_type.is_null() || b.url_type == Attr::Known("static".into()) {
                        error(diags, at(i, "example"), "Argument Not Allowed For Button Type", "example is the sample of a dynamic URL; set url_type = \"dynamic\" or remove example.".into());
                    }
                }
            }
            "PHONE_NUMBER" => require("phone_number", &b.phone_number, diags),
            "COPY_CODE" if !authentication => require("coupon_code", &b.coupon_code, diags),
            "FLOW" => {
                require("flow_id", &b.flow_id, diags);
                if let Attr::Known(id) = &b.flow_id {
                    if id.trim().is_empty() {
                        error(diags, at(i, "flow_id"), "Invalid Flow ID", "flow_id must not be empty: use the flow's id, e.g. cams_flow.signup.id.".into());
                    }
                }
                let action = match &b.flow_action {
                    Attr::Null => Some("NAVIGATE"),
                    Attr::Known(a) => Some(a.as_str()),
                    Attr::Unknown => None,
                };
                if let Some(action) = action {
                    if !one_of(action, &FLOW_ACTIONS) {
                        error(
                            diags,
                            at(i, "flow_action"),
                            "Invalid Flow Action",
                            format!(
                                "flow_action {action:?} is not one of {}.",
                                listed(&FLOW_ACTIONS)
                            ),
                        );
                    } else if action == "NAVIGATE" {
                        require("navigate_screen", &b.navigate_screen, diags);
                    } else if !b.navigate_screen.is_null() {
                        error(diags, at(i, "navigate_screen"), "Argument Not Allowed For Button Type", "navigate_screen goes with flow_action NAVIGATE; a DATA_EXCHANGE flow chooses its first screen from its endpoint.".into());
                    }
                }
            }
            _ => {}
        }
    }
    for (kind, limit) in BUTTON_LIMITS {
        let count = kinds.iter().filter(|k| **k == Some(kind)).count();
        if count > limit {
            error(
                diags,
                path("button"),
                "Too Many Buttons",
                format!("The template has {count} {kind} buttons; at most {limit} are allowed."),
            );
        }
    }
    // QUICK_REPLY buttons form one group: none between two call-to-action
    // (URL, PHONE_NUMBER) buttons and the other way round.
    let groups: Vec<bool> = kinds
        .iter()
        .flatten()
        .filter(|k| matches!(**k, "QUICK_REPLY" | "URL" | "PHONE_NUMBER"))
        .map(|k| *k == "QUICK_REPLY")
        .collect();
    let switches = groups.windows(2).filter(|w| w[0] != w[1]).count();
    if switches > 1 {
        error(diags, path("button"), "Buttons Interleaved", "QUICK_REPLY buttons must come together, before or after the URL and PHONE_NUMBER buttons, not between them (Meta's rule).".into());
    }
}

fn check_ttl(ttl: &Attr<Number>, category: Option<&str>, diags: &mut Diagnostics) {
    let Attr::Known(n) = ttl else { return };
    let at = path("message_send_ttl_seconds");
    let Some(seconds) = n.as_i64() else {
        error(
            diags,
            at,
            "Invalid Message TTL",
            "message_send_ttl_seconds must be a whole number of seconds.".into(),
        );
        return;
    };
    let Some(category) = category else { return };
    match TTL_RANGES.iter().find(|(c, _, _)| *c == category) {
        Some((_, low, high)) if !(*low..=*high).contains(&seconds) => error(
            diags,
            at,
            "Message TTL Out of Range",
            format!("message_send_ttl_seconds is {seconds}; for a {category} template it is {low} to {high}."),
        ),
        Some(_) => {}
        None => error(
            diags,
            at,
            "Message TTL Not Allowed",
            format!("message_send_ttl_seconds applies to AUTHENTICATION and UTILITY templates, not to {category}: remove it."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Attr<String> {
        Attr::Known(v.to_owned())
    }

    fn valid() -> TemplateModel {
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
                text: s("Hi {{1}}, sign up in {{2}} minutes, {{1}}."),
                examples: Attr::Known(vec![s("Alice"), s("two")]),
            }),
            footer: s("Reply STOP to opt out"),
            button: Attr::Known(vec![
                ButtonModel {
                    kind: s("QUICK_REPLY"),
                    text: s("Later"),
                    ..Default::default()
                },
                ButtonModel {
                    kind: s("FLOW"),
                    text: s("Sign up"),
                    flow_id: s("123"),
                    navigate_screen: s("WELCOME"),
                    ..Default::default()
                },
                ButtonModel {
                    kind: s("URL"),
                    text: s("Terms"),
                    url: s("https://e.com/{{1}}"),
                    url_type: s("dynamic"),
                    example: s("https://e.com/t"),
                    ..Default::default()
                },
            ]),
            ..TemplateModel::default()
        }
    }

    /// `(path, summary)` of each problem.
    fn problems(t: &TemplateModel) -> Vec<(String, String)> {
        check(t)
            .iter()
            .map(|d| {
                (
                    d.attribute
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    d.summary.clone(),
                )
            })
            .collect()
    }

    fn one(t: &TemplateModel) -> (String, String) {
        let found = problems(t);
        assert_eq!(found.len(), 1, "{found:?}");
        found.into_iter().next().unwrap()
    }

    fn edit(f: impl FnOnce(&mut TemplateModel)) -> TemplateModel {
        let mut t = valid();
        f(&mut t);
        t
    }

    fn button(t: &mut TemplateModel, i: usize) -> &mut ButtonModel {
        match &mut t.button {
            Attr::Known(b) => &mut b[i],
            _ => unreachable!(),
        }
    }

    fn body(t: &mut TemplateModel) -> &mut Body {
        match &mut t.body {
            Attr::Known(b) => b,
            _ => unreachable!(),
        }
    }

    #[test]
    fn the_issue_example_passes_and_unknowns_are_skipped() {
        assert_eq!(problems(&valid()), vec![]);
        let unknown = TemplateModel {
            name: Attr::Unknown,
            category: Attr::Unknown,
            body: Attr::Unknown,
            button: Attr::Unknown,
            ..valid()
        };
        assert_eq!(problems(&unknown), vec![]);
        let flow_unknown = edit(|t| button(t, 1).flow_id = Attr::Unknown);
        assert_eq!(problems(&flow_unknown), vec![]);
    }

    #[test]
    fn each_rule_names_its_attribute() {
        let p = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        let cases: Vec<(TemplateModel, (String, String))> = vec![
            (
                edit(|t| t.name = s("Signup")),
                p("name", "Invalid Template Name"),
            ),
            (
                edit(|t| t.name = s(&"a".repeat(513))),
                p("name", "Template Name Too Long"),
            ),
            (
                edit(|t| t.category = s("PROMO")),
                p("category", "Invalid Template Category"),
            ),
            (
                edit(|t| t.footer = s(&"é".repeat(61))),
                p("footer", "Text Too Long"),
            ),
            (
                edit(|t| {
                    body(t).text = s(&"x".repeat(1025));
                    body(t).examples = Attr::Null;
                }),
                p("body.text", "Text Too Long"),
            ),
            (
                edit(|t| body(t).text = s("Hi {{2}} {{1}}")),
                p("body.text", "Variables Out of Order"),
            ),
            (
                edit(|t| body(t).text = s("Hi {{name}}")),
                p("body.text", "Invalid Template Variable"),
            ),
            (
                edit(|t| body(t).examples = Attr::Known(vec![s("Alice")])),
                p("body.examples", "Wrong Number of Examples"),
            ),
            (
                edit(|t| body(t).examples = Attr::Known(vec![s("Alice"), s(" ")])),
                p("body.examples[1]", "Empty Example"),
            ),
            (
                edit(|t| body(t).examples = Attr::Null),
                p("body.examples", "Missing Examples"),
            ),
            (
                edit(|t| t.body = Attr::Null),
                p("body", "Missing Template Body"),
            ),
            (
                edit(|t| {
                    t.header = Attr::Known(Header {
                        format: s("IMAGE"),
                        ..Default::default()
                    })
                }),
                p("header.example_url", "Missing Header Sample"),
            ),
            (
                edit(|t| {
                    t.header = Attr::Known(Header {
                        format: s("TEXT"),
                        text: s(&"h".repeat(61)),
                        ..Default::default()
                    })
                }),
                p("header.text", "Text Too Long"),
            ),
            (
                edit(|t| button(t, 1).navigate_screen = Attr::Null),
                p("button[1].navigate_screen", "Missing Button Argument"),
            ),
            (
                edit(|t| button(t, 1).flow_action = s("OPEN")),
                p("button[1].flow_action", "Invalid Flow Action"),
            ),
            (
                edit(|t| button(t, 1).url = s("https://e.com")),
                p("button[1].url", "Argument Not Allowed For Button Type"),
            ),
            (
                edit(|t| button(t, 2).url = s("https://e.com/x")),
                p("button[2].url", "Invalid Dynamic URL"),
            ),
            (
                edit(|t| button(t, 0).text = Attr::Null),
                p("button[0].text", "Missing Button Text"),
            ),
            (
                edit(|t| button(t, 0).kind = s("CALL")),
                p("button[0].type", "Invalid Button Type"),
            ),
            (
                edit(|t| t.message_send_ttl_seconds = Attr::Known(Number::from(60i64))),
                p("message_send_ttl_seconds", "Message TTL Not Allowed"),
            ),
            (
                edit(|t| {
                    t.category = s("UTILITY");
                    t.message_send_ttl_seconds = Attr::Known(Number::from(43201i64));
                }),
                p("message_send_ttl_seconds", "Message TTL Out of Range"),
            ),
            (
                edit(|t| {
                    if let Attr::Known(b) = &mut t.button {
                        let url = b.remove(2);
                        b.insert(0, url);
                        b.push(ButtonModel {
                            kind: s("PHONE_NUMBER"),
                            text: s("Call"),
                            phone_number: s("+6512345678"),
                            ..Default::default()
                        });
                    }
                }),
                p("button", "Buttons Interleaved"),
            ),
            (
                edit(|t| {
                    if let Attr::Known(b) = &mut t.button {
                        let flow = b[1].clone();
                        b.push(flow);
                    }
                }),
                p("button", "Too Many Buttons"),
            ),
        ];
        for (t, want) in cases {
            assert_eq!(one(&t), want);
        }
        let many = edit(|t| {
            t.button = Attr::Known(vec![
                ButtonModel {
                    kind: s("QUICK_REPLY"),
                    text: s("x"),
                    ..Default::default()
                };
                11
            ])
        });
        assert_eq!(
            one(&many),
            ("button".to_owned(), "Too Many Buttons".to_owned())
        );
    }

    #[test]
    fn authentication_templates_follow_their_own_rules() {
        let auth = TemplateModel {
            name: s("login_code"),
            language: s("en_US"),
            category: s("AUTHENTICATION"),
            message_send_ttl_seconds: Attr::Known(Number::from(600i64)),
            button: Attr::Known(vec![ButtonModel {
                kind: s("COPY_CODE"),
                text: s("Copy code"),
                ..Default::default()
            }]),
            ..TemplateModel::default()
        };
        assert_eq!(problems(&auth), vec![]);
        let found = problems(&TemplateModel {
            header: valid().header,
            footer: s("x"),
            body: Attr::Known(Body {
                text: s("Your code"),
                examples: Attr::Null,
            }),
            message_send_ttl_seconds: Attr::Known(Number::from(901i64)),
            button: valid().button,
            ..auth
        });
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        for want in [
            "header",
            "body.text",
            "footer",
            "button",
            "message_send_ttl_seconds",
        ] {
            assert!(paths.contains(&want), "{want} in {found:?}");
        }
    }

    #[test]
    fn variables_are_read_in_order_of_use() {
        assert_eq!(variables("a {{1}} b {{2}} {{1}}"), Ok(vec![1, 2, 1]));
        assert_eq!(variables("no variables"), Ok(vec![]));
        assert_eq!(variables("{{ 1}}"), Err("{{ 1}}".to_owned()));
    }
}
