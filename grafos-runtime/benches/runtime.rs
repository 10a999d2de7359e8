//! The runtime's costs, each against a baseline measured in the same run:
//!
//! - `kernel/*`: one hash kernel on 256 KiB ([`grafos_test_guest::mix`]):
//!   natively on the host mock with 1 data lane, as a full runtime launch,
//!   and as a direct call of the kernel's export on raw wasmi (same engine
//!   settings: fuel metering, eager compilation). Runtime over raw wasmi is
//!   the runtime's overhead.
//! - `barrier/round_4_lanes*`: the cost of one barrier round of 4 data
//!   lanes: a launch of N rounds minus a launch of 0, divided by N; in the
//!   default lane order, with a trace recorded (`_traced`: what tracing
//!   costs), and in the reversed and seeded orders the cross-target test
//!   also runs (what a lane order costs).
//! - `cold_start/*`: load (check, instrument, compile) + instantiate + run
//!   of a small tasklet (`tests/guest-small`, 40 KB), against wasmi's own
//!   eager compilation of the same module; and of the 120 KB test guest;
//!   instantiate + run alone, without and with a trace.
//!
//! `cargo bench -p grafos-runtime --bench runtime`

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use grafos_abi as abi;
use grafos_build::{BuildOptions, build};
use grafos_runtime::trace::TraceSink;
use grafos_runtime::{LaneOrder, RunOptions, Runtime, RuntimeConfig};
use wasmi::{CompilationMode, Config, Engine, Linker, Module, Store, Val};

fn guest_wasm(dir: &str) -> Vec<u8> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(dir)
        .join("Cargo.toml");
    let built = build(&BuildOptions {
        manifest_path: Some(manifest),
        ..BuildOptions::default()
    })
    .expect("building the test guest");
    std::fs::read(built.module).expect("reading the test guest")
}

const KERNEL_INPUT: usize = 256 << 10;

/// The kernel export on raw wasmi: one instance, the input written once, a
/// call per iteration.
struct RawKernel {
    store: Store<()>,
    mix: wasmi::TypedFunc<(i32, i32), i64>,
    ptr: i32,
    len: i32,
}

impl RawKernel {
    fn new(wasm: &[u8], input: &[u8]) -> Self {
        let mut config = Config::default();
        config
            .consume_fuel(true)
            .compilation_mode(CompilationMode::Eager);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wasm).unwrap();
        let mut linker = Linker::<()>::new(&engine);
        // The kernel calls no import; stubs satisfy the module's imports.
        for import in module.imports() {
            let ty = import.ty().func().expect("function imports").clone();
            linker
                .func_new(abi::IMPORT_MODULE, import.name(), ty, |_, _, results| {
                    for r in results {
                        *r = Val::I32(0);
                    }
                    Ok(())
                })
                .unwrap();
        }
        let mut store = Store::new(&engine, ());
        store.set_fuel(u64::MAX / 2).unwrap();
        let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
        let alloc = instance
            .get_typed_func::<(i32, i32), i32>(&store, abi::export::ALLOC)
            .unwrap();
        let ptr = alloc.call(&mut store, (input.len() as i32, 16)).unwrap();
        let memory = instance.get_memory(&store, "memory").unwrap();
        memory.write(&mut store, ptr as usize, input).unwrap();
        let mix = instance
            .get_typed_func::<(i32, i32), i64>(&store, "bench_mix")
            .unwrap();
        Self {
            store,
            mix,
            ptr,
            len: input.len() as i32,
        }
    }

    fn run(&mut self) -> u64 {
        self.store.set_fuel(u64::MAX / 2).unwrap();
        self.mix
            .call(&mut self.store, (self.ptr, self.len))
            .unwrap() as u64
    }
}

