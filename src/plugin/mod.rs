//! The Terraform plugin runtime. Knows nothing about Alibaba Cloud.

pub mod proto;
pub mod value;
