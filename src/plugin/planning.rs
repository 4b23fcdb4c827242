//! Terraform's part of PlanResourceChange that every resource shares, as
//! terraform-plugin-framework does it: computed attributes the
//! configuration leaves null become unknown when the resource changes, then
//! each attribute's plan modifiers run.

use super::diagnostics::{AttributePath, Diagnostics};
use super::shape::{
    attr, child_path, counterpart, element_mut, nested_objects, ObjectSchema, Repeat,
};
use super::value::Value;

/// Marks every computed attribute whose configuration is null as unknown
/// ("known after apply"), in nested attributes and blocks too. Called only
/// when the plan differs from the prior state (or on create): an unchanged
/// resource keeps every computed value.
pub(crate) fn mark_computed_unknown(schema: ObjectSchema<'_>, config: &Value, plan: &mut Value) {
    let Value::Object(members) = plan else {
        return;
    };
    for a in schema.attributes {
        let Some(planned) = members.get_mut(&a.name) else {
            continue;
        };
        let configured = attr(config, &a.name);
        if a.is_computed() && configured.is_null() && !a.write_only {
            *planned = Value::unknown();
        } else if let Some(nested) = &a.nested {
            let inner = ObjectSchema {
                attributes: &nested.attributes,
                blocks: &[],
            };
            mark_nested(inner, nested.nesting.into(), configured, planned);
        }
    }
    for b in schema.blocks {
        if let Some(planned) = members.get_mut(&b.type_name) {
            let inner = ObjectSchema::of_block(&b.block);
            mark_nested(inner, b.nesting.into(), attr(config, &b.type_name), planned);
        }
    }
}

fn mark_nested(schema: ObjectSchema<'_>, repeat: Repeat, config: &Value, plan: &mut Value) {
    let pairs: Vec<_> = nested_objects(repeat, plan)
        .into_iter()
        .map(|(step, planned)| {
            let configured = counterpart(schema, &step, planned, config).clone();
            (step, configured)
        })
        .collect();
    for (step, configured) in pairs {
        if let Some(planned) = element_mut(plan, &step) {
            mark_computed_unknown(schema, &configured, planned);
        }
    }
}

/// Keeps the earlier value of every attribute whose later value means the
/// same (see `PlanModifier::equivalent`), nested attributes and blocks
/// included: after a read the earlier value is the prior state's, after an
/// apply the plan's.
pub(crate) fn keep_equivalent_values(schema: ObjectSchema<'_>, earlier: &Value, later: &mut Value) {
    let Value::Object(members) = later else {
        return;
    };
    for a in schema.attributes {
        let Some(value) = members.get_mut(&a.name) else {
            continue;
        };
        let before = attr(earlier, &a.name);
        if a.plan_modifiers.equivalent(before, value) {
            *value = before.clone();
        } else if let Some(nested) = &a.nested {
            let inner = ObjectSchema {
                attributes: &nested.attributes,
                blocks: &[],
            };
            keep_nested(inner, nested.nesting.into(), before, value);
        }
    }
    for b in schema.blocks {
        if let Some(value) = members.get_mut(&b.type_name) {
            let before = attr(earlier, &b.type_name);
            keep_nested(
                ObjectSchema::of_block(&b.block),
                b.nesting.into(),
                before,
                value,
            );
        }
    }
}

fn keep_nested(schema: ObjectSchema<'_>, repeat: Repeat, earlier: &Value, later: &mut Value) {
    let pairs: Vec<_> = nested_objects(repeat, later)
        .into_iter()
        .map(|(step, item)| {
            let before = counterpart(schema, &step, item, earlier).clone();
            (step, before)
        })
        .collect();
    for (step, before) in pairs {
        if let Some(item) = element_mut(later, &step) {
            keep_equivalent_values(schema, &before, item);
        }
    }
}

/// The three values a plan modifier compares, for one object.
pub(crate) struct PlanInputs<'v> {
    pub config: &'v Value,
    pub state: &'v Value,
    pub creating: bool,
}

