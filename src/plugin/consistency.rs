//! Terraform core's consistency rules, checked by the runtime itself (in
//! debug builds, i.e. in tests) so that a provider bug fails a test with
//! the attribute named instead of reaching a user as "Provider produced
//! inconsistent result". The rules follow Terraform's
//! `internal/plans/objchange` (AssertPlanValid, AssertObjectCompatible).

use super::diagnostics::AttributePath;
use super::schema::Attribute;
use super::shape::{attr, child_path, element, nested_objects, ObjectSchema, Repeat};
use super::value::Value;

/// One broken rule: where, and what.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Problem {
    pub path: AttributePath,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.what)
    }
}

fn problem(path: &AttributePath, what: String) -> Problem {
    Problem {
        path: path.clone(),
        what,
    }
}

/// The rules a planned state breaks.
pub(crate) fn plan_problems(
    schema: ObjectSchema<'_>,
    prior: &Value,
    config: &Value,
    planned: &Value,
) -> Vec<Problem> {
    let mut out = Vec::new();
    check_planned_object(
        schema,
        &AttributePath::root(),
        prior,
        config,
        planned,
        &mut out,
    );
    out
}

fn check_planned_object(
    schema: ObjectSchema<'_>,
    path: &AttributePath,
    prior: &Value,
    config: &Value,
    planned: &Value,
    out: &mut Vec<Problem>,
) {
    if planned.is_unknown() {
        return;
    }
    for a in schema.attributes {
        let p = path.clone().attribute(a.name.clone());
        check_planned_attribute(
            a,
            &p,
            attr(prior, &a.name),
            attr(config, &a.name),
            attr(planned, &a.name),
            out,
        );
    }
    for b in schema.blocks {
        let p = path.clone().attribute(b.type_name.clone());
        check_planned_nested(
            ObjectSchema::of_block(&b.block),
            b.nesting.into(),
            &p,
            attr(prior, &b.type_name),
            attr(config, &b.type_name),
            attr(planned, &b.type_name),
            out,
        );
    }
}

fn check_planned_attribute(
    a: &Attribute,
    path: &AttributePath,
    prior: &Value,
    config: &Value,
    planned: &Value,
    out: &mut Vec<Problem>,
) {
    if a.write_only {
        if !planned.is_null() {
            out.push(problem(
                path,
                "planned a value for a write-only attribute".to_owned(),
            ));
        }
        return;
    }
    if planned == config {
        return;
    }
    // The prior value kept for a configured value that means the same.
    if planned == prior && !prior.is_null() && !config.is_null() {
        return;
    }
    if a.is_computed() && !a.is_optional() {
        return;
    }
    if config.is_null() && a.is_computed() {
        return;
    }
    if config.is_null() && !planned.is_null() {
        out.push(problem(
            path,
            "planned a value for a non-computed attribute".to_owned(),
        ));
        return;
    }
    if let Some(nested) = &a.nested {
        let inner = ObjectSchema {
            attributes: &nested.attributes,
            blocks: &[],
        };
        check_planned_nested(
            inner,
            nested.nesting.into(),
            path,
            prior,
            config,
            planned,
            out,
        );
        return;
    }
    out.push(if a.sensitive {
        problem(path, "planned value does not match the configuration".to_owned())
    } else {
        problem(path, format!(
            "planned value {planned:?} does not match the configured value {config:?} nor the prior value {prior:?}"
        ))
    });
}

fn check_planned_nested(
    schema: ObjectSchema<'_>,
    repeat: Repeat,
    path: &AttributePath,
    prior: &Value,
    config: &Value,
    planned: &Value,
    out: &mut Vec<Problem>,
) {
    if planned.is_unknown() || config.is_unknown() {
        return;
    }
    let planned_items = nested_objects(repeat, planned);
    let config_items = nested_objects(repeat, config);
    if repeat != Repeat::One && planned_items.len() != config_items.len() {
        out.push(problem(
            path,
            format!(
                "planned {} nested objects for {} configured",
                planned_items.len(),
                config_items.len()
            ),
        ));
        return;
    }
    if repeat == Repeat::Set {
        // Set elements cannot be paired by position; Terraform matches them
        // by value, which the equality above already covers when known.
        return;
    }
    for (step, planned_item) in planned_items {
        check_planned_object(
            schema,
            &child_path(path, &step),
            element(prior, &step),
            element(config, &step),
            planned_item,
            out,
        );
    }
}

