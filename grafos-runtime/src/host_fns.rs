//! The host side of ABI `grafos_worker_v0`: one function per entry of
//! [`abi::IMPORTS`], defined in the runtime's [`Linker`].
//!
//! Host functions never panic on guest input: every pointer and length is
//! checked against the guest's memory, every byte string is decoded with
//! [`abi::decode_error`], and a violation fails the launch with
//! `TaskletError::Abi` and stops the calling lane.
//!
//! A host function that must wait (`parallel_for`, a data lane's `barrier`)
//! records a [`Request`] and returns the [`Suspend`] host error: wasmi then
//! hands the scheduler a resumable call, which it resumes later with the
//! status as the function's result. A host function that stops its lane
//! (after a panic or an ABI violation) returns [`LaneStopped`] without a
//! request; the scheduler drops that lane's call.

use std::fmt;
use std::ops::Range;

use grafos_abi::{self as abi, import, status};
use grafos_abi::{Limit, TaskletError};
use wasmi::errors::{HostError, LinkerError};
use wasmi::{Caller, Error, Linker};

use crate::state::{Cause, LaunchState, Request, Running};

/// Returned by a host function to suspend its lane; see the module docs.
#[derive(Debug)]
pub(crate) struct Suspend;

impl fmt::Display for Suspend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("lane suspended by the grafos scheduler")
    }
}

impl HostError for Suspend {}

/// Returned by a host function to stop its lane for good; the launch's
/// cause is already recorded.
#[derive(Debug)]
pub(crate) struct LaneStopped;

impl fmt::Display for LaneStopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("lane stopped by the grafos runtime")
    }
}

impl HostError for LaneStopped {}

type Ctx<'a> = Caller<'a, LaunchState>;

/// Fails the launch with an ABI violation; the error stops the calling lane.
fn violation(state: &mut LaunchState, message: String) -> Error {
    state.fail_with(TaskletError::Abi { message });
    Error::host(LaneStopped)
}

/// The lane calling `name`, or a violation outside any lane.
fn lane(state: &mut LaunchState, name: &str) -> Result<usize, Error> {
    match state.running {
        Running::Lane(lane) => Ok(lane),
        Running::Setup => Err(violation(
            state,
            format!(
                "`{name}` called outside any lane (from `{}`)",
                abi::export::ALLOC
            ),
        )),
    }
}

/// The guest's memory and the launch state, borrowed together.
fn memory_and_state<'a>(
    caller: &'a mut Ctx<'_>,
) -> Result<(&'a mut [u8], &'a mut LaunchState), Error> {
    match caller.data().memory {
        Some(memory) => Ok(memory.data_and_store_mut(caller)),
        None => Err(violation(
            caller.data_mut(),
            "an import was called before the instance existed".into(),
        )),
    }
}

/// `len` bytes at `ptr` as a range of a `size`-byte memory, checked.
fn span(ptr: i32, len: i32, size: usize) -> Option<Range<usize>> {
    let start = ptr as u32 as usize;
    let end = start.checked_add(len as u32 as usize)?;
    (end <= size).then_some(start..end)
}

fn guest_span(
    state: &mut LaunchState,
    name: &str,
    ptr: i32,
    len: i32,
    size: usize,
) -> Result<Range<usize>, Error> {
    span(ptr, len, size).ok_or_else(|| {
        violation(
            state,
            format!(
                "`{name}`: {} bytes at address {} lie outside the {size}-byte guest memory",
                len as u32, ptr as u32
            ),
        )
    })
}

/// Bytes a host function copies or reads for one unit of fuel: wasmi's
/// price for `memory.copy`, so moving bytes costs a guest the same whether
/// it does so itself or through an import.
const BYTES_PER_FUEL: u64 = 64;