/// Runs the attribute plan modifiers through the object, nested attributes
/// and blocks included. Returns the attributes that require replacement.
pub(crate) fn run_plan_modifiers(
    schema: ObjectSchema<'_>,
    path: &AttributePath,
    inputs: &PlanInputs<'_>,
    plan: &mut Value,
    diags: &mut Diagnostics,
) -> Vec<AttributePath> {
    let mut replace = Vec::new();
    let Value::Object(members) = plan else {
        return replace;
    };
    for a in schema.attributes {
        let Some(planned) = members.get_mut(&a.name) else {
            continue;
        };
        let attr_path = path.clone().attribute(a.name.clone());
        let config = attr(inputs.config, &a.name);
        let state = attr(inputs.state, &a.name);
        if let Some(nested) = &a.nested {
            let inner = ObjectSchema {
                attributes: &nested.attributes,
                blocks: &[],
            };
            replace.extend(modify_nested(
                inner,
                nested.nesting.into(),
                &attr_path,
                (config, state, inputs.creating),
                planned,
                diags,
            ));
        }
        if !a.plan_modifiers.is_empty() {
            let current = std::mem::replace(planned, Value::Null);
            let (new_plan, requires_replace) =
                a.plan_modifiers
                    .run(&attr_path, config, state, current, inputs.creating, diags);
            *planned = new_plan;
            if requires_replace {
                replace.push(attr_path);
            }
        }
    }
    for b in schema.blocks {
        if let Some(planned) = members.get_mut(&b.type_name) {
            let block_path = path.clone().attribute(b.type_name.clone());
            replace.extend(modify_nested(
                ObjectSchema::of_block(&b.block),
                b.nesting.into(),
                &block_path,
                (
                    attr(inputs.config, &b.type_name),
                    attr(inputs.state, &b.type_name),
                    inputs.creating,
                ),
                planned,
                diags,
            ));
        }
    }
    replace
}

