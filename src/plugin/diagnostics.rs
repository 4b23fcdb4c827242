//! Diagnostics: what the provider tells Terraform about problems.
//!
//! Terraform renders a diagnostic as a box with the summary as its title and
//! the detail as its body; with an attribute path it points at the exact line
//! of the configuration.

use std::fmt;

use super::value::DecodeError;

/// How serious a diagnostic is. Terraform only knows errors and warnings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

pub use super::value::{AttributePath, PathStep};

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

    /// Points the diagnostic at an attribute of the configuration (or at
    /// the set holding it: Terraform cannot address set elements). The root
    /// path means the whole block, i.e. no attribute.
    pub fn at(mut self, path: AttributePath) -> Self {
        let path = path.addressable();
        self.attribute = (!path.is_root()).then_some(path);
        self
    }

    /// A value Terraform sent that does not decode: a provider bug (or a
    /// schema mismatch), pointed at the attribute the codec stopped at.
    pub(crate) fn from_decode_error(summary: &str, error: &DecodeError) -> Self {
        Self::provider_bug(
            summary,
            format!("The value sent by Terraform could not be decoded: {error}."),
        )
        .at(error.path.clone())
    }

    /// An error that can only come from a bug in this provider.
    pub(crate) fn provider_bug(summary: impl Into<String>, detail: impl fmt::Display) -> Self {
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

    /// Adds an error about the whole block.
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::error(summary, detail));
    }

    /// Adds a warning about the whole block.
    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::warning(summary, detail));
    }

    /// Adds an error pointed at an attribute.
    pub fn attribute_error(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Diagnostic::error(summary, detail).at(path));
    }

    /// Adds a warning pointed at an attribute.
    pub fn attribute_warning(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Diagnostic::warning(summary, detail).at(path));
    }

    pub fn len(&self) -> usize {
        self.0.len()
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
    fn a_decode_error_points_at_its_attribute() {
        let ty = crate::plugin::value::Type::object([(
            "tags",
            crate::plugin::value::Type::map(crate::plugin::value::Type::Number),
        )]);
        let err = crate::plugin::value::decode_json(&ty, br#"{"tags":{"a":"x"}}"#).unwrap_err();
        let d = Diagnostic::from_decode_error("Invalid Configuration Value", &err);
        assert_eq!(d.attribute, Some(AttributePath::of("tags").key("a")));
        assert!(d.detail.contains("not a decimal number"), "{}", d.detail);
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
