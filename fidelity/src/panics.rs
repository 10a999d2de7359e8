//! Panics. The host mock unwinds: a panic can be caught with
//! `catch_unwind`, and a lane's panic becomes `WorkerPanicked` with its
//! message. wasm32-unknown-unknown aborts: the SDK's panic hook reports
//! the message to the runtime and the lane traps; nothing is caught, and a
//! panic hook the tasklet installs itself replaces the SDK's.
//!
//! `std::panic::{catch_unwind, set_hook, take_hook, resume_unwind}` inside
//! a tasklet module are compile errors
//! (`ui-tests/tests/ui/lint/fail/std-panic.rs`); the tasklets here reach
//! them through helpers defined outside the module, which the lint does
//! not read.

use std::panic::{AssertUnwindSafe, catch_unwind};

use grafos::prelude::*;

use crate::{Out, concat};

/// Runs `f`, or returns `fallback` if it panics.
pub fn or_fallback<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// Logs panics "our own way": replaces the process's panic hook with one
/// that prints the message.
pub fn install_own_panic_hook() {
    std::panic::set_hook(Box::new(|info| eprintln!("tasklet panic: {info}")));
}

/// Reads the first byte of each lane's block "or 0": lazily, by indexing
/// and recovering from the panic with `catch_unwind` (an empty block
/// panics). The host recovers and writes 0; wasm32 aborts, and the lane
/// fails. Caught — as "depends on the order": every empty lane panics on
/// the runtime, and which lane the error names is the first to run, so
/// the runtime's lane orders disagree before the targets are compared.
/// [`catch_unwind_in_coordinator`] is caught as targets.
#[grafos::tasklet(workers = 4, scratch = Out)]
pub mod catch_unwind_fallback {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(first)?;
        Ok(concat(coord))
    }

    #[worker]
    fn first(out: &mut Out, input: &[u8], lane: Lane) {
        let block = &input[lane.partition(input.len())];
        out.bytes = vec![or_fallback(0, || block[0])];
    }
}

/// Each lane installs its own panic hook, then validates its block
/// (`assert!` that it holds no byte 0xff) — a panic on most inputs. The
/// host mock takes the message from the panic payload: `WorkerPanicked`
/// with the message. On wasm32 the tasklet's hook replaced the SDK's, so
/// the message never reaches the runtime: the lane just traps ("wasm
/// `unreachable` instruction executed"). Caught — as "depends on the
/// order": every lane traps on the runtime, and the error names the first
/// to run (see [`catch_unwind_fallback`]); [`own_panic_hook_in_coordinator`]
/// is caught as targets.
///
/// On the host the hook is process-wide and stays installed; it prints
/// what the default hook would, so the test process is not disturbed.
#[grafos::tasklet(workers = 3)]
pub mod own_panic_hook {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(check)?;
        Ok(vec![1])
    }

    #[worker]
    fn check(input: &[u8], lane: Lane) {
        install_own_panic_hook();
        let block = &input[lane.partition(input.len())];
        assert!(
            !block.contains(&0xff),
            "lane {} found a 0xff byte",
            lane.index
        );
    }
}

/// Reads a `u16` "lane budget" from the input's first two bytes, falling
/// back to 1000 when the input is shorter — by indexing and catching the
/// panic. Only the coordinator can panic, so the runtime's error is the
/// same in every lane order (`CoordinatorPanicked`), and the host mock
/// recovers. Caught: targets compute differently.
#[grafos::tasklet(workers = 3)]
pub mod catch_unwind_in_coordinator {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let input = coord.input();
        let budget = or_fallback(1000, || u16::from_le_bytes([input[0], input[1]]));
        Ok(budget.to_le_bytes().to_vec())
    }
}

/// [`own_panic_hook`] in the coordinator: it installs its hook and rejects
/// inputs over 1000 bytes with a panic. The runtime reports a trap, the
/// host mock `CoordinatorPanicked` with the message. Caught: targets
/// compute differently.
#[grafos::tasklet(workers = 2)]
pub mod own_panic_hook_in_coordinator {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        install_own_panic_hook();
        coord.parallel_for_workers(|_| ())?;
        let n = coord.input().len();
        assert!(n <= 1000, "input of {n} bytes is too long");
        Ok(vec![1])
    }
}

/// A guard whose `Drop` checks an invariant and panics if it does not
/// hold — also while the lane is already unwinding from another panic.
#[derive(Debug)]
pub struct Checked(pub bool);

impl Drop for Checked {
    fn drop(&mut self) {
        assert!(self.0, "invariant broken");
    }
}

/// **Not executed by the suite: it cannot be tested in-process.** A lane
/// holds a [`Checked`] guard whose invariant is broken, then panics: on
/// the host the guard's `Drop` panics during unwinding, a panic while
/// panicking, which *aborts the whole process* (the test binary included).
/// On wasm32 the first panic aborts the lane before any `Drop` runs
/// (`WorkerPanicked` with the first message). The targets differ, but the
/// host side cannot be observed without a process of its own.
#[grafos::tasklet(workers = 2)]
pub mod panic_in_drop_while_unwinding {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(work)?;
        Ok(Vec::new())
    }

    #[worker]
    fn work(input: &[u8]) {
        let _guard = Checked(input.len().is_multiple_of(2));
        assert!(input.len() < 8, "input too long");
    }
}

/// A panic with a formatted message in the coordinator on long inputs: the
/// runtime reports the payload as the host mock takes it, so both sides
/// fail alike (`CoordinatorPanicked` with the same message). Still gets
/// through — correctly: a plain panic is portable.
#[grafos::tasklet(workers = 2)]
pub mod plain_panic {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let n = coord.input().len();
        assert!(n < 1000, "input of {n} bytes is too long");
        Ok(vec![n as u8])
    }
}
