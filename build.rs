//! Compiles the plugin protocol definitions in `proto/` with a pure-Rust
//! protobuf compiler (protox), so a fresh machine needs no system `protoc`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "proto/tfplugin6.proto",
        "proto/tfplugin5.proto",
        "proto/grpc_controller.proto",
        "proto/grpc_stdio.proto",
        "proto/grpc_broker.proto",
    ];
    for f in &files {
        println!("cargo:rerun-if-changed={f}");
    }
    let fds = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure()
        // Unimplemented RPCs answer UNIMPLEMENTED, which Terraform tolerates.
        .generate_default_stubs(true)
        // The test client (tests/) plays Terraform core.
        .build_client(true)
        // No `connect()` helpers: the test client brings its own mTLS connector.
        .build_transport(false)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
