//! Test documents built in code: a valid flow that each test breaks in one
//! place, and the assertion that names exactly what must be found.

use serde_json::{json, Value};

use super::{check, Rule};

/// A valid three-screen flow (version 7.1, no endpoint) that passes every
/// rule: WELCOME (a text input) → DETAILS (a Form with an opt-in) → DONE
/// (terminal, success).
pub(super) fn good() -> Value {
    json!({
        "version": "7.1",
        "screens": [
            {
                "id": "WELCOME",
                "title": "Welcome",
                "layout": {
                    "type": "SingleColumnLayout",
                    "children": [
                        { "type": "TextHeading", "text": "Join us" },
                        { "type": "TextInput", "name": "name", "label": "Name", "required": true },
                        footer(json!({
                            "name": "navigate",
                            "next": { "type": "screen", "name": "DETAILS" },
                            "payload": { "name": "${form.name}" }
                        }))
                    ]
                }
            },
            {
                "id": "DETAILS",
                "title": "Details",
                "data": { "name": { "type": "string", "__example__": "Mei" } },
                "layout": {
                    "type": "SingleColumnLayout",
                    "children": [
                        { "type": "TextBody", "text": "Hello ${data.name}" },
                        {
                            "type": "Form",
                            "name": "form",
                            "children": [
                                { "type": "OptIn", "name": "terms", "label": "I agree", "required": true },
                                footer(json!({
                                    "name": "navigate",
                                    "next": { "type": "screen", "name": "DONE" },
                                    "payload": { "name": "${data.name}", "terms": "${form.terms}" }
                                }))
                            ]
                        }
                    ]
                }
            },
            {
                "id": "DONE",
                "title": "Done",
                "terminal": true,
                "success": true,
                "data": {
                    "name": { "type": "string", "__example__": "Mei" },
                    "terms": { "type": "boolean", "__example__": true }
                },
                "layout": {
                    "type": "SingleColumnLayout",
                    "children": [
                        footer(json!({ "name": "complete", "payload": { "name": "${data.name}" } }))
                    ]
                }
            }
        ]
    })
}

/// [`good`] with an endpoint: `data_api_version`, a `routing_model`, and
/// DETAILS asking the endpoint (data_exchange) instead of navigating.
pub(super) fn with_data_exchange() -> Value {
    let mut doc = good();
    set(&mut doc, "/data_api_version", json!("3.0"));
    set(
        &mut doc,
        "/routing_model",
        json!({ "WELCOME": ["DETAILS"], "DETAILS": ["DONE"], "DONE": [] }),
    );
    set(
        &mut doc,
        "/screens/1/layout/children/1/children/1/on-click-action",
        json!({ "name": "data_exchange", "payload": { "terms": "${form.terms}" } }),
    );
    doc
}

/// A screen with a title and these components.
pub(super) fn screen(id: &str, children: Value) -> Value {
    json!({
        "id": id,
        "title": id,
        "layout": { "type": "SingleColumnLayout", "children": children }
    })
}

pub(super) fn footer(action: Value) -> Value {
    json!({ "type": "Footer", "label": "Continue", "on-click-action": action })
}

pub(super) fn navigate(to: &str) -> Value {
    json!({ "name": "navigate", "next": { "type": "screen", "name": to }, "payload": {} })
}

/// Sets the value at an RFC 6901 pointer, adding the last member (or
/// appending when the last segment is an array's length).
pub(super) fn set(doc: &mut Value, pointer: &str, value: Value) {
    let (parent, last) = split(pointer);
    match doc
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"))
    {
        Value::Object(members) => {
            members.insert(last, value);
        }
        Value::Array(items) => {
            let index: usize = last.parse().expect("an array index");
            if index == items.len() {
                items.push(value);
            } else {
                items[index] = value;
            }
        }
        other => panic!("{parent} is {other}, not a container"),
    }
}

pub(super) fn remove(doc: &mut Value, pointer: &str) {
    let (parent, last) = split(pointer);
    match doc
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"))
    {
        Value::Object(members) => {
            members
                .remove(&last)
                .unwrap_or_else(|| panic!("no {pointer}"));
        }
        Value::Array(items) => {
            items.remove(last.parse().expect("an array index"));
        }
        other => panic!("{parent} is {other}, not a container"),
    }
}

fn split(pointer: &str) -> (&str, String) {
    let (parent, last) = pointer.rsplit_once('/').expect("a pointer below the root");
    (parent, last.replace("~1", "/").replace("~0", "~"))
}

/// The document has exactly these problems (in any order: a
/// `serde_json::Value` sorts keys, so these documents are not in the order
/// a person writes them; order has its own tests on literal text).
#[track_caller]
pub(super) fn assert_problems(doc: &Value, expected: &[(&str, Rule)]) {
    let text = serde_json::to_string_pretty(doc).unwrap();
    let problems = check(&text).expect("the fixture is JSON");
    for p in &problems {
        assert!(p.message.ends_with('.'), "not a sentence: {p}");
    }
    let mut found: Vec<(String, Rule)> = problems
        .iter()
        .map(|p| (p.pointer.clone(), p.rule))
        .collect();
    let mut expected: Vec<(String, Rule)> = expected
        .iter()
        .map(|(pointer, rule)| (pointer.to_string(), *rule))
        .collect();
    found.sort();
    expected.sort();
    assert_eq!(
        found,
        expected,
        "\nproblems found:\n{}",
        problems
            .iter()
            .map(|p| format!("  {} [{}]\n", p, p.rule))
            .collect::<String>()
    );
}

/// The pointers and rules found in a literal text, in the order reported.
pub(super) fn found_in(text: &str) -> Vec<(String, Rule)> {
    check(text)
        .expect("the text is JSON")
        .into_iter()
        .map(|p| (p.pointer, p.rule))
        .collect()
}

/// The messages of the problems in the document, for tests of wording.
pub(super) fn messages(doc: &Value) -> Vec<String> {
    check(&serde_json::to_string(doc).unwrap())
        .unwrap()
        .into_iter()
        .map(|p| p.message)
        .collect()
}
