//! Attribute plan modifiers: small rules, attached to schema attributes,
//! that adjust the planned value of one attribute while Terraform plans.
//!
//! The runtime runs them (in the order they were added) after it has
//! marked computed attributes unknown and before the resource's own
//! `modify_plan` hook. They never run for create-time nulls of the whole
//! resource nor for destroy plans.

use std::fmt;
use std::sync::Arc;

use super::diagnostics::{AttributePath, Diagnostics};
use super::value::{json_texts_equal, Value};

/// What a plan modifier sees about one attribute.
#[derive(Clone, Copy, Debug)]
pub struct PlanModifierRequest<'a> {
    /// The attribute.
    pub path: &'a AttributePath,
    /// Its value in configuration (null when unset or computed-only).
    pub config: &'a Value,
    /// Its value in the prior state (null when the resource is being
    /// created, or the attribute was null).
    pub state: &'a Value,
    /// Its planned value so far.
    pub plan: &'a Value,
    /// Whether the resource is being created (there is no prior state).
    pub creating: bool,
}

/// What a plan modifier decided. The default changes nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanModification {
    /// A new planned value, if it changes.
    pub plan: Option<Value>,
    /// Whether a change of this attribute needs the resource replaced.
    pub requires_replace: bool,
    pub diagnostics: Diagnostics,
}

/// One rule adjusting an attribute's planned value.
pub trait PlanModifier: Send + Sync {
    /// One sentence saying what the rule does (for docs and debugging).
    fn description(&self) -> String;

    fn modify(&self, req: &PlanModifierRequest<'_>) -> PlanModification;

    /// Whether two known values mean the same for this attribute. The
    /// runtime asks after a read (prior state against the value read) and
    /// after an apply (planned against applied value) and keeps the earlier
    /// value when they do, so a re-formatted value coming back from the
    /// remote side neither shows as drift nor breaks the plan. Only
    /// semantic-equality rules say yes.
    fn equivalent(&self, _earlier: &Value, _later: &Value) -> bool {
        false
    }
}

/// The plan modifiers of one attribute, in order.
#[derive(Clone, Default)]
pub struct PlanModifiers(Vec<Arc<dyn PlanModifier>>);

impl PlanModifiers {
    pub fn push(&mut self, modifier: impl PlanModifier + 'static) {
        self.0.push(Arc::new(modifier));
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn PlanModifier>> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether any modifier deems the two values equal in meaning.
    pub fn equivalent(&self, earlier: &Value, later: &Value) -> bool {
        earlier != later
            && !earlier.is_null()
            && !later.is_null()
            && earlier.is_wholly_known()
            && later.is_wholly_known()
            && self.0.iter().any(|m| m.equivalent(earlier, later))
    }

    /// Runs every modifier in order, each seeing the plan the previous one
    /// left. Returns the final plan and whether any asked for replacement.
    pub fn run(
        &self,
        path: &AttributePath,
        config: &Value,
        state: &Value,
        plan: Value,
        creating: bool,
        diags: &mut Diagnostics,
    ) -> (Value, bool) {
        let mut plan = plan;
        let mut replace = false;
        for modifier in &self.0 {
            let result = modifier.modify(&PlanModifierRequest {
                path,
                config,
                state,
                plan: &plan,
                creating,
            });
            diags.extend(result.diagnostics);
            if let Some(new_plan) = result.plan {
                plan = new_plan;
            }
            replace |= result.requires_replace;
        }
        (plan, replace)
    }
}

impl fmt::Debug for PlanModifiers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|m| m.description()))
            .finish()
    }
}

/// Two schemas are equal when their attributes carry the same rules, as
/// far as their descriptions tell.
impl PartialEq for PlanModifiers {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|(a, b)| a.description() == b.description())
    }
}

/// A computed value that does not change once set: while planning an
/// update, keep the prior value instead of "(known after apply)".
#[derive(Clone, Copy, Debug, Default)]
pub struct UseStateForUnknown;

impl PlanModifier for UseStateForUnknown {
    fn description(&self) -> String {
        "Once set, the value of this attribute in state will not change.".to_owned()
    }

