//! The flows domain: the `cams_flow` resource, the data sources that read
//! flows (`cams_flow`, `cams_flows`, `cams_flow_json`), the offline Flow
//! JSON rules and summary, and the functions built on them.

pub mod data_source;
pub mod functions;
mod id_checks;
pub mod json_data_source;
pub(crate) mod list_data_source;
mod preview_expiry;
pub mod resource;
pub mod rules;
pub mod summary;
