//! What the fuzz targets share: the runtime they load into, and the
//! invariants every launch must keep.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use grafos_runtime::{RunOptions, Runtime, RuntimeConfig, TaskletError, TaskletModule};

/// The runtime every target loads into: one pool thread (the targets run
/// launches on their own threads), default limits.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Runtime::new(RuntimeConfig {
            threads: 1,
            ..RuntimeConfig::default()
        })
    })
}

/// How late a launch may return after its deadline: the runtime checks the
/// deadline at every fuel slice (about a millisecond of interpretation) and
/// at every lane switch; the rest is slack for a machine shared with builds
/// and a binary instrumented for coverage.
pub const DEADLINE_SLACK: Duration = Duration::from_secs(2);

/// Launches with at most this much fuel are held to [`FUEL_TIME_BOUND`].
pub const TIMED_FUEL: u64 = 1_000_000;

/// How long a launch of at most [`TIMED_FUEL`] fuel may take, grace fuel
/// (up to 8 lanes here), instantiation and a busy machine included: fuel
/// must bound all the work a launch does, host functions' work too.
/// Interpreting two million instructions, or copying 128 MB at 64 bytes a
/// unit, takes tens of milliseconds.
pub const FUEL_TIME_BOUND: Duration = Duration::from_millis(500);

/// Runs tasklet `name` and checks what every launch promises whatever the
/// guest does: a result, never a panic (libFuzzer's panic hook aborts on
/// any, even one the runtime catches), returned by the deadline and in a
/// time its fuel bounds, with an output within its caps.
pub fn run_checked(
    module: &TaskletModule,
    name: &str,
    input: &[u8],
    options: RunOptions,
) -> Result<grafos_runtime::SharedTaskletResult, TaskletError> {
    let started = Instant::now();
    let deadline = options.deadline;
    let options_fuel = options.fuel;
    let cap = options.max_memory_bytes;
    let max_output = options.max_output_bytes;
    // On a thread with a large stack: coverage and ASan instrumentation
    // keep LLVM from turning wasmi's handler tail calls into jumps, so in a
    // fuzz build every wasm call nests a native frame, and a guest's deep
    // recursion overflowed the main thread's 8 MiB (an ASan replay showed
    // it; the shipped build runs the same guest in 32 KiB, and
    // `deep_guest_recursion_needs_no_native_stack` in grafos-runtime's
    // tests/abi.rs holds it to that). 1 GiB of address space is only
    // reserved, not used. Builds that must stay instrumented outside
    // fuzzing use the runtime's `portable-dispatch` feature instead.
    let result = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn_scoped(scope, || module.run(name, input, options))
            .expect("a launch thread starts")
            .join()
            .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
    });
    if verbose() {
        eprintln!("{name}: {result:?}");
    }
    let elapsed = started.elapsed();
    if options_fuel.is_some_and(|fuel| fuel <= TIMED_FUEL) {
        assert!(
            elapsed <= FUEL_TIME_BOUND,
            "a launch of at most {TIMED_FUEL} fuel ran {elapsed:?}: some work is not metered"
        );
    }
    if let Some(deadline) = deadline {
        let now = Instant::now();
        assert!(
            now <= deadline.max(started) + DEADLINE_SLACK,
            "the launch returned {:?} after its deadline",
            now - deadline
        );
    }
    // The runtime's own failures need no check by message here (a guest
    // can report any error, the runtime's texts included, through `fail`):
    // a caught panic is already a crash (libFuzzer's panic hook aborts
    // first), and a lane stopped without a recorded cause trips a debug
    // assertion in the scheduler, which the fuzz profile builds with.
    if let Ok(out) = &result {
        if let Some(cap) = cap {
            assert!(
                out.output().len() <= cap,
                "output larger than the memory cap"
            );
        }
        if let Some(max) = max_output {
            assert!(out.output().len() <= max, "output larger than its cap");
        }
    }
    result
}

/// Whether `GRAFOS_FUZZ_VERBOSE` is set: the targets then print each
/// launch's result, to see what a corpus reaches (`-runs=0` replays one).
pub fn verbose() -> bool {
    static VERBOSE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *VERBOSE.get_or_init(|| std::env::var_os("GRAFOS_FUZZ_VERBOSE").is_some())
}

/// Lets panics of wasmi's function translator unwind instead of aborting.
///
/// wasmi 2.0.0's translator panics on some valid modules (see
/// `Runtime::load`, which catches that panic and returns a `LoadError`).
/// libFuzzer's panic hook aborts on every panic, caught or not, so without
/// this every such module would stop the run on a bug that is already
/// found and worked around. Any other panic still aborts. Call it at the
/// start of every input: libFuzzer installs its hook before the first.
pub fn tolerate_wasmi_translator_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_translator = info.location().is_some_and(|at| {
                let file = at.file();
                file.contains("/wasmi-") && file.contains("/engine/translator/")
            });
            if !in_translator {
                fuzzer_hook(info);
            }
        }));
    });
}
