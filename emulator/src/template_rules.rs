//! What CAMS (Meta) checks in a template before accepting it for review:
//! name, components, variables and their samples, buttons, the
//! AUTHENTICATION rules, the TTL range, and a FLOW button's flow. Sources:
//! the official SDK's field documentation of CreateChatappTemplate
//! (alibabacloud-cams20200606) and Meta's template rules
//! (developers.facebook.com/docs/whatsapp/business-management-api/message-templates).
//! Pure: each failure is a message naming the JSON pointer inside
//! `Components` (or the parameter) and the rule.

use std::collections::BTreeMap;

use serde_json::Value;

pub const CATEGORIES: [&str; 3] = ["UTILITY", "MARKETING", "AUTHENTICATION"];
pub const MAX_NAME_CHARS: usize = 512;
const MAX_BODY_CHARS: usize = 1024;
const MAX_HEADER_FOOTER_CHARS: usize = 60;
const MAX_BUTTONS: usize = 10;
const HEADER_FORMATS: [&str; 5] = ["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"];

/// What a FLOW button may point at: the flow's status and screen ids.
#[derive(Debug, Clone)]
pub struct FlowFacts {
    pub deprecated: bool,
    /// `None` when the flow has no Flow JSON.
    pub screen_ids: Option<Vec<String>>,
}

/// Lowercase letters, digits and underscores, 1 to 512 characters.
pub fn check_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || !name.chars().all(allowed) {
        return Err(format!(
            "Name {name:?}: a template name is 1 to {MAX_NAME_CHARS} lowercase letters, digits and underscores"
        ));
    }
    Ok(())
}

/// `MessageSendTtlSeconds`: AUTHENTICATION 30–900, UTILITY 30–43200
/// (SDK field documentation); other categories are not checked.
pub fn check_ttl(category: &str, ttl: Option<i64>) -> Result<(), String> {
    let range = match category {
        "AUTHENTICATION" => 30..=900,
        "UTILITY" => 30..=43200,
        _ => return Ok(()),
    };
    match ttl {
        Some(ttl) if !range.contains(&ttl) => Err(format!(
            "MessageSendTtlSeconds {ttl}: a {category} template allows {} to {} seconds",
            range.start(),
            range.end()
        )),
        _ => Ok(()),
    }
}

/// The `{{n}}` variables of a text, in order of appearance.
fn variables(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        found.push(after[..end].trim().to_string());
        rest = &after[end + 2..];
    }
    found
}

/// Variables numbered `{{1}}`…`{{n}}` in order of first appearance, each
/// with a sample in `Example` under the key `{{k}}`.
fn check_variables(
    pointer: &str,
    text: &str,
    example: &BTreeMap<String, String>,
) -> Result<(), String> {
    let mut expected = 1;
    for variable in variables(text) {
        let number: usize = variable.parse().map_err(|_| {
            format!("{pointer}: variable {{{{{variable}}}}} is not a number; variables are {{{{1}}}}, {{{{2}}}}, …")
        })?;
        if number > expected {
            return Err(format!(
                "{pointer}: variable {{{{{number}}}}} comes before {{{{{expected}}}}}; variables are numbered 1..n in order"
            ));
        }
        if number == expected {
            let key = format!("{{{{{number}}}}}");
            if example.get(&key).is_none_or(|s| s.trim().is_empty()) {
                return Err(format!(
                    "{pointer}: variable {key} has no sample in Example; Meta's review needs one for each variable"
                ));
            }
            expected += 1;
        }
    }
    Ok(())
}

fn text_of(component: &Value) -> &str {
    component.get("Text").and_then(Value::as_str).unwrap_or("")
}

