pub mod emulator_process;
pub mod plugin_client;
pub mod terraform;
pub mod test_provider;