/// Charges the calling lane for `bytes` bytes an import is about to copy
/// or read, once their bounds are checked and before it touches them; then
/// hands back the memory and the state, borrowed anew.
///
/// Without it an import did any amount of work for the fuel of one call:
/// a loop of `output_set` over a 64 MiB memory ran for two minutes on 2,000
/// fuel, and since the scheduler checks the deadline when a fuel slice
/// runs out, for minutes past a 100 ms deadline. Now the charge comes out
/// of the running slice, and when it empties it the next instruction ends
/// the slice, where the deadline and the cancel token are checked. What
/// exceeds the slice comes from the rest of the pool (or of the lane's
/// grace budget); a charge the launch cannot pay is `FuelExhausted`, and
/// the copy is not made.
fn charge<'a>(
    caller: &'a mut Ctx<'_>,
    lane: usize,
    bytes: usize,
) -> Result<(&'a mut [u8], &'a mut LaunchState), Error> {
    let cost = bytes as u64 / BYTES_PER_FUEL;
    if cost > 0 {
        let fuel = caller.get_fuel()?;
        if cost <= fuel {
            caller.set_fuel(fuel - cost)?;
        } else {
            caller.set_fuel(0)?;
            let state = caller.data_mut();
            if !state.fuel.charge_beyond_slice(lane, cost - fuel) {
                // The copy itself ran the pool dry: the lane is in an SDK call.
                state.fuel.note_sdk_call(lane, 0);
                let exhausted = state.fuel.exhausted(lane, 0);
                state.fail_with(exhausted);
                return Err(Error::host(LaneStopped));
            }
        }
    }
    memory_and_state(caller)
}

fn workers(mut caller: Ctx<'_>) -> Result<i32, Error> {
    let state = caller.data_mut();
    lane(state, import::WORKERS)?;
    // At most MAX_LANES (checked before the launch).
    Ok(state.workers as i32)
}

fn input_len(mut caller: Ctx<'_>) -> Result<i32, Error> {
    let state = caller.data_mut();
    lane(state, import::INPUT_LEN)?;
    // The input is at most u32::MAX bytes (checked before the launch).
    Ok(state.input.len() as u32 as i32)
}

fn input_read(mut caller: Ctx<'_>, dst: i32, offset: i32, len: i32) -> Result<(), Error> {
    let (memory, state) = memory_and_state(&mut caller)?;
    let lane = lane(state, import::INPUT_READ)?;
    let Some(src) = span(offset, len, state.input.len()) else {
        let have = state.input.len();
        return Err(violation(
            state,
            format!(
                "`input_read` of {} bytes at offset {} but the input has {have} bytes",
                len as u32, offset as u32
            ),
        ));
    };
    let dst = guest_span(state, import::INPUT_READ, dst, len, memory.len())?;
    let (memory, state) = charge(&mut caller, lane, dst.len())?;
    memory[dst].copy_from_slice(&state.input[src]);
    Ok(())
}

fn output_set(mut caller: Ctx<'_>, ptr: i32, len: i32) -> Result<(), Error> {
    let (memory, state) = memory_and_state(&mut caller)?;
    let lane = lane(state, import::OUTPUT_SET)?;
    let src = guest_span(state, import::OUTPUT_SET, ptr, len, memory.len())?;
    if src.len() > state.max_output_bytes {
        state.fail_with(TaskletError::LimitExceeded {
            limit: Limit::OutputBytes,
            max: state.max_output_bytes as u64,
            requested: src.len() as u64,
        });
        return Err(Error::host(LaneStopped));
    }
    let (memory, state) = charge(&mut caller, lane, src.len())?;
    state.output.clear();
    state.output.extend_from_slice(&memory[src]);
    Ok(())
}

fn parallel_for(mut caller: Ctx<'_>, job: i32, lanes: i32) -> Result<i32, Error> {
    let state = caller.data_mut();
    let lane = lane(state, import::PARALLEL_FOR)?;
    if lane != 0 {
        return Err(violation(
            state,
            format!(
                "`parallel_for` called on data lane {lane}: only the coordinator (lane 0) starts regions, and regions do not nest"
            ),
        ));
    }
    if lanes as u32 as usize != state.workers {
        let workers = state.workers;
        return Err(violation(
            state,
            format!(
                "`parallel_for` asked for {} lanes but the launch has {workers} (the `workers` import)",
                lanes as u32
            ),
        ));
    }
    state.poll_stop();
    if state.is_failed() {
        return Ok(status::FAILED);
    }
    state.request = Some(Request::ParallelFor { job });
    Err(Error::host(Suspend))
}