/// Every check of `Components` (a JSON list) for a template of
/// `category`; `flow` answers for a FLOW button's `FlowId`.
pub fn check_components(
    components: &Value,
    category: &str,
    example: &BTreeMap<String, String>,
    flow: impl Fn(&str) -> Option<FlowFacts>,
) -> Result<(), String> {
    let Some(list) = components.as_array() else {
        return Err("Components: expected a JSON list of components".into());
    };
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, component) in list.iter().enumerate() {
        let pointer = format!("Components/{i}");
        let Some(kind) = component.get("Type").and_then(Value::as_str) else {
            return Err(format!("{pointer}/Type: every component needs a Type"));
        };
        if let Some(first) = seen.insert(kind, i) {
            return Err(format!(
                "{pointer}: a second {kind} component (the first is Components/{first})"
            ));
        }
        let text = text_of(component);
        let authentication = category == "AUTHENTICATION";
        match kind {
            "HEADER" => {
                if authentication {
                    return Err(format!(
                        "{pointer}: an AUTHENTICATION template has no HEADER"
                    ));
                }
                let format = component
                    .get("Format")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if !HEADER_FORMATS.contains(&format) {
                    return Err(format!(
                        "{pointer}/Format: {format:?} is not one of {}",
                        HEADER_FORMATS.join(", ")
                    ));
                }
                if format == "TEXT" && text.trim().is_empty() {
                    return Err(format!("{pointer}/Text: a TEXT header needs a text"));
                }
                check_length(&format!("{pointer}/Text"), text, MAX_HEADER_FOOTER_CHARS)?;
                check_variables(&format!("{pointer}/Text"), text, example)?;
            }
            "BODY" | "FOOTER" if authentication && !text.is_empty() => {
                return Err(format!(
                    "{pointer}/Text: an AUTHENTICATION template's {kind} text is empty (Meta writes it)"
                ));
            }
            "BODY" => {
                if text.trim().is_empty() && !authentication {
                    return Err(format!("{pointer}/Text: the body needs a text"));
                }
                check_length(&format!("{pointer}/Text"), text, MAX_BODY_CHARS)?;
                check_variables(&format!("{pointer}/Text"), text, example)?;
            }
            "FOOTER" => check_length(&format!("{pointer}/Text"), text, MAX_HEADER_FOOTER_CHARS)?,
            "BUTTONS" => check_buttons(&pointer, component, category, &flow)?,
            // CAROUSEL, LIMITED_TIME_OFFER, ...: not checked here.
            _ => {}
        }
    }
    if !seen.contains_key("BODY") {
        return Err("Components: a template needs a BODY component".into());
    }
    if category == "AUTHENTICATION" && !seen.contains_key("BUTTONS") {
        return Err(
            "Components: an AUTHENTICATION template needs exactly one COPY_CODE or ONE_TAP button"
                .into(),
        );
    }
    Ok(())
}

fn check_length(pointer: &str, text: &str, max: usize) -> Result<(), String> {
    let count = text.chars().count();
    if count > max {
        return Err(format!(
            "{pointer}: {count} characters, at most {max} allowed"
        ));
    }
    Ok(())
}

fn check_buttons(
    pointer: &str,
    component: &Value,
    category: &str,
    flow: &impl Fn(&str) -> Option<FlowFacts>,
) -> Result<(), String> {
    let buttons = component
        .get("Buttons")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let kinds: Vec<&str> = buttons
        .iter()
        .map(|b| b.get("Type").and_then(Value::as_str).unwrap_or(""))
        .collect();
    if category == "AUTHENTICATION" {
        if kinds.len() != 1 || !matches!(kinds[0], "COPY_CODE" | "ONE_TAP" | "ZERO_TAP") {
            return Err(format!(
                "{pointer}/Buttons: an AUTHENTICATION template has exactly one COPY_CODE or ONE_TAP button"
            ));
        }
        return Ok(());
    }
    if buttons.is_empty() {
        return Err(format!(
            "{pointer}/Buttons: a BUTTONS component needs buttons"
        ));
    }
    if buttons.len() > MAX_BUTTONS {
        return Err(format!(
            "{pointer}/Buttons: {} buttons, at most {MAX_BUTTONS} allowed",
            buttons.len()
        ));
    }
    for (kind, max) in [("PHONE_NUMBER", 1), ("URL", 2), ("FLOW", 1)] {
        let count = kinds.iter().filter(|k| **k == kind).count();
        if count > max {
            return Err(format!(
                "{pointer}/Buttons: {count} {kind} buttons, at most {max} allowed"
            ));
        }
    }
    // Quick replies form one group, not interleaved with URL and phone
    // buttons: once the group ended, no quick reply follows.
    let call_to_action = |k: &&str| matches!(*k, "URL" | "PHONE_NUMBER");
    let first_reply = kinds.iter().position(|k| *k == "QUICK_REPLY");
    let last_reply = kinds.iter().rposition(|k| *k == "QUICK_REPLY");
    if let (Some(first), Some(last)) = (first_reply, last_reply) {
        if let Some(j) = (first..last).find(|j| call_to_action(&kinds[*j])) {
            return Err(format!(
                "{pointer}/Buttons/{j}: a {} button between QUICK_REPLY buttons; quick replies are not interleaved with URL and PHONE_NUMBER buttons",
                kinds[j]
            ));
        }
    }
    for (j, button) in buttons.iter().enumerate() {
        let at = format!("{pointer}/Buttons/{j}");
        if button
            .get("Text")
            .and_then(Value::as_str)
            .is_none_or(|t| t.trim().is_empty())
        {
            return Err(format!("{at}/Text: every button needs a text"));
        }
        if kinds[j] == "FLOW" {
            check_flow_button(&at, button, flow)?;
        }
    }
    Ok(())
}

