pub mod local_emulator;
pub mod plugin_client;
pub mod terraform;