fn barrier(mut caller: Ctx<'_>) -> Result<i32, Error> {
    let state = caller.data_mut();
    let lane = lane(state, import::BARRIER)?;
    if lane == 0 {
        // The coordinator's barrier: a cancellation point (no data lane runs
        // outside a region, so there is nobody to wait for).
        state.poll_stop();
        return Ok(if state.is_failed() {
            status::CANCELLED
        } else {
            status::OK
        });
    }
    state.regions.count_call(lane);
    state.poll_stop();
    if state.is_failed() {
        return Ok(status::CANCELLED);
    }
    if state.regions.someone_departed() {
        // A lane of this region has returned: it will never arrive.
        state.fail(Cause::BarrierMismatch);
        return Ok(status::CANCELLED);
    }
    state.regions.wait();
    state.request = Some(Request::Barrier);
    Err(Error::host(Suspend))
}

fn fuel_checkpoint(mut caller: Ctx<'_>) -> Result<i32, Error> {
    let fuel = caller.get_fuel()?;
    let state = caller.data_mut();
    let lane = lane(state, import::FUEL_CHECKPOINT)?;
    state.poll_stop();
    if !state.is_failed() && state.fuel.pool_remaining(fuel) == 0 {
        let exhausted = state.fuel.exhausted(lane, fuel);
        state.fail_with(exhausted);
    }
    Ok(if state.is_failed() {
        status::FUEL_EXHAUSTED
    } else {
        status::OK
    })
}

fn fuel_remaining(mut caller: Ctx<'_>) -> Result<i64, Error> {
    let fuel = caller.get_fuel()?;
    let state = caller.data_mut();
    lane(state, import::FUEL_REMAINING)?;
    Ok(i64::try_from(state.fuel.pool_remaining(fuel)).unwrap_or(i64::MAX))
}

fn is_cancelled(mut caller: Ctx<'_>) -> Result<i32, Error> {
    let state = caller.data_mut();
    lane(state, import::IS_CANCELLED)?;
    state.poll_stop();
    Ok(i32::from(state.is_failed()))
}

fn fail(mut caller: Ctx<'_>, ptr: i32, len: i32) -> Result<(), Error> {
    let (memory, state) = memory_and_state(&mut caller)?;
    let lane = lane(state, import::FAIL)?;
    let src = guest_span(state, import::FAIL, ptr, len, memory.len())?;
    let (memory, state) = charge(&mut caller, lane, src.len())?;
    match abi::decode_error(&memory[src]) {
        Ok(error) => {
            state.fail_reports[lane] = Some(error);
            Ok(())
        }
        Err(e) => Err(violation(
            state,
            format!("lane {lane} reported an error through `fail` that does not decode: {e}"),
        )),
    }
}

fn error_read(mut caller: Ctx<'_>, ptr: i32, cap: i32) -> Result<i32, Error> {
    let (memory, state) = memory_and_state(&mut caller)?;
    let lane = lane(state, import::ERROR_READ)?;
    let dst = guest_span(state, import::ERROR_READ, ptr, cap, memory.len())?;
    let bytes = state
        .cause()
        .map(|e| abi::encode_error(&e))
        .unwrap_or_default();
    // Charged whether it fits or not: a panic message can be as large as
    // the guest's memory, and encoding it costs as much as copying it.
    let (memory, _) = charge(&mut caller, lane, bytes.len())?;
    if bytes.len() <= dst.len() {
        memory[dst.start..dst.start + bytes.len()].copy_from_slice(&bytes);
    }
    Ok(bytes.len() as u32 as i32)
}

