//! The wasm32 backend: the SDK surface over the imports of ABI
//! `grafos_worker_v0` (see [`crate::abi`]).
//!
//! Every lane of a launch runs in the one linear memory this module lives
//! in: the coordinator on the runtime's call of the tasklet's entry export,
//! each data lane on a call of [`grafos_v0_run_lane`] on a stack of its own.
//! The runtime switches lanes only inside `parallel_for` and `barrier`, so
//! the allocator and every other global of the guest are only ever used by
//! one lane at a time.
//!
//! # Lane stacks and `__stack_pointer`
//!
//! Data lanes run on stacks the runtime allocates through
//! [`grafos_v0_alloc`] when a launch starts; at each switch it saves the
//! outgoing lane's `__stack_pointer` global and installs the incoming
//! lane's. That global must be exported, and a tasklet crate needs to do
//! nothing for it: `grafos build` links the crate with
//! `-C link-arg=--export=__stack_pointer` (through `cargo rustc`, so only
//! the final crate sees the flag), and the runtime adds the export itself to
//! a module built another way, since wasm-ld always makes global 0 the stack
//! pointer. No `build.rs` could do this instead: a dependency's build script
//! cannot add link arguments to the user's cdylib.

use std::alloc::{self, Layout};
use std::sync::Once;

use crate::abi::{self, status};

mod sys;
use crate::cpu::{
    Cancelled, FuelExhausted, LaunchConfig, LaunchInput, MAX_LANES, MIN_LANES, RegionJob,
    SharedTaskletResult, TaskletError,
};
use crate::cpu::{CoordinatorBackend, LaneBackend};

/// Lane 0's view of the backend.
pub(crate) struct CoordinatorHandle {
    workers: usize,
}

impl CoordinatorBackend for CoordinatorHandle {
    /// Lanes of the launch, as the runtime set them.
    fn workers(&self) -> usize {
        self.workers
    }

    fn run_region(&mut self, job: &RegionJob<'_>) -> Result<(), TaskletError> {
        let job_ref: &RegionJob<'_> = job;
        let job_ptr = (&raw const job_ref).cast::<u8>();
        // SAFETY: the runtime passes `job_ptr` back to `grafos_v0_run_lane`
        // only while this call is suspended, so `job_ref` is alive.
        let code = unsafe { sys::parallel_for(sys::ptr(job_ptr), sys::len(self.workers)) };
        match code {
            status::OK => Ok(()),
            _ => Err(launch_error(code)),
        }
    }

    fn barrier(&self) -> Result<(), Cancelled> {
        lane_barrier()
    }

    fn fuel_checkpoint(&self) -> Result<(), FuelExhausted> {
        checkpoint()
    }

    fn fuel_remaining(&self) -> u64 {
        remaining()
    }

    fn is_cancelled(&self) -> bool {
        cancelled()
    }
}

/// A data lane's view of the backend.
#[derive(Clone, Copy)]
pub(crate) struct LaneHandle {
    lane: usize,
}

impl LaneBackend for LaneHandle {
    fn index(&self) -> usize {
        self.lane
    }

    fn barrier(&self) -> Result<(), Cancelled> {
        lane_barrier()
    }

    fn fuel_checkpoint(&self) -> Result<(), FuelExhausted> {
        checkpoint()
    }

    fn fuel_remaining(&self) -> u64 {
        remaining()
    }

    fn is_cancelled(&self) -> bool {
        cancelled()
    }
}

fn lane_barrier() -> Result<(), Cancelled> {
    // SAFETY: an ABI import without pointer arguments.
    match unsafe { sys::barrier() } {
        status::OK => Ok(()),
        _ => Err(Cancelled),
    }
}

fn checkpoint() -> Result<(), FuelExhausted> {
    // SAFETY: an ABI import without pointer arguments.
    match unsafe { sys::fuel_checkpoint() } {
        status::OK => Ok(()),
        _ => Err(FuelExhausted),
    }
}

fn remaining() -> u64 {
    // SAFETY: an ABI import without pointer arguments.
    unsafe { sys::fuel_remaining() }.max(0) as u64
}

fn cancelled() -> bool {
    // SAFETY: an ABI import without pointer arguments.
    unsafe { sys::is_cancelled() != 0 }
}

/// The launch's error after `parallel_for` returned `code`, as the runtime
/// recorded it.
fn launch_error(code: i32) -> TaskletError {
    let mut buf = vec![0u8; 256];
    // SAFETY: `buf` is writable for `buf.len()` bytes.
    let mut len =
        unsafe { sys::error_read(sys::ptr(buf.as_mut_ptr()), sys::len(buf.len())) } as usize;
    if len > buf.len() {
        buf.resize(len, 0);
        // SAFETY: as above, with the larger buffer.
        len = unsafe { sys::error_read(sys::ptr(buf.as_mut_ptr()), sys::len(buf.len())) } as usize;
    }
    match buf.get(..len).map(abi::decode_error) {
        Some(Ok(error)) => error,
        _ if code == status::FUEL_EXHAUSTED => TaskletError::fuel_exhausted(),
        _ => TaskletError::Cancelled,
    }
}

