//! Leases and the shared-memory tasklet builder.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::mem::size_of;

use super::CoordinatorBackend as _;
use super::{
    CancelToken, CoordinatorCtx, DEFAULT_FUEL, LaneOrder, LaunchInput, MAX_LANES, MIN_LANES,
    SharedTaskletResult, TaskletError,
};
use crate::abi::trace::TraceSink;
use crate::backend;

/// Acquires a [`CpuLease`]: the cores a program may run tasklets on.
///
/// ```
/// use grafos::cpu::CpuBuilder;
/// let lease = CpuBuilder::new().cores(4).acquire().unwrap();
/// assert_eq!(lease.cores(), 4);
/// assert!(CpuBuilder::new().cores(0).acquire().is_err());
/// ```
#[derive(Debug, Clone)]
pub struct CpuBuilder {
    cores: Option<usize>,
}

impl CpuBuilder {
    /// A builder for a lease of every core of the machine.
    ///
    /// **Portable.**
    pub fn new() -> Self {
        Self { cores: None }
    }

    /// Asks for `n` cores (1 to [`MAX_LANES`]). On the host mock a lease may
    /// ask for more cores than the machine has: lanes then share the
    /// machine's cores, as they would on a busy fabric node.
    ///
    /// **Portable.**
    pub fn cores(mut self, n: usize) -> Self {
        self.cores = Some(n);
        self
    }

    /// Acquires the lease.
    ///
    /// Fails with [`TaskletError::InvalidConfig`] for 0 cores or more than
    /// [`MAX_LANES`].
    ///
    /// **Portable.**
    pub fn acquire(self) -> Result<CpuLease, TaskletError> {
        let cores = self.cores.unwrap_or_else(machine_cores);
        if !(1..=MAX_LANES).contains(&cores) {
            return Err(TaskletError::invalid_config(format!(
                "a lease needs 1 to {MAX_LANES} cores, not {cores}"
            )));
        }
        Ok(CpuLease { cores })
    }
}

impl Default for CpuBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// Cores of this machine (1 on wasm32, where a launch runs on one core).
fn machine_cores() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_LANES)
}

/// A lease of cores, from [`CpuBuilder::acquire`].
#[derive(Debug, Clone)]
pub struct CpuLease {
    cores: usize,
}

impl CpuLease {
    /// The leased CPU, to build tasklets on.
    ///
    /// **Portable.**
    pub fn cpu(&self) -> Cpu<'_> {
        Cpu { lease: self }
    }

    /// Cores in the lease.
    ///
    /// **Portable.**
    pub fn cores(&self) -> usize {
        self.cores
    }
}

/// The CPU of a [`CpuLease`].
#[derive(Debug, Clone, Copy)]
pub struct Cpu<'lease> {
    lease: &'lease CpuLease,
}

impl Cpu<'_> {
    /// Starts building a shared-memory tasklet with shared type `S` and
    /// per-lane scratch type `W`.
    ///
    /// **Portable.**
    pub fn shared_memory_tasklet<S, W>(&self) -> SharedTaskletBuilder<'static, S, W> {
        SharedTaskletBuilder::new(self.lease.cores)
    }
}

/// Builder for a shared-memory tasklet launch.
///
/// Every setting has a default: `workers` = `cores` = the lease's cores,
/// `shared_bytes` = `size_of::<S>()`, `scratch_bytes_per_worker` =
/// `size_of::<W>()`, `fuel` = [`DEFAULT_FUEL`], empty input, no cancel token.
/// The configuration is checked when [`launch`](Self::launch) is called,
/// before any lane starts.
///
/// `'a` is the input's borrow ([`input`](Self::input)): `'static` until an
/// input is set. Write the type as `SharedTaskletBuilder<'_, S, W>` where it
/// is a parameter, `SharedTaskletBuilder<'static, S, W>` where a fn makes
/// one without input.
pub struct SharedTaskletBuilder<'a, S, W> {
    lease_cores: usize,
    cores: Option<usize>,
    workers: Option<usize>,
    shared_bytes: Option<usize>,
    scratch_bytes: Option<usize>,
    fuel: u64,
    input: &'a [u8],
    cancel: Option<CancelToken>,
    lane_order: Option<LaneOrder>,
    trace: Option<TraceSink>,
    name: Cow<'static, str>,
    _types: PhantomData<fn() -> (S, W)>,
}