fn panic(mut caller: Ctx<'_>, ptr: i32, len: i32) -> Result<(), Error> {
    let (memory, state) = memory_and_state(&mut caller)?;
    let lane = lane(state, import::PANIC)?;
    let src = guest_span(state, import::PANIC, ptr, len, memory.len())?;
    let (memory, state) = charge(&mut caller, lane, src.len())?;
    let message = String::from_utf8_lossy(&memory[src]).into_owned();
    state.fail_with(if lane == 0 {
        TaskletError::CoordinatorPanicked { message }
    } else {
        TaskletError::WorkerPanicked { lane, message }
    });
    // The guest would trap right after; stop the lane here instead.
    Err(Error::host(LaneStopped))
}

fn debug_log(mut caller: Ctx<'_>, ptr: i32, len: i32) -> Result<(), Error> {
    let (memory, state) = memory_and_state(&mut caller)?;
    let lane = lane(state, import::DEBUG_LOG)?;
    let src = guest_span(state, import::DEBUG_LOG, ptr, len, memory.len())?;
    let (memory, state) = charge(&mut caller, lane, src.len())?;
    if let Some(log) = &state.debug_log {
        log(lane, &String::from_utf8_lossy(&memory[src]));
    }
    Ok(())
}

/// Expands [`abi::for_each_import!`] into [`define`]: each import's host
/// function is the function of the same name above, coerced to the
/// signature the list declares, so a missing or mistyped one does not
/// compile. Every call first notes the fuel its lane has used, for the
/// message of a later `FuelExhausted` ("since its last SDK call").
macro_rules! linker_definitions {
    (module = $module:literal;
     $($(#[$doc:meta])* $konst:ident = $name:ident($($param:ident: $ty:ident),*) -> ($($ret:ident)?);)*) => {
        /// Defines every import of ABI `grafos_worker_v0` in `linker`;
        /// returns the names defined.
        pub(crate) fn define(
            linker: &mut Linker<LaunchState>,
        ) -> Result<Vec<&'static str>, LinkerError> {
            let mut defined = Vec::new();
            $(
                #[allow(unused_parens)] // `(i32)`: the list's one-result form
                let func: fn(Ctx<'_>, $($ty),*) -> Result<($($ret)?), Error> = $name;
                linker.func_wrap(
                    $module,
                    import::$konst,
                    move |mut caller: Ctx<'_>, $($param: $ty),*| {
                        note_sdk_call(&mut caller);
                        func(caller, $($param),*)
                    },
                )?;
                defined.push(import::$konst);
            )*
            Ok(defined)
        }
    };
}

/// Notes, for the running lane, the fuel used up to this SDK call.
fn note_sdk_call(caller: &mut Ctx<'_>) {
    let fuel = caller.get_fuel().unwrap_or(0);
    let state = caller.data_mut();
    if let Running::Lane(lane) = state.running {
        state.fuel.note_sdk_call(lane, fuel);
    }
}

abi::for_each_import!(linker_definitions);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_checked_without_overflow() {
        assert_eq!(span(0, 4, 4), Some(0..4));
        assert_eq!(span(4, 0, 4), Some(4..4));
        assert_eq!(span(1, 4, 4), None);
        assert_eq!(span(-1, 1, 1 << 20), None);
        assert_eq!(span(16, -1, 1 << 20), None);
        assert_eq!(span(-1, -1, usize::MAX), Some(0xffff_ffff..0x1_ffff_fffe));
    }

    #[test]
    fn the_linker_defines_exactly_the_abi_imports() {
        let engine = wasmi::Engine::default();
        let mut linker = Linker::new(&engine);
        let mut defined = define(&mut linker).unwrap();
        let mut abi_names: Vec<&str> = abi::IMPORTS.iter().map(|i| i.name).collect();
        defined.sort_unstable();
        abi_names.sort_unstable();
        assert_eq!(defined, abi_names);
    }
}
