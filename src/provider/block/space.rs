//! Whether the provider block sets `cust_space_id`, as its validation saw
//! it, so that `cams_flow` can report a missing space at `terraform
//! validate` instead of at plan.
//!
//! A warning, not an error: validation cannot tell a flow to be created
//! (which the plan refuses without a space) from one already in the state,
//! say imported by its FlowId alone, which may keep its name, categories and
//! status without one; only uploading Flow JSON needs the space.
//!
//! What Terraform does (seen in its logs, 1.0.3 and 1.11.4 alike): each
//! provider block (alias) runs in a plugin process of its own; in
//! `validate` it calls ValidateProviderConfig before ValidateResourceConfig
//! of the resources that use the block, in the same process, except for a
//! block with no arguments (empty, alias only, or absent), which it does
//! not send at all; in `plan` and `apply` ConfigureProvider comes first. So
//! a resource validated in a process that has seen neither call belongs to
//! a provider block without arguments: no `cust_space_id` either. A value
//! still unknown is not reported: the plan checks it again.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::plugin::{Attr, AttributePath, Diagnostic, Diagnostics};

/// The summary of the error, as the plan reports it too (flows/resource/plan.rs).
pub(crate) const MISSING_SPACE_SUMMARY: &str = "Missing Cust Space ID";
/// Why a flow needs a space, and where to set it.
pub(crate) const MISSING_SPACE_DETAIL: &str = "A flow belongs to a CAMS space, and its Flow JSON is uploaded to that space's storage (CAMS hands out upload credentials per space): set cust_space_id in the provider block (the ISV sub-customer space ID, or a direct customer's instance ID), or on the resource.";
/// What happens without one, for the warning at validate.
const WITHOUT_SPACE: &str =
    "Without one, creating this flow fails at plan, and changing its content fails at apply.";

/// One of the states below.
#[derive(Debug, Default)]
pub(crate) struct ProviderSpace(AtomicU8);

/// Neither ValidateProviderConfig nor ConfigureProvider seen: a provider
/// block without arguments.
const NO_PROVIDER_ARGUMENTS: u8 = 0;
const ABSENT: u8 = 1;
const SET_OR_UNKNOWN: u8 = 2;

impl ProviderSpace {
    /// Records the `cust_space_id` of the provider block being validated
    /// or configured.
    pub(crate) fn record(&self, cust_space_id: &Attr<String>) {
        let seen = match cust_space_id {
            // An empty or blank string counts as unset, as for every
            // provider argument.
            Attr::Null => ABSENT,
            Attr::Known(s) if s.trim().is_empty() => ABSENT,
            _ => SET_OR_UNKNOWN,
        };
        self.0.store(seen, Ordering::Relaxed);
    }

    /// A `cams_flow` without its own `cust_space_id`, under a provider block
    /// known to have none, gets a warning on the resource's `cust_space_id`
    /// (`at`).
    pub(crate) fn check_resource(
        &self,
        cust_space_id: &Attr<String>,
        at: AttributePath,
        diags: &mut Diagnostics,
    ) {
        let provider_lacks_it = matches!(
            self.0.load(Ordering::Relaxed),
            NO_PROVIDER_ARGUMENTS | ABSENT
        );
        if provider_lacks_it && cust_space_id.is_null() {
            diags.push(
                Diagnostic::warning(
                    MISSING_SPACE_SUMMARY,
                    format!("{MISSING_SPACE_DETAIL} {WITHOUT_SPACE}"),
                )
                .at(at),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Attr<String> {
        Attr::Known(s.to_owned())
    }

    fn at() -> AttributePath {
        AttributePath::of("cust_space_id")
    }

    fn warnings(provider: Option<Attr<String>>, resource: Attr<String>) -> usize {
        let known = ProviderSpace::default();
        if let Some(value) = provider {
            known.record(&value);
        }
        let mut diags = Diagnostics::new();
        known.check_resource(&resource, at(), &mut diags);
        assert!(!diags.has_errors(), "a warning, never an error: {diags:?}");
        diags.len()
    }

    #[test]
    fn reported_only_when_both_are_known_to_lack_it() {
        assert_eq!(warnings(Some(Attr::Null), Attr::Null), 1);
        assert_eq!(warnings(Some(text("  ")), Attr::Null), 1);
        assert_eq!(warnings(Some(Attr::Null), text("cams-1")), 0);
        assert_eq!(warnings(Some(text("cams-1")), Attr::Null), 0);
        assert_eq!(warnings(Some(Attr::Unknown), Attr::Null), 0);
        assert_eq!(warnings(Some(Attr::Null), Attr::Unknown), 0);
        // A provider block without arguments, which Terraform does not
        // send for validation.
        assert_eq!(warnings(None, Attr::Null), 1);
        assert_eq!(warnings(None, text("cams-1")), 0);
    }

    #[test]
    fn the_error_points_at_the_resource_argument() {
        let known = ProviderSpace::default();
        known.record(&Attr::Null);
        let mut diags = Diagnostics::new();
        known.check_resource(&Attr::Null, at(), &mut diags);
        let shown = format!("{diags:?}");
        assert!(shown.contains(MISSING_SPACE_SUMMARY), "{shown}");
        assert!(shown.contains("cust_space_id"), "{shown}");
    }
}
