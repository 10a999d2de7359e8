//! What the lint cannot see. `#[grafos::tasklet]` reads the module's
//! tokens: a helper function or a `macro_rules!` defined outside the
//! module is a call to it, nothing more. Each helper below would be a
//! compile error (or a warning) written inline in the module; called from
//! the module, it compiles, and only the cross-target test can tell.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use grafos::prelude::*;

use crate::{Out, concat};

/// Whether `started` is more than a minute ago: a watchdog.
pub fn over_budget(started: Instant) -> bool {
    started.elapsed() > Duration::from_secs(60)
}

/// Now, for [`over_budget`].
pub fn now() -> Instant {
    Instant::now()
}

/// Bytes per machine word, by the target's pointer width.
pub fn word_bytes() -> usize {
    if cfg!(target_pointer_width = "64") {
        8
    } else {
        4
    }
}

/// How many lanes' worth of "cores" the machine has, 1 if unknown.
pub fn machine_parallelism() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

/// Arguments the process was started with.
pub fn arg_count() -> u32 {
    std::env::args().count() as u32
}

/// A seed from the wall clock: today's day number.
pub fn clock_seed() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400)
}

/// Checksums `bytes` on a thread of its own, and joins it.
pub fn checksum_on_a_thread(bytes: Vec<u8>) -> u64 {
    std::thread::spawn(move || crate::fnv1a(&bytes))
        .join()
        .unwrap_or(0)
}

/// Whether an optional configuration directory exists.
pub fn has_config_dir() -> bool {
    std::fs::metadata("/").is_ok()
}

/// A mode flag from the environment, required.
pub fn required_mode() -> String {
    std::env::var("GRAFOS_FIDELITY_MODE").expect("GRAFOS_FIDELITY_MODE must be set")
}

/// Counts items into a `HashMap` with std's default hasher — written as a
/// macro outside any tasklet, so the lint's `HashMap::new()` warning never
/// sees it.
#[macro_export]
macro_rules! tally {
    ($items:expr) => {{
        let mut counts = ::std::collections::HashMap::new();
        for item in $items {
            *counts.entry(item).or_insert(0u32) += 1;
        }
        counts
    }};
}

/// A watchdog: the coordinator notes `Instant::now()` through a helper and
/// fails the launch if it ran for over a minute; the time never reaches
/// the output. On wasm32-unknown-unknown `Instant::now()` panics ("time not
/// implemented on this platform"). Inline, `std::time::Instant` is a
/// compile error (`ui-tests/tests/ui/lint/fail/std-time-instant.rs`).
/// Caught: targets compute differently (an error on the runtime only).
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod instant_in_helper {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let started = now();
        coord.parallel_for_workers(copy)?;
        if over_budget(started) {
            return Err(TaskletError::invalid_config("too slow"));
        }
        Ok(concat(coord))
    }

    #[worker]
    fn copy(out: &mut Out, input: &[u8], lane: Lane) {
        out.bytes = input[lane.partition(input.len())].to_vec();
    }
}

/// Seeds a scrambler from the wall clock (the day number) through a
/// helper; `SystemTime::now()` panics on wasm32-unknown-unknown. Inline it is a compile error
/// (`ui-tests/tests/ui/lint/fail/std-time-system-time.rs`). Caught:
/// targets compute differently.
#[grafos::tasklet(workers = 2)]
pub mod system_time_in_helper {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let seed = clock_seed();
        Ok(coord.input().iter().map(|&b| b ^ seed as u8).collect())
    }
}

/// Aligns records to the machine word through a helper that asks
/// `cfg!(target_pointer_width = "64")`: 8-byte padding on the host, 4 on
/// wasm32. Inline, a target `cfg` needs `#[target_specific]` on the `lint`
/// branch (`ui-tests/tests/ui/lint/fail/target-cfg.rs`). Caught: targets
/// compute differently.
#[grafos::tasklet(workers = 2)]
pub mod pointer_width_in_helper {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let word = word_bytes();
        let mut out = Vec::new();
        for chunk in coord.input().chunks(3) {
            out.extend_from_slice(chunk);
            out.resize(out.len().next_multiple_of(word), 0);
        }
        Ok(out)
    }
}