/// A checked launch configuration, as the backends receive it.
#[derive(Debug)]
pub(crate) struct LaunchConfig<'a> {
    /// Lanes, the coordinator lane included.
    pub(crate) workers: usize,
    /// Cores the launch may keep busy (host mock: whether waiters spin).
    pub(crate) cores: usize,
    pub(crate) shared_bytes: usize,
    pub(crate) scratch_bytes: usize,
    pub(crate) fuel: u64,
    /// Borrowed from the caller for the launch (the host mock's input; the
    /// guest reads the runtime's instead).
    pub(crate) input: &'a [u8],
    pub(crate) cancel: Option<CancelToken>,
    /// Host mock: data lanes take turns in this order, one at a time.
    pub(crate) lane_order: Option<LaneOrder>,
    /// Host mock: where the launch's trace goes.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub(crate) trace: Option<TraceSink>,
    /// The tasklet's name, for its trace.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub(crate) name: Cow<'static, str>,
}

impl<S, W> SharedTaskletBuilder<'static, S, W> {
    pub(crate) fn new(lease_cores: usize) -> Self {
        Self {
            lease_cores,
            cores: None,
            workers: None,
            shared_bytes: None,
            scratch_bytes: None,
            fuel: DEFAULT_FUEL,
            input: &[],
            cancel: None,
            lane_order: None,
            trace: None,
            name: Cow::Borrowed("tasklet"),
            _types: PhantomData,
        }
    }
}

impl<'a, S, W> SharedTaskletBuilder<'a, S, W> {
    /// Cores of the lease this launch may use (at most the lease's). Lanes
    /// beyond `cores` share them: on the host mock, waiters then park at
    /// once instead of spinning. The runtime runs a launch on one core.
    ///
    /// **Portable.** The guest backend ignores it.
    pub fn cores(mut self, n: usize) -> Self {
        self.cores = Some(n);
        self
    }

