//! Where inside a value something went wrong, e.g. `.screens[2].id`.

use std::fmt;

use super::ty::Type;

/// One step from a value into one of its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// An object attribute: `.name`.
    Attribute(String),
    /// A list or tuple element: `[2]`.
    Index(u64),
    /// A set element, by its position on the wire: `[2]`. Terraform cannot
    /// address set elements in diagnostics, so a diagnostic path should stop
    /// before this step.
    SetElement(u64),
    /// A map element: `["key"]`.
    Key(String),
}

/// A sequence of steps from the root value. Displays like cty paths:
/// `.screens[2].id`, `.tags["env"]`; the root is the empty string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path {
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

impl Path {
    /// The root value.
    pub fn root() -> Path {
        Path::default()
    }

    /// Whether this is the root.
    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// The steps, outermost first.
    pub fn steps(&self) -> &[PathStep] {
        &self.steps
    }

    /// This path extended by one step.
    pub fn join(mut self, step: PathStep) -> Path {
        self.steps.push(step);
        self
    }

    /// Puts `step` in front: errors are built innermost first and collect
    /// their path while they travel up the recursion.
    pub(crate) fn prepend(&mut self, step: PathStep) {
        self.steps.insert(0, step);
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.steps {
            match step {
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
    fn displays_like_cty() {
        let path = Path::root()
            .join(PathStep::Attribute("screens".into()))
            .join(PathStep::Index(2))
            .join(PathStep::Attribute("id".into()));
        assert_eq!(path.to_string(), ".screens[2].id");
        let mut path = Path::root().join(PathStep::Key("a\"b".into()));
        path.prepend(PathStep::Attribute("tags".into()));
        assert_eq!(path.to_string(), r#".tags["a\"b"]"#);
        assert_eq!(Path::root().to_string(), "");
    }
}
