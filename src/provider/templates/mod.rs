//! WhatsApp message templates: the `cams_chatapp_template` resource,
//! written on typed models (`crate::plugin::model`).
//!
//! * [`schema`]: the arguments and the values they may take.
//! * [`model`]: the template as a plan or state, and as CAMS components.
//! * [`checks`]: Meta's rules, checked at plan time with attribute paths.
//! * [`plan`]: in place, replaced, or refused (a deleted name is blocked).
//! * [`resource`]: create, read, update, delete, import.
//! * [`approval`]: `cams_chatapp_template_approval`, the wait for Meta.
//! * [`data_sources`]: `cams_chatapp_template` and `cams_chatapp_templates`.
//! * [`errors`]: failed template calls as diagnostics.

pub mod approval;
pub mod checks;
pub mod data_sources;
mod errors;
pub mod model;
mod plan;
pub mod resource;
pub mod schema;

pub(crate) use approval::ApprovalResource;
pub(crate) use data_sources::{TemplateDataSource, TemplatesDataSource};
pub(crate) use resource::TemplateResource;
pub use schema::template_schema;