/// Where an applied state breaks its plan: every value known in the plan
/// must come back unchanged.
pub(crate) fn apply_problems(planned: &Value, applied: &Value) -> Vec<Problem> {
    let mut out = Vec::new();
    check_compatible(&AttributePath::root(), planned, applied, &mut out);
    out
}

fn check_compatible(
    path: &AttributePath,
    planned: &Value,
    applied: &Value,
    out: &mut Vec<Problem>,
) {
    match (planned, applied) {
        (Value::Unknown(r), _) => {
            if r.is_definitely_not_null() && applied.is_null() {
                out.push(problem(
                    path,
                    "was planned as not null, is now null".to_owned(),
                ));
            }
        }
        (Value::Object(p), Value::Object(a)) => {
            for (name, pv) in p {
                let av = a.get(name).unwrap_or(&Value::Null);
                check_compatible(&path.clone().attribute(name.clone()), pv, av, out);
            }
        }
        (Value::Map(p), Value::Map(a)) if p.len() == a.len() => {
            for (key, pv) in p {
                match a.get(key) {
                    Some(av) => check_compatible(&path.clone().key(key.clone()), pv, av, out),
                    None => out.push(problem(path, format!("planned key {key:?} is gone"))),
                }
            }
        }
        (Value::List(p), Value::List(a)) | (Value::Tuple(p), Value::Tuple(a))
            if p.len() == a.len() =>
        {
            for (i, (pv, av)) in p.iter().zip(a).enumerate() {
                check_compatible(&path.clone().index(i), pv, av, out);
            }
        }
        (Value::Set(p), Value::Set(a)) => {
            if planned.is_wholly_known() {
                let same = p.len() == a.len() && p.iter().all(|v| a.contains(v));
                if !same {
                    out.push(problem(path, "planned set elements changed".to_owned()));
                }
            } else if a.len() < p.iter().filter(|v| v.is_wholly_known()).count() {
                out.push(problem(path, "planned set elements are missing".to_owned()));
            }
        }
        (Value::Dynamic { value: p, .. }, Value::Dynamic { value: a, .. }) => {
            check_compatible(path, p, a, out)
        }
        _ if planned == applied => {}
        _ => out.push(problem(
            path,
            format!("was planned as {planned:?}, but is now {applied:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::Block;
    use crate::plugin::value::Type;

    fn block() -> Block {
        Block::new("r")
            .attribute(Attribute::required("name", Type::String, "N."))
            .attribute(Attribute::optional_computed("size", Type::Number, "S."))
            .attribute(Attribute::computed("id", Type::String, "I."))
    }

    #[test]
    fn a_plan_may_only_change_what_terraform_allows() {
        let b = block();
        let s = ObjectSchema::of_block(&b);
        let obj = |name: &str, size: Value, id: Value| {
            Value::object([("name", Value::from(name)), ("size", size), ("id", id)])
        };
        let config = obj("a", Value::Null, Value::Null);
        let ok = obj("a", 3i64.into(), Value::unknown());
        assert!(plan_problems(s, &Value::Null, &config, &ok).is_empty());
        let renamed = obj("b", Value::Null, Value::unknown());
        let problems = plan_problems(s, &Value::Null, &config, &renamed);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path, AttributePath::of("name"));
        assert!(
            problems[0].to_string().starts_with("name: planned value"),
            "{problems:?}"
        );
        // The prior value kept for an equivalent configured value is fine.
        let prior = obj("A", Value::Null, "x".into());
        let kept = obj("A", Value::Null, "x".into());
        assert!(plan_problems(s, &prior, &config, &kept).is_empty());
    }

    #[test]
    fn applied_values_must_match_known_planned_values() {
        let planned = Value::object([("a", Value::from("x")), ("b", Value::unknown())]);
        let good = Value::object([("a", Value::from("x")), ("b", Value::from("y"))]);
        assert!(apply_problems(&planned, &good).is_empty());
        let bad = Value::object([("a", Value::from("z")), ("b", Value::from("y"))]);
        let problems = apply_problems(&planned, &bad);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].to_string().starts_with("a: was planned as"),
            "{problems:?}"
        );
        let set = Value::Set(vec!["a".into(), "b".into()]);
        assert!(apply_problems(&set, &Value::Set(vec!["b".into(), "a".into()])).is_empty());
        assert!(!apply_problems(&set, &Value::Set(vec!["a".into()])).is_empty());
    }
}
