//! go-plugin's own services, which the host expects beside the provider:
//! the controller (Shutdown), stdio forwarding and the broker.

use std::pin::Pin;

use futures_util::Stream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use super::proto::go_plugin::{
    self as pb, grpc_broker_server, grpc_controller_server, grpc_stdio_server,
};

/// `plugin.GRPCController`: Shutdown asks the process to exit.
pub(crate) struct Controller {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _: Request<pb::Empty>) -> Result<Response<pb::Empty>, Status> {
        tracing::debug!(target: "provider", "shutdown requested by the host");
        self.shutdown.cancel();
        Ok(Response::new(pb::Empty {}))
    }
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// A stream that yields nothing and ends when the process shuts down.
fn quiet_stream<T: Send + 'static>(shutdown: CancellationToken) -> BoxStream<T> {
    Box::pin(futures_util::stream::once(async move {
        shutdown.cancelled().await;
        Err(Status::unavailable("plugin is shutting down"))
    }))
}

/// `plugin.GRPCStdio`: the host opens it once per connection. We never
/// write to stdout or stderr through it (logs go to stderr directly), so
/// the stream stays open and silent.
pub struct Stdio {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl grpc_stdio_server::GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _: Request<()>,
    ) -> Result<Response<BoxStream<pb::StdioData>>, Status> {
        Ok(Response::new(quiet_stream(self.shutdown.clone())))
    }
}

/// `plugin.GRPCBroker`: providers never broker extra connections; the host
/// opens the stream anyway, so keep it open and silent.
pub(crate) struct Broker {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl grpc_broker_server::GrpcBroker for Broker {
    async fn start_stream(
        &self,
        _: Request<Streaming<pb::ConnInfo>>,
    ) -> Result<Response<BoxStream<pb::ConnInfo>>, Status> {
        Ok(Response::new(quiet_stream(self.shutdown.clone())))
    }
}
