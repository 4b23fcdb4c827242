//! The Alibaba Cloud client for CAMS. Knows nothing about Terraform.

pub mod credentials;
pub mod signature;
