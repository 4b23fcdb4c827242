//! Where inside a value something is, e.g. `screens[2].id`: the one path
//! type shared by value errors, diagnostics and plan modifiers, so a decode
//! error points at the attribute it is about.

use std::fmt;

use super::ty::Type;

/// One step from a value into one of its parts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    /// An object attribute or a nested block: `.name`.
    Attribute(String),
    /// A list or tuple element (or a LIST block): `[2]`.
    Index(u64),
    /// A set element, by its position on the wire: `[2]`. Terraform cannot
    /// address set elements, so a diagnostic's path stops before this step
    /// (see [`AttributePath::addressable`]).
    SetElement(u64),
    /// A map element (or a MAP block): `["key"]`.
    Key(String),
}

/// A sequence of steps from the root value. Displays like a Terraform
/// address: `screens[2].id`, `tags["env"]`; the root is the empty string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttributePath {
    steps: Vec<PathStep>,
}

impl PathStep {
    /// The step to element `index` of a list, set or tuple of type `ty`.
    pub(crate) fn element(ty: &Type, index: usize) -> PathStep {
        let index = index as u64;
        match ty {
            Type::Set(_) => PathStep::SetElement(index),
            _ => PathStep::Index(index),
        }
    }

    /// The step to `key` of a map or object of type `ty`.
    pub(crate) fn entry(ty: &Type, key: &str) -> PathStep {
        match ty {
            Type::Object(_) => PathStep::Attribute(key.to_owned()),
            _ => PathStep::Key(key.to_owned()),
        }
    }
}

impl AttributePath {
    /// The root value (the whole object).
    pub fn root() -> AttributePath {
        AttributePath::default()
    }

    /// A top-level attribute: `name`.
    pub fn of(name: impl Into<String>) -> AttributePath {
        AttributePath::root().attribute(name)
    }

    /// Whether this is the root.
    pub(crate) fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// The steps, outermost first.
    pub fn steps(&self) -> &[PathStep] {
        &self.steps
    }

    /// This path extended by one step.
    pub fn join(mut self, step: PathStep) -> AttributePath {
        self.steps.push(step);
        self
    }

    /// This path extended by an attribute (or nested block) name.
    pub fn attribute(self, name: impl Into<String>) -> AttributePath {
        self.join(PathStep::Attribute(name.into()))
    }

    /// This path extended by a list index.
    pub fn index(self, index: usize) -> AttributePath {
        self.join(PathStep::Index(index as u64))
    }

    /// This path extended by a map key.
    pub fn key(self, key: impl Into<String>) -> AttributePath {
        self.join(PathStep::Key(key.into()))
    }

    /// The longest prefix Terraform can point at: everything before the
    /// first set element.
    pub fn addressable(&self) -> AttributePath {
        let end = self
            .steps
            .iter()
            .position(|s| matches!(s, PathStep::SetElement(_)))
            .unwrap_or(self.steps.len());
        AttributePath {
            steps: self.steps[..end].to_vec(),
        }
    }

    /// Puts `step` in front: errors are built innermost first and collect
    /// their path while they travel up the recursion.
    pub(crate) fn prepend(&mut self, step: PathStep) {
        self.steps.insert(0, step);
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => write!(f, "{name}")?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::Index(i) | PathStep::SetElement(i) => write!(f, "[{i}]")?,
                PathStep::Key(key) => write!(f, "[{key:?}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_a_terraform_address() {
        let path = AttributePath::of("screens").index(2).attribute("id");
        assert_eq!(path.to_string(), "screens[2].id");
        let mut path = AttributePath::root().key("a\"b");
        path.prepend(PathStep::Attribute("tags".into()));
        assert_eq!(path.to_string(), r#"tags["a\"b"]"#);
        assert_eq!(AttributePath::root().to_string(), "");
    }

    #[test]
    fn a_diagnostic_path_stops_before_a_set_element() {
        let path = AttributePath::of("rules")
            .join(PathStep::SetElement(1))
            .attribute("port");
        assert_eq!(path.addressable(), AttributePath::of("rules"));
        let list = AttributePath::of("l").index(0).attribute("x");
        assert_eq!(list.addressable(), list);
    }
}
