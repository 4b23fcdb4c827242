//! terraform-provider-cams: a Terraform/OpenTofu provider for Alibaba Cloud
//! Chat App Message Service (CAMS), written in Rust.
//!
//! The crate is three layers that only meet in `provider`:
//!
//! * [`plugin`]: the Terraform plugin runtime (go-plugin handshake, AutoMTLS,
//!   gRPC protocol 6 and 5, the msgpack value codec, schemas, diagnostics).
//!   It knows nothing about Alibaba Cloud.
//! * [`alibaba`]: the Alibaba Cloud client (RPC signatures, credentials,
//!   pacing, retries, the Flow JSON download). It knows nothing about Terraform.
//! * [`provider`]: the `cams` provider and its `cams_flow_json` data source,
//!   wiring the two together.
//!
//! The local CAMS emulator used by the demo and the tests is a crate of its
//! own (`emulator/`, `cams_emulator`), so this crate links no HTTP server.

pub mod alibaba;
pub mod json_position;
pub mod plugin;
pub mod provider;
