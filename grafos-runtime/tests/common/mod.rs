//! What the integration tests share: the test guest, built for wasm32 once
//! per test binary, and a runtime.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::sync::OnceLock;

use grafos_build::{BuildOptions, build};
use grafos_runtime::{Runtime, RuntimeConfig, TaskletModule};

/// The test guest's wasm module (`tests/guest`), built with `grafos build`'s
/// library on first use.
pub fn guest_wasm() -> &'static [u8] {
    static WASM: OnceLock<Vec<u8>> = OnceLock::new();
    WASM.get_or_init(|| {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guest/Cargo.toml");
        let built = build(&BuildOptions {
            manifest_path: Some(manifest),
            ..BuildOptions::default()
        })
        .unwrap_or_else(|e| panic!("building the test guest for wasm32 failed: {e}"));
        std::fs::read(&built.module).expect("the built module is readable")
    })
}

/// The runtime every test of a binary shares.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new(RuntimeConfig::default()))
}

/// The test guest, loaded.
pub fn guest() -> &'static TaskletModule {
    static MODULE: OnceLock<TaskletModule> = OnceLock::new();
    MODULE.get_or_init(|| runtime().load(guest_wasm()).expect("the test guest loads"))
}
