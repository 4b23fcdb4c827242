//! Diagnostics: what the provider tells Terraform about problems.
//!
//! Terraform renders a diagnostic as a box with the summary as its title and
//! the detail as its body; with an attribute path it points at the exact line
//! of the configuration.

use std::fmt;

/// How serious a diagnostic is. Terraform only knows errors and warnings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One step of an attribute path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// An attribute or nested block of an object.
    Attribute(String),
    /// A map element (or MAP block) by key.
    ElementKeyString(String),
    /// A list or tuple element (or LIST block) by index.
    ElementKeyInt(i64),
}

/// Where in the configuration a diagnostic applies, e.g. `assume_role[0].role_arn`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributePath {
    pub steps: Vec<PathStep>,
}

impl AttributePath {
    /// A path to a top-level attribute.
    pub fn root(name: impl Into<String>) -> Self {
        Self {
            steps: vec![PathStep::Attribute(name.into())],
        }
    }

    /// Extends the path with an attribute or block name.
    pub fn attribute(mut self, name: impl Into<String>) -> Self {
        self.steps.push(PathStep::Attribute(name.into()));
        self
    }

    /// Extends the path with a list index.
    pub fn index(mut self, i: i64) -> Self {
        self.steps.push(PathStep::ElementKeyInt(i));
        self
    }

    /// Extends the path with a map key.
    pub fn key(mut self, k: impl Into<String>) -> Self {
        self.steps.push(PathStep::ElementKeyString(k.into()));
        self
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => write!(f, "{name}")?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::ElementKeyString(k) => write!(f, "[{k:?}]")?,
                PathStep::ElementKeyInt(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A problem (or warning) reported to Terraform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Short Title Case phrase, no trailing period.
    pub summary: String,
    /// Full sentences: what failed, why, and what to do about it.
    pub detail: String,
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(summary, detail)
        }
    }

    /// Points the diagnostic at an attribute of the configuration.
    pub fn at(mut self, path: AttributePath) -> Self {
        self.attribute = Some(path);
        self
    }

    /// An error that can only come from a bug in this provider.
    pub fn provider_bug(summary: impl Into<String>, detail: impl fmt::Display) -> Self {
        Self::error(
            summary,
            format!(
                "{detail}\n\nThis is always an issue with the provider and should be reported to the provider developers."
            ),
        )
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// An ordered collection of diagnostics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Self(vec![d])
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(v: Vec<Diagnostic>) -> Self {
        Self(v)
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_like_terraform_addresses() {
        let p = AttributePath::root("assume_role")
            .index(0)
            .attribute("role_arn");
        assert_eq!(p.to_string(), "assume_role[0].role_arn");
        assert_eq!(
            AttributePath::root("tags").key("a b").to_string(),
            "tags[\"a b\"]"
        );
    }

    #[test]
    fn errors_are_counted_and_warnings_are_not() {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::warning("Deprecated", "x"));
        assert!(!d.has_errors());
        d.push(Diagnostic::error("Bad", "y"));
        assert!(d.has_errors());
    }
}
