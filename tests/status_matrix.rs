//! The status rules of `cams_flow`, as a table: for every prior status
//! (none, DRAFT, PUBLISHED, DEPRECATED), every status the configuration
//! asks for (left out, DRAFT, PUBLISHED, DEPRECATED) and every kind of
//! change (none, the Flow JSON, name and categories, the endpoint), what
//! the plan is: a create, no change, an update in place, or a replacement
//! (with its warning, naming what forces it), or refused.
//!
//! Driven through the provider's plan entry point (PlanResourceChange of
//! the runtime, as Terraform core calls it), not through the resource's
//! internals. The outcome is judged as Terraform judges it: a replacement
//! is a `requires_replace` path whose value changes. The expected column is
//! written out by hand from the documented rules: a flow only moves forward
//! (DRAFT → PUBLISHED → DEPRECATED), and only a draft can be changed in
//! CAMS; anything else replaces the flow.

mod common;

use cams_provider::plugin::value::Value;
use cams_provider::plugin::Diagnostics;
use common::cams_server::{errors, object, CamsServer};

const FLOW: &str = "cams_flow";
/// Nothing listens there: the plan needs nothing from CAMS. (A plan that
/// creates a flow asks CAMS for same-named published flows, a courtesy
/// warning; the failed listing is retried as the provider's `max_retries`
/// says, then skipped without a diagnostic, which the create rows show.)
const NO_CAMS: &str = "http://127.0.0.1:1";
const SPACE: &str = "cams-matrix-space";