fn benches(c: &mut Criterion) {
    let wasm = guest_wasm("tests/guest");
    let small = guest_wasm("tests/guest-small");
    let runtime = Runtime::new(RuntimeConfig::default());
    let module = runtime.load(&wasm).unwrap();
    let input: Vec<u8> = (0..KERNEL_INPUT).map(|i| (i * 31 + i / 7) as u8).collect();
    let expected = grafos_test_guest::mix(&input).to_le_bytes();

    // The three ways agree before they are timed.
    let mut raw = RawKernel::new(&wasm, &input);
    assert_eq!(raw.run().to_le_bytes(), expected);
    assert_eq!(
        module
            .run("kernel", &input, RunOptions::default())
            .unwrap()
            .output(),
        expected
    );
    assert_eq!(
        grafos_test_guest::kernel(&input).unwrap().output(),
        expected
    );

    let mut group = c.benchmark_group("kernel");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("host_mock_1_lane", |b| {
        b.iter(|| grafos_test_guest::kernel(black_box(&input)).unwrap())
    });
    group.bench_function("runtime_launch", |b| {
        b.iter(|| {
            module
                .run("kernel", black_box(&input), RunOptions::default())
                .unwrap()
        })
    });
    group.bench_function("raw_wasmi_call", |b| b.iter(|| raw.run()));
    group.finish();

    const ROUNDS: u32 = 2_000;
    let sink = TraceSink::new();
    let rounds = |n: u32, lane_order: LaneOrder, traced: bool| {
        // Dropping the last launch's trace is not timed.
        drop(sink.take());
        let started = Instant::now();
        let options = RunOptions {
            lane_order,
            trace: traced.then(|| sink.clone()),
            ..RunOptions::default()
        };
        let result = module
            .run("barrier_rounds", &n.to_le_bytes(), options)
            .unwrap();
        assert_eq!(result.barrier_rounds(), u64::from(n));
        started.elapsed()
    };
    let mut group = c.benchmark_group("barrier");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    // The default order, then the cross-target test's other two: what a
    // lane order costs per round.
    // And with a trace recorded (`RunOptions::trace`): what tracing costs.
    for (name, order, traced) in [
        ("round_4_lanes", LaneOrder::InOrder, false),
        ("round_4_lanes_traced", LaneOrder::InOrder, true),
        ("round_4_lanes_reversed", LaneOrder::Reversed, false),
        ("round_4_lanes_seeded", LaneOrder::Seeded(7), false),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut per_round = Duration::ZERO;
                for _ in 0..iters {
                    let with = rounds(ROUNDS, order, traced);
                    let without = rounds(0, order, traced);
                    per_round += with.saturating_sub(without) / ROUNDS;
                }
                per_round
            })
        });
    }
    group.finish();

    let expected = grafos_test_guest_small::count(b"cold").unwrap();
    let small_module = runtime.load(&small).unwrap();
    assert_eq!(
        small_module
            .run("count", b"cold", RunOptions::default())
            .unwrap()
            .output(),
        expected.output()
    );
    let mut config = Config::default();
    config
        .consume_fuel(true)
        .compilation_mode(CompilationMode::Eager);
    let engine = Engine::new(&config);
    let mut group = c.benchmark_group("cold_start");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("small_load_compile_instantiate_run", |b| {
        b.iter(|| {
            let module = runtime.load(black_box(&small)).unwrap();
            module.run("count", b"cold", RunOptions::default()).unwrap()
        })
    });
    group.bench_function("small_raw_wasmi_compile", |b| {
        b.iter(|| Module::new(&engine, black_box(&small)).unwrap())
    });
    group.bench_function("small_instantiate_run", |b| {
        b.iter(|| {
            small_module
                .run("count", b"cold", RunOptions::default())
                .unwrap()
        })
    });
    let traced = RunOptions {
        trace: Some(TraceSink::new()),
        ..RunOptions::default()
    };
    group.bench_function("small_instantiate_run_traced", |b| {
        b.iter(|| {
            let result = small_module.run("count", b"cold", traced.clone()).unwrap();
            drop(traced.trace.as_ref().unwrap().take());
            result
        })
    });
    group.bench_function("test_guest_load_compile_instantiate_run", |b| {
        b.iter(|| {
            let module = runtime.load(black_box(&wasm)).unwrap();
            module.run("sum", b"cold", RunOptions::default()).unwrap()
        })
    });
    group.finish();
}

criterion_group!(runtime_benches, benches);
criterion_main!(runtime_benches);
