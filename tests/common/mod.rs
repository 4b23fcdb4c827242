pub mod https_static;
pub mod in_process_emulator;
pub mod local_emulator;
pub mod model_resource;
pub mod oidc;
pub mod plugin_client;
pub mod terraform;
pub mod test_provider;
