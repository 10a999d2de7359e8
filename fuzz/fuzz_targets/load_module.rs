//! (a) Arbitrary bytes as a tasklet module: `Runtime::load` returns a
//! `LoadError` or a module; a module's tasklets then run with a little
//! fuel, a deadline and a small memory cap, and must return a result. The
//! same bytes go through the ABI's decoders, which must not panic either.
//!
//! Seeds: the built examples and the hand-written modules of
//! `fuzz/seeds.sh`; libFuzzer's mutations of a real module reach the
//! checks behind the parser (imports, exports, records, the rewrite).
#![no_main]

use std::time::{Duration, Instant};

use grafos::abi;
use grafos_runtime::RunOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    grafos_fuzz::tolerate_wasmi_translator_panics();
    let _ = abi::decode_records(data);
    let _ = abi::decode_error(data);

    let Ok(module) = grafos_fuzz::runtime().load(data) else {
        return;
    };
    for info in module.tasklets() {
        let options = RunOptions {
            fuel: Some(50_000),
            deadline: Some(Instant::now() + Duration::from_millis(500)),
            max_memory_bytes: Some(32 << 20),
            stack_bytes_per_lane: Some(grafos_runtime::MIN_STACK_BYTES_PER_LANE),
            // Records may ask for up to 256 lanes; 4 keeps one run short.
            workers: Some(4),
            ..RunOptions::default()
        };
        let _ = grafos_fuzz::run_checked(&module, &info.name, b"grafos fuzz input", options);
    }
});