fn check_flow_button(
    at: &str,
    button: &Value,
    flow: &impl Fn(&str) -> Option<FlowFacts>,
) -> Result<(), String> {
    let field = |name: &str| button.get(name).and_then(Value::as_str).unwrap_or("");
    let flow_id = field("FlowId");
    if flow_id.is_empty() {
        return Err(format!("{at}/FlowId: a FLOW button names its flow"));
    }
    let Some(facts) = flow(flow_id) else {
        return Err(format!(
            "{at}/FlowId: there is no flow {flow_id} in this space"
        ));
    };
    if facts.deprecated {
        return Err(format!(
            "{at}/FlowId: flow {flow_id} is DEPRECATED and cannot be attached"
        ));
    }
    let action = match field("FlowAction") {
        "" => "NAVIGATE",
        other => other,
    };
    match action {
        "DATA_EXCHANGE" => Ok(()),
        "NAVIGATE" => {
            let screen = field("NavigateScreen");
            if screen.is_empty() {
                return Err(format!(
                    "{at}/NavigateScreen: a NAVIGATE FLOW button names the screen the flow opens on"
                ));
            }
            let Some(screens) = facts.screen_ids else {
                return Err(format!(
                    "{at}/FlowId: flow {flow_id} has no Flow JSON, so it has no screen {screen}"
                ));
            };
            if !screens.iter().any(|s| s == screen) {
                return Err(format!(
                    "{at}/NavigateScreen: {screen:?} is not a screen of flow {flow_id} (its screens: {})",
                    screens.join(", ")
                ));
            }
            Ok(())
        }
        other => Err(format!(
            "{at}/FlowAction: {other:?} is not NAVIGATE or DATA_EXCHANGE"
        )),
    }
}

