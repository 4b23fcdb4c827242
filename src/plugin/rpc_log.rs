//! Per-RPC trace logging in the shape terraform-plugin-go uses
//! ("Received request" / "Served request" under module `sdk.proto`), so
//! provider logs read like those of Go providers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

static NEXT_REQUEST_ID: AtomicU64 = AtomicU64::new(1);

/// Logs the start of an RPC now and its end (with duration) when dropped.
pub(crate) struct RpcLog {
    rpc: &'static str,
    proto: u8,
    req_id: u64,
    data_source: Option<String>,
    resource: Option<String>,
    started: Instant,
}

impl RpcLog {
    pub fn start(rpc: &'static str, proto: u8) -> Self {
        let req_id = NEXT_REQUEST_ID.fetch_add(1, Ordering::Relaxed);
        tracing::trace!(target: "sdk.proto", tf_rpc = rpc, tf_proto_version = proto, tf_req_id = req_id, "Received request");
        Self {
            rpc,
            proto,
            req_id,
            data_source: None,
            resource: None,
            started: Instant::now(),
        }
    }

    /// Adds the data source type to the end-of-request line.
    pub fn data_source(mut self, type_name: &str) -> Self {
        self.data_source = Some(type_name.to_owned());
        self
    }
}

impl RpcLog {
    /// Adds the resource type to the end-of-request line.
    pub fn resource(mut self, type_name: &str) -> Self {
        self.resource = Some(type_name.to_owned());
        self
    }
}

impl Drop for RpcLog {
    fn drop(&mut self) {
        let ms = self.started.elapsed().as_secs_f64() * 1000.0;
        tracing::trace!(
            target: "sdk.proto",
            tf_rpc = self.rpc,
            tf_proto_version = self.proto,
            tf_req_id = self.req_id,
            tf_data_source_type = self.data_source.as_deref().unwrap_or(""),
            tf_resource_type = self.resource.as_deref().unwrap_or(""),
            tf_req_duration_ms = ms,
            "Served request"
        );
    }
}
