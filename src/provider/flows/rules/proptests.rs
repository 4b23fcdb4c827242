//! `check` on arbitrary input: never a panic, and every problem points at a
//! value that is in the document.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::fixtures::{good, set, with_data_exchange};
use super::{check, json, Problem};

/// Words the rules look for, so random documents reach them.
const WORDS: [&str; 30] = [
    "version",
    "data_api_version",
    "routing_model",
    "screens",
    "data_channel_uri",
    "id",
    "terminal",
    "success",
    "data",
    "layout",
    "children",
    "type",
    "name",
    "then",
    "else",
    "cases",
    "on-click-action",
    "next",
    "payload",
    "screen",
    "navigate",
    "complete",
    "data_exchange",
    "Footer",
    "OptIn",
    "Form",
    "If",
    "Switch",
    "7.1",
    "3.0",
];
const VALUES: [&str; 8] = [
    "A",
    "B",
    "SUCCESS",
    "",
    "a/b~c",
    "${form.A}",
    "${data.B}",
    "2.1",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(&WORDS[..]).prop_map(str::to_string),
        prop::sample::select(&VALUES[..]).prop_map(str::to_string),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..200).prop_map(Value::from),
        word().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 96, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((word(), inner), 0..5)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Every pointer into a document.
fn pointers(value: &Value, at: String, all: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                let child = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                pointers(member, child.clone(), all);
                all.push(child);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let child = format!("{at}/{i}");
                pointers(item, child.clone(), all);
                all.push(child);
            }
        }
        _ => {}
    }
}

fn assert_well_formed(doc: &Value, problems: &[Problem]) {
    for p in problems {
        assert!(doc.pointer(&p.pointer).is_some(), "{p} points at nothing");
        assert!(p.message.ends_with('.') && p.message.len() > 10, "{p}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_arbitrary_text(text in ".{0,200}") {
        let _ = check(&text);
    }

    #[test]
    fn random_documents_point_only_at_their_own_values(doc in json_value()) {
        let problems = check(&doc.to_string()).expect("serde_json wrote JSON");
        assert_well_formed(&doc, &problems);
    }

    /// The valid flows with one value replaced: the likely mistakes.
    #[test]
    fn broken_flows_point_only_at_their_own_values(
        endpoint in any::<bool>(),
        place in any::<prop::sample::Index>(),
        replacement in json_value(),
    ) {
        let mut doc = if endpoint { with_data_exchange() } else { good() };
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        set(&mut doc, &all[place.index(all.len())], replacement);
        let problems = check(&serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        assert_well_formed(&doc, &problems);
    }

    /// Cutting the valid text anywhere either breaks the JSON or leaves a
    /// document the rules can read.
    #[test]
    fn cut_texts_never_panic(cut in any::<prop::sample::Index>(), len in 0usize..40) {
        let text = serde_json::to_string_pretty(&with_data_exchange()).unwrap();
        let start = cut.index(text.len());
        let end = (start + len).min(text.len());
        if text.is_char_boundary(start) && text.is_char_boundary(end) {
            let _ = check(&format!("{}{}", &text[..start], &text[end..]));
        }
    }
}

#[test]
fn deep_nesting_is_refused_or_read_without_recursing_through_it() {
    let document = |depth: usize| {
        let inner = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        format!(
            r#"{{"version":"7.1","screens":[{{"id":"A","terminal":true,"layout":{{"children":{inner}}},"title":{inner}}}]}}"#
        )
    };
    // Deeper than the walks go (they stop at their depth cap), within the
    // documented nesting limit.
    let problems = check(&document(json::MAX_NESTING - 5)).unwrap();
    assert!(
        problems.iter().all(|p| p.pointer.len() < 1000),
        "{problems:?}"
    );
    // Far past the limit: refused, naming it, without a stack overflow.
    let refused = check(&document(100_000)).unwrap_err();
    assert!(refused.message.contains("128 levels"), "{refused}");
}