/// A publishable one-screen Flow JSON; `title` varies it.
fn flow_json(title: &str) -> String {
    serde_json::json!({
        "version": "7.0",
        "screens": [{
            "id": "DONE",
            "title": title,
            "terminal": true,
            "layout": {"type": "SingleColumnLayout", "children": [
                {"type": "Footer", "label": "Done",
                 "on-click-action": {"name": "complete", "payload": {}}}
            ]}
        }]
    })
    .to_string()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    Unchanged,
    Content,
    NameAndCategories,
    Endpoint,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// A new flow, planned with this status.
    Create(&'static str),
    NoChange,
    InPlace,
    /// Replaced, because of these attributes (sorted).
    Replace(Vec<&'static str>),
    /// Refused at validate or plan (no combination is, today).
    Refused,
}

use Change::*;
use Outcome::*;

fn replace(attributes: &[&'static str]) -> Outcome {
    let mut attributes = attributes.to_vec();
    attributes.sort_unstable();
    Replace(attributes)
}

/// The configuration: `status` as asked (None: left out), `change` made
/// to the baseline one.
fn config(server: &CamsServer, status: Option<&str>, change: Change) -> Value {
    let (name, categories, content, endpoint) = match change {
        Unchanged => ("signup", vec!["SIGN_UP"], flow_json("Done"), Value::Null),
        Content => (
            "signup",
            vec!["SIGN_UP"],
            flow_json("All done"),
            Value::Null,
        ),
        NameAndCategories => (
            "sign_up_v2",
            vec!["SIGN_UP", "LEAD_GENERATION"],
            flow_json("Done"),
            Value::Null,
        ),
        Endpoint => (
            "signup",
            vec!["SIGN_UP"],
            flow_json("Done"),
            Value::from("https://flows.example.com/signup"),
        ),
    };
    object(
        &server.schema(FLOW),
        &[
            ("name", Value::from(name)),
            (
                "categories",
                Value::Set(categories.into_iter().map(Value::from).collect()),
            ),
            ("content", Value::from(content.as_str())),
            ("endpoint_uri", endpoint),
            ("status", status.map_or(Value::Null, Value::from)),
        ],
    )
}

/// The state of an existing flow made from the baseline configuration and
/// now in `status`: what the plan of its create gave, with the id CAMS
/// assigned and the status it reached.
fn prior_state(server: &CamsServer, status: &str) -> Value {
    let baseline = config(server, Some(status), Unchanged);
    let created = server.plan(FLOW, &Value::Null, &baseline, b"");
    assert!(errors(&created.diagnostics).is_empty(), "{created:?}");
    let planned = server.decode(FLOW, &created.planned_state.expect("planned"));
    let Value::Object(mut attrs) = planned else {
        panic!("an object: {planned:?}")
    };
    attrs.insert("id".into(), Value::from("926753328126430"));
    attrs.insert("status".into(), Value::from(status));
    for (name, value) in &attrs {
        assert!(!value.is_unknown(), "{name} known in a state");
    }
    Value::Object(attrs)
}

fn replaced_warning(diags: &Diagnostics) -> Option<String> {
    diags
        .iter()
        .find(|d| !d.is_error() && d.summary == "Flow Will Be Replaced")
        .map(|d| d.detail.clone())
}

/// Plans `config` over `prior` and says what Terraform would do.
fn outcome(server: &CamsServer, prior: &Value, config: &Value) -> Outcome {
    let validated = server.validate(FLOW, config);
    if validated.has_errors() {
        return Refused;
    }
    let plan = server.plan(FLOW, prior, config, b"");
    if plan.diagnostics.has_errors() {
        return Refused;
    }
    let planned = server.decode(FLOW, &plan.planned_state.expect("a planned state"));
    let warning = replaced_warning(&plan.diagnostics);
    if prior.is_null() {
        assert!(plan.requires_replace.is_empty());
        assert_eq!(warning, None, "a create warns of no replacement");
        return Create(match planned.get_attr("status") {
            Some(Value::String(s)) if s == "DRAFT" => "DRAFT",
            Some(Value::String(s)) if s == "PUBLISHED" => "PUBLISHED",
            Some(Value::String(s)) if s == "DEPRECATED" => "DEPRECATED",
            other => panic!("planned status {other:?}"),
        });
    }
    // Terraform replaces for a path that requires it only when its value
    // changes.
    let mut forcing: Vec<&'static str> = [
        "name",
        "categories",
        "content",
        "endpoint_uri",
        "status",
        "cust_space_id",
    ]
    .into_iter()
    .filter(|name| {
        plan.requires_replace.iter().any(|p| p.to_string() == *name)
            && prior.get_attr(name) != planned.get_attr(name)
    })
    .collect();
    forcing.sort_unstable();
    if !forcing.is_empty() {
        let warning = warning.expect("a replacement comes with its warning");
        let prior_status = match prior.get_attr("status") {
            Some(Value::String(s)) => s.clone(),
            other => panic!("{other:?}"),
        };
        assert!(
            warning.contains(&format!("is {prior_status}")),
            "the warning names the prior status: {warning}"
        );
        for name in &forcing {
            assert!(
                warning.contains(name),
                "the warning names {name}: {warning}"
            );
        }
        return Replace(forcing);
    }
    assert_eq!(warning, None, "no replacement, no warning");
    if planned == *prior {
        NoChange
    } else {
        InPlace
    }
}

#[test]
fn every_status_transition_and_change_plans_as_the_rules_say() {
    let server = CamsServer::configured(NO_CAMS, SPACE);
    // (prior status, status asked for, change, expected plan). Prior None:
    // a new flow (the change is moot).
    #[rustfmt::skip]
    let table: Vec<(Option<&str>, Option<&str>, Change, Outcome)> = vec![
        // A new flow: left out means DRAFT.
        (None, None, Unchanged, Create("DRAFT")),
        (None, Some("DRAFT"), Unchanged, Create("DRAFT")),
        (None, Some("PUBLISHED"), Unchanged, Create("PUBLISHED")),
        (None, Some("DEPRECATED"), Unchanged, Create("DEPRECATED")),

        // A draft changes in place, and moves forward in place.
        (Some("DRAFT"), None, Unchanged, NoChange),
        (Some("DRAFT"), None, Content, InPlace),
        (Some("DRAFT"), None, NameAndCategories, InPlace),
        (Some("DRAFT"), None, Endpoint, InPlace),
        (Some("DRAFT"), Some("DRAFT"), Unchanged, NoChange),
        (Some("DRAFT"), Some("DRAFT"), Content, InPlace),
        (Some("DRAFT"), Some("DRAFT"), NameAndCategories, InPlace),
        (Some("DRAFT"), Some("DRAFT"), Endpoint, InPlace),
        (Some("DRAFT"), Some("PUBLISHED"), Unchanged, InPlace),
        (Some("DRAFT"), Some("PUBLISHED"), Content, InPlace),
        (Some("DRAFT"), Some("PUBLISHED"), NameAndCategories, InPlace),
        (Some("DRAFT"), Some("PUBLISHED"), Endpoint, InPlace),
        (Some("DRAFT"), Some("DEPRECATED"), Unchanged, InPlace),
        (Some("DRAFT"), Some("DEPRECATED"), Content, InPlace),
        (Some("DRAFT"), Some("DEPRECATED"), NameAndCategories, InPlace),
        (Some("DRAFT"), Some("DEPRECATED"), Endpoint, InPlace),

        // A published flow: left out keeps PUBLISHED; any change to it, or
        // asking it back to DRAFT, replaces it; deprecating is in place.
        (Some("PUBLISHED"), None, Unchanged, NoChange),
        (Some("PUBLISHED"), None, Content, replace(&["content"])),
        (Some("PUBLISHED"), None, NameAndCategories, replace(&["name", "categories"])),
        (Some("PUBLISHED"), None, Endpoint, replace(&["endpoint_uri"])),
        (Some("PUBLISHED"), Some("DRAFT"), Unchanged, replace(&["status"])),
        (Some("PUBLISHED"), Some("DRAFT"), Content, replace(&["content", "status"])),
        (Some("PUBLISHED"), Some("DRAFT"), NameAndCategories, replace(&["name", "categories", "status"])),
        (Some("PUBLISHED"), Some("DRAFT"), Endpoint, replace(&["endpoint_uri", "status"])),
        (Some("PUBLISHED"), Some("PUBLISHED"), Unchanged, NoChange),
        (Some("PUBLISHED"), Some("PUBLISHED"), Content, replace(&["content"])),
        (Some("PUBLISHED"), Some("PUBLISHED"), NameAndCategories, replace(&["name", "categories"])),
        (Some("PUBLISHED"), Some("PUBLISHED"), Endpoint, replace(&["endpoint_uri"])),
        (Some("PUBLISHED"), Some("DEPRECATED"), Unchanged, InPlace),
        (Some("PUBLISHED"), Some("DEPRECATED"), Content, replace(&["content"])),
        (Some("PUBLISHED"), Some("DEPRECATED"), NameAndCategories, replace(&["name", "categories"])),
        (Some("PUBLISHED"), Some("DEPRECATED"), Endpoint, replace(&["endpoint_uri"])),

        // A deprecated flow: left out keeps DEPRECATED; any change, or any
        // earlier status (PUBLISHED too), replaces it.
        (Some("DEPRECATED"), None, Unchanged, NoChange),
        (Some("DEPRECATED"), None, Content, replace(&["content"])),
        (Some("DEPRECATED"), None, NameAndCategories, replace(&["name", "categories"])),
        (Some("DEPRECATED"), None, Endpoint, replace(&["endpoint_uri"])),
        (Some("DEPRECATED"), Some("DRAFT"), Unchanged, replace(&["status"])),
        (Some("DEPRECATED"), Some("DRAFT"), Content, replace(&["content", "status"])),
        (Some("DEPRECATED"), Some("DRAFT"), NameAndCategories, replace(&["name", "categories", "status"])),
        (Some("DEPRECATED"), Some("DRAFT"), Endpoint, replace(&["endpoint_uri", "status"])),
        (Some("DEPRECATED"), Some("PUBLISHED"), Unchanged, replace(&["status"])),
        (Some("DEPRECATED"), Some("PUBLISHED"), Content, replace(&["content", "status"])),
        (Some("DEPRECATED"), Some("PUBLISHED"), NameAndCategories, replace(&["name", "categories", "status"])),
        (Some("DEPRECATED"), Some("PUBLISHED"), Endpoint, replace(&["endpoint_uri", "status"])),
        (Some("DEPRECATED"), Some("DEPRECATED"), Unchanged, NoChange),
        (Some("DEPRECATED"), Some("DEPRECATED"), Content, replace(&["content"])),
        (Some("DEPRECATED"), Some("DEPRECATED"), NameAndCategories, replace(&["name", "categories"])),
        (Some("DEPRECATED"), Some("DEPRECATED"), Endpoint, replace(&["endpoint_uri"])),
    ];
    // Every combination, once.
    assert_eq!(table.len(), 4 + 3 * 4 * 4);
    let mut failures = Vec::new();
    for (prior, wanted, change, expected) in &table {
        let prior_state = prior.map_or(Value::Null, |s| prior_state(&server, s));
        let got = outcome(&server, &prior_state, &config(&server, *wanted, *change));
        if got != *expected {
            failures.push(format!(
                "{prior:?} -> {wanted:?} with {change:?}: expected {expected:?}, planned {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The Refused variant stays honest: a status outside the road is
    // refused, through the same path.
    let bogus = config(&server, Some("BLOCKED"), Unchanged);
    assert_eq!(
        outcome(&server, &prior_state(&server, "DRAFT"), &bogus),
        Refused
    );
}

#[test]
fn destroying_plans_what_happens_to_the_flow_in_cams() {
    let server = CamsServer::configured(NO_CAMS, SPACE);
    for (status, warning) in [
        ("DRAFT", None),
        (
            "PUBLISHED",
            Some("Published Flow Will Be Deprecated, Not Deleted"),
        ),
        ("DEPRECATED", Some("Deprecated Flow Stays in CAMS")),
    ] {
        let plan = server.plan(FLOW, &prior_state(&server, status), &Value::Null, b"");
        assert!(errors(&plan.diagnostics).is_empty(), "{status}: {plan:?}");
        let warnings: Vec<&str> = plan
            .diagnostics
            .iter()
            .filter(|d| !d.is_error())
            .map(|d| d.summary.as_str())
            .collect();
        assert_eq!(
            warnings,
            warning.into_iter().collect::<Vec<_>>(),
            "{status}"
        );
    }
}
