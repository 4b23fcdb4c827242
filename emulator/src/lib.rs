//! A local stand-in for Alibaba Cloud CAMS (see `cams-emulator`), for the
//! demo, end-to-end tests with real Terraform, benchmarks and users' CI.
//!
//! One HTTP listener serves:
//!
//! * `GET|POST /` — the RPC API: `GetFlowJSONAssest` (CAMS `2020-06-06`) and
//!   `AssumeRole` (STS `2015-04-01`), verified like Alibaba's gateway
//!   (common parameters, 15-minute timestamp window, HMAC-SHA1 signature
//!   over query ∪ form body, nonce replay, STS tokens), paced per
//!   AccessKeyId (`System.LimitControl` + `x-acs-retry-after`).
//! * `GET /oss/flows/<flow_id>.json?Expires=..&OSSAccessKeyId=..&Signature=..`
//!   — the presigned file URL handed out in `Data.FilePath`; serves the flow
//!   file byte-exact, OSS XML errors otherwise.
//! * `GET /_emulator/stats`, `POST /_emulator/reset` — counters for tests.
//!
//! Faults (`--fault FLOW_ID=SPEC`) make it misbehave on purpose.
//!
//! Not emulated: V3 (`ACS3-HMAC-SHA256`) signatures, `Format=XML` answers
//! (always JSON), `CustSpaceId` scoping (accepted and ignored).

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
pub mod timestamp;

pub use config::{
    AccessKey, CredentialParseError, EmulatorConfig, StsKey, DEMO_ACCESS_KEY_ID,
    DEMO_ACCESS_KEY_SECRET,
};
pub use fault::{Fault, FaultParseError, FaultRule, FlowSelector, MAX_LARGE_BYTES};
pub use flow_doc::large_flow;
pub use server::{start, RunningEmulator, StartError};
pub use stats::Stats;
