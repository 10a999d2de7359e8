//! `all_reduce` (one barrier round per reduction) against the hand-written
//! reduction it replaces (partials in the shared region, a barrier, a fold
//! in lane order, a second barrier before the partials are reused), of a
//! `u64` and of an `f64`, at 3 and 9 data lanes, on the host mock and in
//! the runtime, in one run. Each iteration is one reduction: a launch of N
//! reductions, timed whole (criterion's N is large enough that the launch
//! itself is noise).
//!
//! `cargo bench -p grafos-fidelity --bench collectives`; figures in
//! `docs/PERFORMANCE.md`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use grafos::cpu::{SharedTaskletResult, TaskletError};
use grafos::fidelity::{self, BuildOptions, TaskletModule};
use grafos_fidelity::collectives::{
    bench_all_reduce_f64, bench_all_reduce_u64, bench_hand_f64, bench_hand_u64,
};
use grafos_runtime::RunOptions;

type Host = fn(usize, &[u8]) -> Result<SharedTaskletResult, TaskletError>;

macro_rules! host {
    ($m:ident) => {
        |workers: usize, input: &[u8]| {
            $m::run_host_with($m::builder().workers(workers).cores(2).input(input))
        }
    };
}

/// Each case: its name in the figures, its tasklet, its host runner.
const CASES: [(&str, &str, Host); 4] = [
    (
        "u64/all_reduce",
        "bench_all_reduce_u64",
        host!(bench_all_reduce_u64),
    ),
    ("u64/hand_written", "bench_hand_u64", host!(bench_hand_u64)),
    (
        "f64/all_reduce",
        "bench_all_reduce_f64",
        host!(bench_all_reduce_f64),
    ),
    ("f64/hand_written", "bench_hand_f64", host!(bench_hand_f64)),
];

fn wasm() -> TaskletModule {
    let options = BuildOptions {
        manifest_path: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")),
        ..BuildOptions::default()
    };
    fidelity::build_and_load(&options).unwrap_or_else(|e| panic!("{e}"))
}

fn rounds(iters: u64) -> Vec<u8> {
    u32::try_from(iters)
        .unwrap_or(u32::MAX)
        .to_le_bytes()
        .to_vec()
}

fn reductions(c: &mut Criterion) {
    let module = wasm();
    for lanes in [3usize, 9] {
        let mut group = c.benchmark_group(format!("all_reduce/{lanes}_lanes"));
        group.measurement_time(Duration::from_secs(4));
        for (name, tasklet, host) in CASES {
            group.bench_function(format!("host/{name}"), |b| {
                b.iter_custom(|iters| {
                    let input = rounds(iters);
                    let start = Instant::now();
                    host(lanes + 1, &input).unwrap();
                    start.elapsed()
                });
            });
            group.bench_function(format!("runtime/{name}"), |b| {
                b.iter_custom(|iters| {
                    let input = rounds(iters);
                    let options = RunOptions {
                        workers: Some(lanes as u32 + 1),
                        ..RunOptions::default()
                    };
                    let start = Instant::now();
                    module.run(tasklet, &input, options).unwrap();
                    start.elapsed()
                });
            });
        }
        group.finish();
    }
}

criterion_group!(benches, reductions);
criterion_main!(benches);
