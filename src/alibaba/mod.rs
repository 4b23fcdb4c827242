//! The Alibaba Cloud client for CAMS. Knows nothing about Terraform.
//!
//! * [`client`]: [`CamsClient`] — one signed, paced, retried call for any
//!   Flow operation; [`flow_api`] the typed operations and the download of
//!   the Flow JSON file.
//! * [`lost_create`]: a `CreateFlow` whose answer is lost, and the search
//!   for the flow it may have created.
//! * [`upload`]: the upload of a Flow JSON document to OSS
//!   (`upload_flow_json`, `set_flow_json`); [`upload_authorization`] the
//!   STS credentials CAMS hands out for it and their cache;
//!   [`oss_endpoint`] the bucket's address; [`oss_signature`] the signer.
//! * [`operations`]: the operations, their action names and rate table.
//! * [`api_response`]: the pure parser of the common answer envelope;
//!   [`flows`] the typed results read from it.
//! * [`download`]: the file download and the OSS error parser.
//! * [`endpoint`]: endpoint overrides, region endpoints, URL redaction.
//! * [`error_codes`]: which error codes are retried, and hints for users.
//! * [`pacing`]: the process-wide rate limiters, one per AccessKeyId and
//!   operation; each a [`limiter`] combining the [`host_budget`] shared
//!   with the user's other provider processes and the [`adaptive_rate`].
//! * [`retry`]: the backoff loop shared by API calls and downloads.
//! * [`http`]: the shared HTTP client and body/transport helpers.
//! * [`template_api`]: the typed message template operations (create,
//!   modify, get, list, delete); [`templates`] the components and the
//!   typed results.
//! * [`credentials`], [`signature`], [`acs3_signature`], [`rpc_query`]:
//!   credentials, the RPC V1 and V3 signers and the signed request shared by
//!   CAMS and STS.

pub mod acs3_signature;
pub mod adaptive_rate;
pub mod api_response;
pub mod client;
pub mod config;
pub mod credentials;
pub mod download;
pub mod endpoint;
pub mod error_codes;
pub mod flow_api;
pub mod flows;
pub mod host_budget;
pub mod http;
pub mod limiter;
pub mod limiters;
pub mod lost_create;
pub mod operations;
pub mod oss_endpoint;
pub mod oss_signature;
pub mod pacing;
pub(crate) mod redact;
pub mod retry;
pub mod rpc_query;
pub mod signature;
pub mod template_api;
pub mod templates;
pub mod upload;
pub mod upload_authorization;

pub use api_response::{
    parse_envelope, parse_get_flow_json_response, ApiError, Envelope, FlowJsonAsset, ServiceError,
};
pub use client::{CamsClient, CamsError, ClientError};
pub use config::ClientConfig;
pub use download::{parse_oss_error, DownloadError, Downloaded, OssError};
pub use endpoint::{parse_endpoint, EndpointError};
pub use flow_api::{FetchError, FlowChanges, FlowJsonFile, NewFlow};
pub use flows::{CreatedFlow, Done, Flow, FlowPreview, FlowStatus, FlowSummary, ModifiedFlow};
pub use lost_create::{CreateFlowError, LostAnswer};
pub use operations::Operation;
pub use retry::GiveUp;
pub use template_api::{NewTemplate, TemplateChanges, TemplateFilter, TemplateKey, TemplateRef};
pub use templates::{
    AuditStatus, Button, Component, CreatedTemplate, ModifiedTemplate, SupportedApp, Template,
    TemplateSummary,
};
pub use upload::{SetFlowJsonError, UploadAuthorization, UploadError, UploadedFlowJson};
