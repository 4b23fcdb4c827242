//! The `cams` provider block: its schema and model, its validation and settings, the
//! diagnostics of credential failures, and what validation saw of its
//! `cust_space_id`.

pub mod credential_errors;
pub mod model;
pub mod schema;
pub mod settings;
pub mod space;