    fn modify(&self, req: &PlanModifierRequest<'_>) -> PlanModification {
        if req.state.is_null() || !req.plan.is_unknown() || req.config.is_unknown() {
            return PlanModification::default();
        }
        PlanModification {
            plan: Some(req.state.clone()),
            ..PlanModification::default()
        }
    }
}

/// A change of this attribute destroys and re-creates the resource.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequiresReplace;

impl PlanModifier for RequiresReplace {
    fn description(&self) -> String {
        "If the value of this attribute changes, Terraform will destroy and recreate the resource."
            .to_owned()
    }

    fn modify(&self, req: &PlanModifierRequest<'_>) -> PlanModification {
        PlanModification {
            requires_replace: changes(req),
            ..PlanModification::default()
        }
    }
}

/// Whether an update changes the attribute (never on create).
fn changes(req: &PlanModifierRequest<'_>) -> bool {
    !req.creating && req.plan != req.state
}

type ReplaceCondition = dyn Fn(&PlanModifierRequest<'_>) -> bool + Send + Sync;

/// A change of this attribute destroys and re-creates the resource when a
/// condition holds (e.g. only when the value grows).
#[derive(Clone)]
pub struct RequiresReplaceIf {
    description: String,
    condition: Arc<ReplaceCondition>,
}

impl RequiresReplaceIf {
    /// `condition` is asked only when the attribute changes in an update.
    pub fn new(
        description: impl Into<String>,
        condition: impl Fn(&PlanModifierRequest<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self {
            description: description.into(),
            condition: Arc::new(condition),
        }
    }
}

impl RequiresReplaceIf {
    /// Replaces only on a change between two values the prior state knows:
    /// a null prior value (an attribute an import could not read back) is
    /// adopted from the plan in place. For optional+computed attributes,
    /// whose null in state means "not known yet" rather than "unset".
    pub(crate) fn prior_known() -> Self {
        Self::new(
            "If the value of this attribute changes from one known value to another, Terraform will destroy and recreate the resource; a value the prior state lacks (e.g. after an import) is adopted in place.",
            |req| !req.state.is_null(),
        )
    }
}

impl PlanModifier for RequiresReplaceIf {
    fn description(&self) -> String {
        self.description.clone()
    }

    fn modify(&self, req: &PlanModifierRequest<'_>) -> PlanModification {
        PlanModification {
            requires_replace: changes(req) && (self.condition)(req),
            ..PlanModification::default()
        }
    }
}

type Equivalence = dyn Fn(&Value, &Value) -> bool + Send + Sync;

/// A configured value equal in meaning to the prior one (e.g. re-formatted
/// JSON text) keeps the prior value, so the plan shows no change.
/// Terraform accepts a planned value that differs from the configuration
/// when it is exactly the prior value.
#[derive(Clone)]
pub struct SemanticEquality {
    description: String,
    equal: Arc<Equivalence>,
}

impl SemanticEquality {
    /// `equal(prior, planned)` says whether the two known, non-null values
    /// mean the same.
    pub fn new(
        description: impl Into<String>,
        equal: impl Fn(&Value, &Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self {
            description: description.into(),
            equal: Arc::new(equal),
        }
    }

    /// JSON text: equal when both parse to the same JSON value (object
    /// member order, white space and string escapes do not matter; numbers
    /// compare as exact decimals, so `1e20` equals `100000000000000000000`
    /// but not `100000000000000000001`).
    pub fn json() -> Self {
        Self::new(
            "A JSON document equal in meaning to the prior one keeps the prior text.",
            |prior, planned| match (prior.as_str(), planned.as_str()) {
                (Some(a), Some(b)) => json_texts_equal(a, b),
                _ => false,
            },
        )
    }
}

impl PlanModifier for SemanticEquality {
    fn description(&self) -> String {
        self.description.clone()
    }

    fn equivalent(&self, earlier: &Value, later: &Value) -> bool {
        (self.equal)(earlier, later)
    }

    fn modify(&self, req: &PlanModifierRequest<'_>) -> PlanModification {
        let comparable = !req.state.is_null()
            && !req.plan.is_null()
            && req.state.is_wholly_known()
            && req.plan.is_wholly_known()
            && req.state != req.plan;
        if comparable && (self.equal)(req.state, req.plan) {
            return PlanModification {
                plan: Some(req.state.clone()),
                ..PlanModification::default()
            };
        }
        PlanModification::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(m: &dyn PlanModifier, config: Value, state: Value, plan: Value) -> PlanModification {
        let path = AttributePath::of("a");
        let creating = state.is_null();
        m.modify(&PlanModifierRequest {
            path: &path,
            config: &config,
            state: &state,
            plan: &plan,
            creating,
        })
    }

    #[test]
    fn use_state_for_unknown_keeps_a_prior_value_only() {
        let kept = run(
            &UseStateForUnknown,
            Value::Null,
            "id-1".into(),
            Value::unknown(),
        );
        assert_eq!(kept.plan, Some("id-1".into()));
        let create = run(
            &UseStateForUnknown,
            Value::Null,
            Value::Null,
            Value::unknown(),
        );
        assert_eq!(create.plan, None);
        let known = run(&UseStateForUnknown, "x".into(), "y".into(), "x".into());
        assert_eq!(known.plan, None);
    }

    #[test]
    fn requires_replace_only_on_an_update_that_changes_the_value() {
        assert!(run(&RequiresReplace, "b".into(), "a".into(), "b".into()).requires_replace);
        assert!(!run(&RequiresReplace, "a".into(), "a".into(), "a".into()).requires_replace);
        assert!(!run(&RequiresReplace, "a".into(), Value::Null, "a".into()).requires_replace);
        let growing = RequiresReplaceIf::new("grows", |r| {
            r.plan.as_str().map(str::len) > r.state.as_str().map(str::len)
        });
        assert!(run(&growing, "abc".into(), "a".into(), "abc".into()).requires_replace);
        assert!(!run(&growing, "b".into(), "a".into(), "b".into()).requires_replace);
    }

    #[test]
    fn requires_replace_prior_known_adopts_a_value_the_state_lacks() {
        let m = RequiresReplaceIf::prior_known();
        let path = AttributePath::of("a");
        let adopt = |state: Value, plan: Value| {
            m.modify(&PlanModifierRequest {
                path: &path,
                config: &plan,
                state: &state,
                plan: &plan,
                creating: false,
            })
            .requires_replace
        };
        assert!(!adopt(Value::Null, "space-1".into()), "null prior: adopted");
        assert!(!adopt(Value::Null, Value::unknown()), "null prior: adopted");
        assert!(adopt("space-1".into(), "space-2".into()), "known change");
        assert!(!adopt("space-1".into(), "space-1".into()));
    }

    #[test]
    fn json_semantic_equality_keeps_the_prior_text() {
        let prior: Value = r#"{"a":1,"b":[true]}"#.into();
        let reformatted: Value = "{\n  \"b\": [ true ],\n  \"a\": 1\n}".into();
        let m = SemanticEquality::json();
        let r = run(&m, reformatted.clone(), prior.clone(), reformatted);
        assert_eq!(r.plan, Some(prior.clone()));
        let changed: Value = r#"{"a":2,"b":[true]}"#.into();
        assert_eq!(run(&m, changed.clone(), prior.clone(), changed).plan, None);
        // Beyond f64: a change in the 21st digit is a change.
        let big: Value = r#"{"a":100000000000000000000,"b":[true]}"#.into();
        let bigger: Value = r#"{"a":100000000000000000001,"b":[true]}"#.into();
        assert_eq!(run(&m, bigger.clone(), big.clone(), bigger).plan, None);
        let same: Value = r#"{"a":1e20,"b":[true]}"#.into();
        assert_eq!(run(&m, same.clone(), big.clone(), same).plan, Some(big));
        let broken: Value = "{".into();
        assert_eq!(run(&m, broken.clone(), prior, broken).plan, None);
    }
}
