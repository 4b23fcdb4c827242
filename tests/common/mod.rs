pub mod https_static;
pub mod local_emulator;
pub mod plugin_client;
pub mod terraform;
pub mod test_provider;
