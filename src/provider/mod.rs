//! The `cams` provider: wires the plugin runtime to the Alibaba client.