fn modify_nested(
    schema: ObjectSchema<'_>,
    repeat: Repeat,
    path: &AttributePath,
    (config, state, creating): (&Value, &Value, bool),
    plan: &mut Value,
    diags: &mut Diagnostics,
) -> Vec<AttributePath> {
    let pairs: Vec<_> = nested_objects(repeat, plan)
        .into_iter()
        .map(|(step, planned)| {
            let c = counterpart(schema, &step, planned, config);
            let s = counterpart(schema, &step, planned, state);
            (step, c, s)
        })
        .collect();
    let mut replace = Vec::new();
    for (step, config, state) in pairs {
        let inputs = PlanInputs {
            config,
            state,
            creating,
        };
        let child = child_path(path, &step);
        if let Some(planned) = element_mut(plan, &step) {
            replace.extend(run_plan_modifiers(schema, &child, &inputs, planned, diags));
        }
    }
    replace
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::plan_modifier::{RequiresReplace, UseStateForUnknown};
    use crate::plugin::schema::{Attribute, Block, NestedAttributes, ObjectNesting, Presence};
    use crate::plugin::value::Type;

    fn schema() -> Block {
        Block::new("r")
            .attribute(
                Attribute::required("name", Type::String, "N.").plan_modifier(RequiresReplace),
            )
            .attribute(
                Attribute::computed("id", Type::String, "I.").plan_modifier(UseStateForUnknown),
            )
            .attribute(Attribute::computed("etag", Type::String, "E."))
            .attribute(Attribute::nested(
                "rules",
                Presence::Optional,
                NestedAttributes::new(
                    ObjectNesting::List,
                    vec![
                        Attribute::required("port", Type::Number, "P.")
                            .plan_modifier(RequiresReplace),
                        Attribute::computed("rid", Type::String, "R."),
                    ],
                ),
                "Rules.",
            ))
    }

    #[test]
    fn values_equal_in_meaning_keep_the_earlier_text() {
        use crate::plugin::plan_modifier::SemanticEquality;
        let block = Block::new("r")
            .attribute(
                Attribute::required("doc", Type::String, "D.")
                    .plan_modifier(SemanticEquality::json()),
            )
            .attribute(Attribute::required("name", Type::String, "N."));
        let earlier = Value::object([("doc", Value::from(r#"{"a":1}"#)), ("name", "x".into())]);
        let mut later = Value::object([("doc", Value::from("{ \"a\": 1 }")), ("name", "y".into())]);
        keep_equivalent_values(ObjectSchema::of_block(&block), &earlier, &mut later);
        assert_eq!(attr(&later, "doc"), &Value::from(r#"{"a":1}"#));
        assert_eq!(
            attr(&later, "name"),
            &Value::from("y"),
            "no rule, no change"
        );
        let mut changed = Value::object([("doc", Value::from(r#"{"a":2}"#)), ("name", "x".into())]);
        keep_equivalent_values(ObjectSchema::of_block(&block), &earlier, &mut changed);
        assert_eq!(attr(&changed, "doc"), &Value::from(r#"{"a":2}"#));
    }

    #[test]
    fn set_nested_objects_find_their_prior_values_by_content_not_position() {
        let block = Block::new("r").attribute(Attribute::nested(
            "rules",
            Presence::Optional,
            NestedAttributes::new(
                ObjectNesting::Set,
                vec![
                    Attribute::required("port", Type::Number, "P."),
                    Attribute::computed("rid", Type::String, "R.")
                        .plan_modifier(UseStateForUnknown),
                ],
            ),
            "Rules.",
        ));
        let rule = |port: i64, rid: Value| Value::object([("port", port.into()), ("rid", rid)]);
        let prior = Value::object([(
            "rules",
            Value::Set(vec![rule(443, "r443".into()), rule(80, "r80".into())]),
        )]);
        // A rule added: Terraform's set order puts the elements elsewhere.
        let config = Value::object([(
            "rules",
            Value::Set(vec![
                rule(22, Value::Null),
                rule(80, Value::Null),
                rule(443, Value::Null),
            ]),
        )]);
        let mut plan = Value::object([(
            "rules",
            Value::Set(vec![
                rule(22, Value::Null),
                rule(80, "r80".into()),
                rule(443, "r443".into()),
            ]),
        )]);
        let s = ObjectSchema::of_block(&block);
        mark_computed_unknown(s, &config, &mut plan);
        let mut diags = Diagnostics::new();
        let inputs = PlanInputs {
            config: &config,
            state: &prior,
            creating: false,
        };
        run_plan_modifiers(s, &AttributePath::root(), &inputs, &mut plan, &mut diags);
        let rules = attr(&plan, "rules").elements().expect("set");
        assert!(
            rules[0].get_attr("rid").is_some_and(Value::is_unknown),
            "new rule"
        );
        assert_eq!(rules[1].get_attr("rid"), Some(&Value::from("r80")));
        assert_eq!(rules[2].get_attr("rid"), Some(&Value::from("r443")));
    }

    #[test]
    fn computed_attributes_become_unknown_and_modifiers_run_in_nested_objects() {
        let block = schema();
        let rule = |port: i64, rid: Value| Value::object([("port", port.into()), ("rid", rid)]);
        let prior = Value::object([
            ("name", Value::from("a")),
            ("id", "id-1".into()),
            ("etag", "e1".into()),
            ("rules", Value::List(vec![rule(80, "r1".into())])),
        ]);
        let config = Value::object([
            ("name", Value::from("a")),
            ("id", Value::Null),
            ("etag", Value::Null),
            ("rules", Value::List(vec![rule(81, Value::Null)])),
        ]);
        let mut plan = Value::object([
            ("name", Value::from("a")),
            ("id", "id-1".into()),
            ("etag", "e1".into()),
            ("rules", Value::List(vec![rule(81, "r1".into())])),
        ]);
        let s = ObjectSchema::of_block(&block);
        mark_computed_unknown(s, &config, &mut plan);
        let mut diags = Diagnostics::new();
        let replace = run_plan_modifiers(
            s,
            &AttributePath::root(),
            &PlanInputs {
                config: &config,
                state: &prior,
                creating: false,
            },
            &mut plan,
            &mut diags,
        );
        assert_eq!(
            attr(&plan, "id"),
            &Value::from("id-1"),
            "use state for unknown"
        );
        assert!(attr(&plan, "etag").is_unknown());
        assert!(attr(&plan, "rules").as_list().unwrap()[0]
            .get_attr("rid")
            .is_some_and(Value::is_unknown));
        assert_eq!(
            replace,
            vec![AttributePath::of("rules").index(0).attribute("port")]
        );
        assert!(diags.is_empty());
    }
}
