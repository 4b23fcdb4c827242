pub mod cams_server;
pub mod https_static;
pub mod local_emulator;
pub mod model_resource;
pub mod oidc;
pub mod plugin_client;
pub mod terraform;
pub mod test_provider;