/// Sizes its output by `std::thread::available_parallelism()` through a
/// helper: the host's core count, 1 on wasm32 (unsupported). Inline,
/// `std::thread` is a compile error
/// (`ui-tests/tests/ui/lint/fail/std-thread.rs`). Caught: targets compute
/// differently.
#[grafos::tasklet(workers = 2)]
pub mod parallelism_in_helper {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        Ok(machine_parallelism().to_le_bytes().to_vec())
    }
}

/// Writes `std::env::args().count()` through a helper: the test binary's
/// arguments on the host, none on wasm32. Inline, `std::env` is a compile
/// error (`ui-tests/tests/ui/lint/fail/std-env.rs`). Caught: targets
/// compute differently.
#[grafos::tasklet(workers = 2)]
pub mod env_args_in_helper {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        Ok(arg_count().to_le_bytes().to_vec())
    }
}

/// Each lane checksums its block on a thread of its own through a helper:
/// fine on the host, but `std::thread::spawn` panics on wasm32 ("operation
/// not supported"). Caught — as "depends on the order": every lane
/// panics on the runtime, and the error names the first lane to run (see
/// `panics::catch_unwind_fallback`).
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod thread_spawn_in_helper {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(sum)?;
        Ok(concat(coord))
    }

    #[worker]
    fn sum(out: &mut Out, input: &[u8], lane: Lane) {
        let block = input[lane.partition(input.len())].to_vec();
        out.bytes = checksum_on_a_thread(block).to_le_bytes().to_vec();
    }
}

/// Writes whether a configuration directory exists, through a helper
/// calling `std::fs::metadata`: yes on the host, "unsupported" on wasm32.
/// Inline, `std::fs` is a compile error
/// (`ui-tests/tests/ui/lint/fail/std-fs.rs`). Caught: targets compute
/// differently.
#[grafos::tasklet(workers = 2)]
pub mod fs_in_helper {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        Ok(vec![u8::from(has_config_dir())])
    }
}

/// Counts bytes with the outside [`tally!`] macro — a `HashMap` with std's
/// random hasher — and writes the counts in iteration order. The lint sees
/// `tally!(..)`, not the map. Caught: targets compute differently.
#[grafos::tasklet(workers = 2)]
pub mod hashmap_in_macro {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let counts = crate::tally!(coord.input().iter().copied());
        let mut out = Vec::new();
        for (b, n) in counts {
            out.push(b);
            out.extend_from_slice(&n.to_le_bytes());
        }
        Ok(out)
    }
}

/// Requires an environment variable through a helper
/// (`std::env::var(..).expect(..)`): unset on the host, and no
/// environment on wasm32, so both panic with the same message on every
/// input. The difference it would make when the variable *is* set on the
/// host is hidden. Caught: failed on every input — the harness refuses a
/// test that shows nothing.
#[grafos::tasklet(workers = 2)]
pub mod env_var_in_helper {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mode = required_mode();
        Ok([mode.as_bytes(), coord.input()].concat())
    }
}

/// Logs progress with `println!` in each lane (a warning on the `lint`
/// branch, `ui-tests/tests/ui/lint/fail/print-macros.rs`). On the host the
/// lines go to stdout (captured by the test harness); on wasm32-unknown-
/// unknown stdout discards them. No output byte changes. Still gets
/// through — benign for the output, though the side effect differs.
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod println_progress {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(work)?;
        Ok(concat(coord))
    }

    #[worker]
    fn work(out: &mut Out, input: &[u8], lane: Lane) {
        let block = &input[lane.partition(input.len())];
        println!("lane {} checksums {} bytes", lane.index, block.len());
        out.bytes = crate::fnv1a(block).to_le_bytes().to_vec();
    }
}