    /// Lanes of the launch, the coordinator lane included: `workers(4)` is
    /// the coordinator plus 3 data workers. 2 to [`MAX_LANES`]. On wasm32 the
    /// runtime decides (the tasklet's `workers` unless its operator asks for
    /// another count), so write tasklets for any lane count.
    ///
    /// **Portable.** The guest backend ignores it: the runtime's
    /// `RunOptions::workers` decides there.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = Some(n);
        self
    }

    /// Bytes of the shared region: the `S` value, then the arena.
    ///
    /// **Portable.**
    pub fn shared_bytes(mut self, n: usize) -> Self {
        self.shared_bytes = Some(n);
        self
    }

    /// Bytes of each lane's scratch region: the `W` value, then its arena.
    ///
    /// **Portable.**
    pub fn scratch_bytes_per_worker(mut self, n: usize) -> Self {
        self.scratch_bytes = Some(n);
        self
    }

    /// The launch's fuel pool. On the host mock each
    /// [`fuel_checkpoint`](super::WorkerCtx::fuel_checkpoint) costs one unit;
    /// on the runtime every wasm instruction does.
    ///
    /// **Portable.** The guest backend ignores it: the runtime's
    /// `RunOptions::fuel` (default: the tasklet's `fuel`) decides there.
    pub fn fuel(mut self, n: u64) -> Self {
        self.fuel = n;
        self
    }

    /// The launch input, readable by every lane: borrowed for the launch,
    /// not copied, when `bytes` starts at a multiple of
    /// [`INPUT_ALIGN`](super::INPUT_ALIGN) (16) bytes, as large heap buffers
    /// do; copied once into an aligned buffer otherwise. Either way the
    /// lanes see it aligned to 16 bytes, as on the runtime, so
    /// [`input_as`](super::WorkerCtx::input_as) never fails for alignment.
    ///
    /// ```
    /// # let lease = grafos::cpu::CpuBuilder::new().cores(2).acquire().unwrap();
    /// let data = vec![1u8, 2, 3];
    /// let result = lease.cpu().shared_memory_tasklet::<(), ()>().workers(2)
    ///     .input(&data)
    ///     .launch(|coord| {
    ///         let sum: u32 = coord.input().iter().map(|&b| u32::from(b)).sum();
    ///         coord.set_output(&sum.to_le_bytes());
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// assert_eq!(result.output(), 6u32.to_le_bytes());
    /// ```
    ///
    /// **Portable.** The guest backend ignores it: the runtime passes the
    /// launch's input.
    pub fn input<'b>(self, bytes: &'b [u8]) -> SharedTaskletBuilder<'b, S, W> {
        SharedTaskletBuilder {
            lease_cores: self.lease_cores,
            cores: self.cores,
            workers: self.workers,
            shared_bytes: self.shared_bytes,
            scratch_bytes: self.scratch_bytes,
            fuel: self.fuel,
            input: bytes,
            cancel: self.cancel,
            lane_order: self.lane_order,
            trace: self.trace,
            name: self.name,
            _types: PhantomData,
        }
    }

    /// Cancels the launch when `token` is cancelled.
    ///
    /// **Portable.** The guest backend ignores it: the runtime's
    /// `RunOptions::cancel` cancels there.
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Runs the data lanes one at a time, taking turns in `order` at each
    /// region's start and after each barrier round, as the runtime does,
    /// instead of all at once on their threads.
    ///
    /// The runtime always schedules this way (in [`LaneOrder::InOrder`]
    /// unless its run options say otherwise); on the host mock this mode
    /// makes an interleaving repeatable, so a tasklet whose output depends
    /// on the order lanes get somewhere differs between two orders every
    /// time, not only on unlucky runs. The generated cross-target test uses
    /// it. A lane that waits for another without a barrier never ends in
    /// this mode (nor on the runtime, where it exhausts its fuel).
    ///
    /// **Portable.** The guest backend ignores it: on the runtime the order
    /// is the operator's (`RunOptions::lane_order`).
    pub fn lane_order(mut self, order: LaneOrder) -> Self {
        self.lane_order = Some(order);
        self
    }

    /// Records a trace of the launch (one track per lane; spans for
    /// regions, work and barrier waits; wall time) and adds it to `sink`
    /// when the launch ends. Without it, a launch is traced only when the
    /// `GRAFOS_TRACE` environment variable names a directory to write
    /// traces to. See [`grafos::trace`](crate::trace).
    ///
    /// **Portable.** The guest backend ignores it: on the runtime the
    /// operator asks for a trace (`RunOptions::trace`, `grafos run --trace`).
    pub fn trace(mut self, sink: TraceSink) -> Self {
        self.trace = Some(sink);
        self
    }

    /// The tasklet's name in its trace.
    pub(crate) fn named(mut self, name: Cow<'static, str>) -> Self {
        self.name = name;
        self
    }

    fn config(self) -> Result<LaunchConfig<'a>, TaskletError> {
        let cores = self.cores.unwrap_or(self.lease_cores);
        let workers = self.workers.unwrap_or(self.lease_cores);
        let shared_bytes = self.shared_bytes.unwrap_or(size_of::<S>());
        let scratch_bytes = self.scratch_bytes.unwrap_or(size_of::<W>());
        if !(MIN_LANES..=MAX_LANES).contains(&workers) {
            return Err(TaskletError::invalid_config(format!(
                "workers must be {MIN_LANES} to {MAX_LANES} (the coordinator lane plus at least one data lane), not {workers}"
            )));
        }
        if cores == 0 || cores > self.lease_cores {
            return Err(TaskletError::invalid_config(format!(
                "the launch asks for {cores} core(s) but the lease has {}",
                self.lease_cores
            )));
        }
        if self.fuel == 0 {
            return Err(TaskletError::invalid_config("fuel must be at least 1"));
        }
        if shared_bytes < size_of::<S>() {
            return Err(TaskletError::SharedTooSmall {
                need: size_of::<S>(),
                have: shared_bytes,
            });
        }
        if scratch_bytes < size_of::<W>() {
            return Err(TaskletError::ScratchTooSmall {
                need: size_of::<W>(),
                have: scratch_bytes,
            });
        }
        Ok(LaunchConfig {
            workers,
            cores,
            shared_bytes,
            scratch_bytes,
            fuel: self.fuel,
            input: self.input,
            cancel: self.cancel,
            lane_order: self.lane_order,
            trace: self.trace,
            name: self.name,
        })
    }

    /// Runs the launch: `f` runs on the coordinator lane and orchestrates
    /// regions with [`CoordinatorCtx::parallel_for_workers`].
    ///
    /// Returns the output the coordinator set, or the error that caused the
    /// launch to fail: the first failure of any lane (a panic, an error, an
    /// unmatched barrier), exhausted fuel or cancellation, else the error `f`
    /// returned.
    ///
    /// **Portable.**
    pub fn launch<F>(self, f: F) -> Result<SharedTaskletResult, TaskletError>
    where
        S: Default + Sync,
        W: Default + Send,
        F: FnOnce(&mut CoordinatorCtx<S, W>) -> Result<(), TaskletError>,
    {
        let config = self.config()?;
        let (shared_bytes, scratch_bytes) = (config.shared_bytes, config.scratch_bytes);
        backend::launch(config, move |handle, input: LaunchInput<'_>| {
            // The backend's lane count: the configured one on the host mock,
            // the runtime's on wasm32.
            let workers = handle.workers();
            let mut coord =
                CoordinatorCtx::new(handle, workers, shared_bytes, scratch_bytes, input.erase())?;
            // `coord` holds the input with its borrow erased: it must not
            // leave this launch. Only `mem::swap` with another launch's
            // context (nested launches, two `&mut`) could move it out, and
            // let that launch read this input after this one ends: the guard
            // ends the process instead, on return and on unwind alike.
            let guard = SameLaunch::new(&coord);
            let outcome = f(&mut coord);
            drop(guard);
            outcome?;
            Ok(coord.into_output())
        })
    }
}

