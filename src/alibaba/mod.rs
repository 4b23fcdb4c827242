//! The Alibaba Cloud client for CAMS. Knows nothing about Terraform.
//!
//! * [`client`]: [`CamsClient`] — `GetFlowJSONAssest` (signed, paced,
//!   retried) and the download of the Flow JSON file.
//! * [`api_response`]: the pure parser of `GetFlowJSONAssest` answers.
//! * [`download`]: the file download and the OSS error parser.
//! * [`endpoint`]: endpoint overrides, region endpoints, URL redaction.
//! * [`error_codes`]: which error codes are retried, and hints for users.
//! * [`pacing`]: the process-wide rate limiters, one per AccessKeyId.
//! * [`retry`]: the backoff loop shared by API calls and downloads.
//! * [`http`]: the shared HTTP client and body/transport helpers.
//! * [`credentials`], [`signature`]: credentials and the RPC V1 signer.

pub mod adaptive_rate;
pub mod api_response;
pub mod client;
pub mod config;
pub mod credentials;
pub mod download;
pub mod endpoint;
pub mod error_codes;
pub mod host_budget;
pub mod http;
pub mod limiter;
pub mod pacing;
pub mod redact;
pub mod retry;
pub mod signature;

pub use api_response::{parse_get_flow_json_response, ApiError, FlowJsonAsset, ServiceError};
pub use client::{CamsClient, CamsError, ClientError, FetchError, FlowJsonFile};
pub use config::ClientConfig;
pub use download::{parse_oss_error, DownloadError, Downloaded, OssError};
pub use endpoint::{parse_endpoint, EndpointError};
pub use retry::GiveUp;