/// Reports `error` as this lane's through the `fail` import.
fn report(error: &TaskletError) {
    let bytes = abi::encode_error(error);
    // SAFETY: `bytes` is readable for its length.
    unsafe { sys::fail(sys::ptr(bytes.as_ptr()), sys::len(bytes.len())) };
}

fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            // The same message the host mock takes from the panic payload.
            let message = info.payload_as_str().unwrap_or("Box<dyn Any>");
            // SAFETY: `message` is readable for its length; a trap follows.
            unsafe { sys::panic(sys::ptr(message.as_ptr()), sys::len(message.len())) };
        }));
    });
}

/// Runs one launch in the guest: the coordinator on this call, data lanes on
/// the runtime's calls of [`grafos_v0_run_lane`].
pub(crate) fn launch<G>(
    config: LaunchConfig<'_>,
    run: G,
) -> Result<SharedTaskletResult, TaskletError>
where
    G: FnOnce(CoordinatorHandle, LaunchInput<'_>) -> Result<Vec<u8>, TaskletError>,
{
    // On wasm32 the runtime owns the launch's input, fuel pool and
    // cancellation (its run options), and a launch runs on one core: the
    // builder's values for them are the host mock's.
    let LaunchConfig {
        workers,
        cores,
        fuel,
        input,
        cancel,
        lane_order,
        ..
    } = config;
    let _host_mock_only = (workers, cores, fuel, input, cancel, lane_order);
    install_panic_hook();
    // SAFETY: an ABI import without pointer arguments.
    let workers = unsafe { sys::workers() } as usize;
    if !(MIN_LANES..=MAX_LANES).contains(&workers) {
        return Err(TaskletError::Abi {
            message: format!(
                "the runtime gave {workers} lanes; a launch has {MIN_LANES} to {MAX_LANES}"
            ),
        });
    }
    // SAFETY: an ABI import without pointer arguments.
    let len = unsafe { sys::input_len() } as usize;
    // Aligned to `INPUT_ALIGN`, as on the host mock, for `input_as`.
    let mut input = LaunchInput::zeroed(len);
    let bytes = input.as_mut_bytes();
    // SAFETY: `bytes` is writable for `len` bytes.
    unsafe { sys::input_read(sys::ptr(bytes.as_mut_ptr()), 0, sys::len(len)) };
    let handle = CoordinatorHandle { workers };
    let output = run(handle, input)?;
    // Fuel and regions are the runtime's to count.
    Ok(SharedTaskletResult::from_parts(output, 0, 0, 0))
}

/// Runs `launch` as the tasklet entry export does: sends the output, or
/// reports the error, and returns the entry's status.
#[doc(hidden)]
pub fn run_entry(launch: impl FnOnce() -> Result<SharedTaskletResult, TaskletError>) -> i32 {
    match launch() {
        Ok(result) => {
            let output = result.output();
            // SAFETY: `output` is readable for its length.
            unsafe { sys::output_set(sys::ptr(output.as_ptr()), sys::len(output.len())) };
            status::OK
        }
        Err(error) => {
            report(&error);
            status::FAILED
        }
    }
}

/// The lane trampoline: runs the job the coordinator passed to
/// `parallel_for` on data lane `lane`.
///
/// # Safety
///
/// `job` must be the pointer the coordinator passed to the `parallel_for`
/// import that is still suspended; only the runtime calls this.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn grafos_v0_run_lane(job: *const u8, lane: u32) -> i32 {
    // SAFETY: by the caller's contract `job` points at the coordinator's
    // live `&RegionJob`.
    let job = unsafe { &*job.cast::<&RegionJob<'_>>() };
    match job(LaneHandle {
        lane: lane as usize,
    }) {
        Ok(()) => status::OK,
        Err(error) => {
            report(&error);
            status::FAILED
        }
    }
}

/// The allocator entry: `size` bytes aligned to `align`, or 0.
#[unsafe(no_mangle)]
pub(crate) extern "C" fn grafos_v0_alloc(size: u32, align: u32) -> u32 {
    match Layout::from_size_align(size.max(1) as usize, align.max(1) as usize) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { alloc::alloc(layout) as u32 },
        Err(_) => 0,
    }
}

/// Writes a line to the operator's log (`grafos run` shows it with
/// `--verbose`); no effect on the launch.
pub fn debug_log(line: &str) {
    // SAFETY: `line` is readable for its length.
    unsafe { sys::debug_log(sys::ptr(line.as_ptr()), sys::len(line.len())) };
}