/// The screen ids of a Flow JSON document (`screens[].id`).
pub fn screen_ids(flow_json: &str) -> Vec<String> {
    serde_json::from_str::<Value>(flow_json)
        .ok()
        .and_then(|doc| {
            doc.get("screens")?.as_array().map(|screens| {
                screens
                    .iter()
                    .filter_map(|s| s.get("id")?.as_str().map(str::to_string))
                    .collect()
            })
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn flows(id: &str) -> Option<FlowFacts> {
        match id {
            "live" => Some(FlowFacts {
                deprecated: false,
                screen_ids: Some(vec!["WELCOME".into(), "DONE".into()]),
            }),
            "old" => Some(FlowFacts {
                deprecated: true,
                screen_ids: Some(vec!["WELCOME".into()]),
            }),
            "empty" => Some(FlowFacts {
                deprecated: false,
                screen_ids: None,
            }),
            _ => None,
        }
    }

    fn check(components: Value, category: &str, example: &[(&str, &str)]) -> Result<(), String> {
        check_components(&components, category, &sample(example), flows)
    }

    fn flow_button(id: &str, screen: &str) -> Value {
        json!({"Type": "BUTTONS", "Buttons": [{"Type": "FLOW", "Text": "Go", "FlowId": id,
            "FlowAction": "NAVIGATE", "NavigateScreen": screen}]})
    }

    #[test]
    fn a_complete_marketing_template_passes() {
        check(
            json!([{"Type": "HEADER", "Format": "TEXT", "Text": "Join us"},
                {"Type": "BODY", "Text": "Hi {{1}}, code {{2}}, again {{1}}"},
                {"Type": "FOOTER", "Text": "Reply STOP"},
                flow_button("live", "WELCOME")]),
            "MARKETING",
            &[("{{1}}", "Alice"), ("{{2}}", "42")],
        )
        .unwrap();
    }

    #[test]
    fn each_rule_names_where_it_failed() {
        for (components, category, example, expected) in [
            (json!([{"Type": "HEADER", "Format": "TEXT", "Text": "x"}]), "UTILITY", &[][..], "needs a BODY"),
            (json!([{"Type": "BODY", "Text": "x".repeat(1025)}]), "UTILITY", &[], "Components/0/Text: 1025 characters"),
            (json!([{"Type": "BODY", "Text": "b"}, {"Type": "FOOTER", "Text": "f".repeat(61)}]), "UTILITY", &[], "Components/1/Text: 61"),
            (json!([{"Type": "BODY", "Text": "Hi {{2}}"}]), "UTILITY", &[("{{2}}", "a")], "comes before {{1}}"),
            (json!([{"Type": "BODY", "Text": "Hi {{1}}"}]), "UTILITY", &[], "{{1}} has no sample"),
            (json!([{"Type": "BODY", "Text": "Hi {{name}}"}]), "UTILITY", &[], "not a number"),
            (json!([{"Type": "BODY", "Text": "b"}, {"Type": "BODY", "Text": "c"}]), "UTILITY", &[], "a second BODY"),
            (json!([{"Type": "BODY", "Text": "b"}, {"Type": "BUTTONS", "Buttons": [
                {"Type": "QUICK_REPLY", "Text": "a"}, {"Type": "URL", "Text": "u", "Url": "https://x"},
                {"Type": "QUICK_REPLY", "Text": "b"}]}]), "MARKETING", &[], "Buttons/1: a URL button between QUICK_REPLY"),
            (json!([{"Type": "BODY", "Text": "b"}, {"Type": "BUTTONS", "Buttons": [
                {"Type": "PHONE_NUMBER", "Text": "a"}, {"Type": "PHONE_NUMBER", "Text": "b"}]}]), "MARKETING", &[], "2 PHONE_NUMBER buttons"),
            (json!([{"Type": "BODY", "Text": "b"}, flow_button("gone", "WELCOME")]), "MARKETING", &[], "Components/1/Buttons/0/FlowId: there is no flow gone"),
            (json!([{"Type": "BODY", "Text": "b"}, flow_button("old", "WELCOME")]), "MARKETING", &[], "DEPRECATED"),
            (json!([{"Type": "BODY", "Text": "b"}, flow_button("live", "NOPE")]), "MARKETING", &[], "NavigateScreen: \"NOPE\" is not a screen of flow live (its screens: WELCOME, DONE)"),
            (json!([{"Type": "BODY", "Text": "b"}, flow_button("empty", "WELCOME")]), "MARKETING", &[], "has no Flow JSON"),
            (json!([{"Type": "HEADER", "Format": "TEXT", "Text": "h"}, {"Type": "BODY", "Text": ""}]), "AUTHENTICATION", &[], "has no HEADER"),
            (json!([{"Type": "BODY", "Text": "your code"}]), "AUTHENTICATION", &[], "BODY text is empty"),
            (json!([{"Type": "BODY", "Text": ""}, {"Type": "BUTTONS", "Buttons": [{"Type": "QUICK_REPLY", "Text": "a"}]}]), "AUTHENTICATION", &[], "exactly one COPY_CODE"),
            (json!({"Type": "BODY"}), "UTILITY", &[], "expected a JSON list"),
        ] {
            let err = check(components, category, example).unwrap_err();
            assert!(err.contains(expected), "{expected}: {err}");
        }
        check(
            json!([{"Type": "BODY", "Text": ""}, {"Type": "BUTTONS", "Buttons": [{"Type": "COPY_CODE", "Text": "Copy"}]}]),
            "AUTHENTICATION",
            &[],
        )
        .unwrap();
    }

    #[test]
    fn names_and_ttls() {
        check_name("signup_invite_2").unwrap();
        for bad in ["", "Signup", "sign-up", "sign up", &"a".repeat(513)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        check_ttl("AUTHENTICATION", Some(900)).unwrap();
        assert!(check_ttl("AUTHENTICATION", Some(901)).is_err());
        assert!(check_ttl("UTILITY", Some(29)).is_err());
        check_ttl("UTILITY", Some(43200)).unwrap();
        check_ttl("MARKETING", Some(1)).unwrap();
        check_ttl("UTILITY", None).unwrap();
    }

    #[test]
    fn screen_ids_are_read_from_the_flow_json() {
        assert_eq!(
            screen_ids(r#"{"version":"7.0","screens":[{"id":"A"},{"id":"B"},{"title":"no id"}]}"#),
            vec!["A", "B"]
        );
        assert!(screen_ids("not json").is_empty());
    }
}