/// Aborts the process on drop if the context it watches holds another
/// input than it did: see `SharedTaskletBuilder::launch`.
struct SameLaunch<S, W> {
    ctx: *const CoordinatorCtx<S, W>,
    input: (*const u8, usize),
}

impl<S, W> SameLaunch<S, W> {
    fn new(ctx: &CoordinatorCtx<S, W>) -> Self {
        let input = ctx.input();
        Self {
            ctx,
            input: (input.as_ptr(), input.len()),
        }
    }
}

impl<S, W> Drop for SameLaunch<S, W> {
    fn drop(&mut self) {
        // SAFETY: the context outlives the guard (declared before it in the
        // same frame) and is not borrowed mutably once `f` returned or
        // unwound.
        let input = unsafe { (*self.ctx).input() };
        if (input.as_ptr(), input.len()) != self.input {
            std::process::abort();
        }
    }
}

impl<S, W> fmt::Debug for SharedTaskletBuilder<'_, S, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedTaskletBuilder")
            .field("cores", &self.cores.unwrap_or(self.lease_cores))
            .field("workers", &self.workers.unwrap_or(self.lease_cores))
            .field("shared_bytes", &self.shared_bytes.unwrap_or(size_of::<S>()))
            .field(
                "scratch_bytes_per_worker",
                &self.scratch_bytes.unwrap_or(size_of::<W>()),
            )
            .field("fuel", &self.fuel)
            .field("input_len", &self.input.len())
            .field("cancel_token", &self.cancel)
            .field("lane_order", &self.lane_order)
            .field("trace", &self.trace.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> SharedTaskletBuilder<'static, u64, u32> {
        CpuBuilder::new()
            .cores(4)
            .acquire()
            .unwrap()
            .cpu()
            .shared_memory_tasklet()
    }

    fn reason(e: TaskletError) -> String {
        match e {
            TaskletError::InvalidConfig { reason } => reason,
            other => panic!("expected InvalidConfig, got {other:?}"),
        }
    }

    #[test]
    fn defaults_come_from_the_lease_and_the_types() {
        let c = builder().config().unwrap();
        assert_eq!(
            (c.workers, c.cores, c.shared_bytes, c.scratch_bytes),
            (4, 4, 8, 4)
        );
        assert_eq!(c.fuel, DEFAULT_FUEL);
    }

    #[test]
    fn bad_configurations_are_refused_before_launch() {
        assert!(reason(builder().workers(1).config().unwrap_err()).contains("workers must be 2"));
        assert!(reason(builder().workers(257).config().unwrap_err()).contains("not 257"));
        assert!(
            reason(builder().workers(2).cores(5).config().unwrap_err()).contains("lease has 4")
        );
        assert!(reason(builder().workers(2).cores(0).config().unwrap_err()).contains("0 core"));
        assert!(reason(builder().fuel(0).config().unwrap_err()).contains("fuel"));
        assert_eq!(
            builder().shared_bytes(7).config().unwrap_err(),
            TaskletError::SharedTooSmall { need: 8, have: 7 }
        );
        assert_eq!(
            builder().scratch_bytes_per_worker(2).config().unwrap_err(),
            TaskletError::ScratchTooSmall { need: 4, have: 2 }
        );
    }

    #[test]
    fn leases_are_bounded() {
        assert!(CpuBuilder::new().cores(MAX_LANES + 1).acquire().is_err());
        assert!(CpuBuilder::new().acquire().unwrap().cores() >= 1);
    }
}
