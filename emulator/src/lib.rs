//! A local stand-in for Alibaba Cloud CAMS (the WhatsApp Flow API), STS
//! `AssumeRole` and the OSS upload bucket, for the provider's demo, its
//! end-to-end tests with real Terraform, benchmarks and users' CI. The
//! crate's README (`emulator/README.md`) documents every operation, the
//! status rules and which of them are assumptions.
//!
//! One HTTP listener serves:
//!
//! * `GET|POST /`: the RPC API, the CAMS `2020-06-06` Flow operations
//!   (`flow_api`), the message template operations (`template_api`) and
//!   STS `2015-04-01` `AssumeRole`, verified like Alibaba's gateway
//!   (common parameters, 15-minute timestamp window, RPC V1 or V3
//!   signature, nonce replay, STS tokens) and paced per AccessKeyId and
//!   operation (`System.LimitControl` + `x-acs-retry-after`);
//! * `GET /oss/flows/<flow_id>.json?...`: the presigned `FilePath` of
//!   `GetFlowJSONAssest`, serving the flow's document byte-exact;
//! * `/<bucket>/<key>`: the upload bucket (`bucket`), OSS V1/V4 signatures
//!   with the credentials `GetChatappUploadAuthorization` issued;
//! * `GET /_emulator/stats` (and `/_stats`), `POST /_emulator/reset`;
//! * `POST /_emulator/templates/review`: decides a template's review at
//!   once (`template_api`);
//! * `GET /_emulator/flows`: every flow held (id, name, categories,
//!   status, space, endpoint, the stored Flow JSON and its SHA-256), read
//!   from the store itself, for tests that check what CAMS holds.
//!
//! Faults (`--fault TARGET=SPEC`) make it misbehave on purpose.

pub mod acs3_signature;
mod api;
mod auth;
mod bucket;
pub mod cli;
mod config;
mod fault;
mod files;
mod flow_api;
mod flow_doc;
pub mod flows;
mod limiter;
pub mod oidc;
mod operations;
mod oss;
pub mod oss_auth;
pub mod oss_signature;
mod params;
mod pop;
pub mod rpc_signature;
mod server;
mod state;
mod state_file;
mod stats;
mod sts;
mod template_api;
mod template_rules;
mod templates;
pub mod timestamp;

pub use config::MAX_UPLOAD_TTL;
pub use config::{
    AccessKey, CredentialParseError, EmulatorConfig, StsKey, DEMO_ACCESS_KEY_ID,
    DEMO_ACCESS_KEY_SECRET,
};
pub use fault::{Fault, FaultParseError, FaultRule, FlowSelector, MAX_LARGE_BYTES};
pub use flow_doc::large_flow;
pub use flow_doc::MAX_JSON_NESTING;
pub use server::{start, RunningEmulator, StartError};
pub use stats::Stats;
pub use templates::Review;
