//! [`TaskletInfo`]: what a tasklet declares about itself.

use std::borrow::Cow;

/// What a tasklet declares about itself: its name, lane count, region sizes,
/// default fuel and worker functions.
///
/// `#[grafos::tasklet]` generates one as the module's `INFO` constant, and
/// writes the same fields into the wasm module's `grafos_worker_v0.tasklets`
/// custom section (see [the crate docs](crate)), which the runtime reads back.
///
/// ```
/// use grafos_abi::TaskletInfo;
/// use std::borrow::Cow;
/// const INFO: TaskletInfo = TaskletInfo::new("sum", 4, 64, 16, 1_000_000, &[Cow::Borrowed("partial")]);
/// assert_eq!(INFO.data_workers(), 3);
/// assert_eq!(INFO.worker_names[0], "partial");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskletInfo {
    /// The tasklet's name; its wasm entry is `grafos_v0_tasklet_<name>`.
    pub name: Cow<'static, str>,
    /// Lanes of a launch, the coordinator lane included (at least 2).
    pub workers: u32,
    /// Bytes of the shared region (the `Shared` value, then the arena).
    pub shared_bytes: u64,
    /// Bytes of each lane's scratch region.
    pub scratch_bytes: u64,
    /// The default fuel budget of a launch.
    pub fuel: u64,
    /// Names of the module's `#[worker]` functions, in source order.
    pub worker_names: Cow<'static, [Cow<'static, str>]>,
    /// Whether the shared type owns data outside its inline bytes (it has
    /// drop glue: a `Vec`, `Box`, `String`, `Partitioned`, ...), which
    /// `shared_bytes` does not count.
    pub shared_owns_data: bool,
}

impl TaskletInfo {
    /// A `TaskletInfo` from `'static` data, usable in constants.
    pub const fn new(
        name: &'static str,
        workers: u32,
        shared_bytes: u64,
        scratch_bytes: u64,
        fuel: u64,
        worker_names: &'static [Cow<'static, str>],
    ) -> Self {
        Self {
            name: Cow::Borrowed(name),
            workers,
            shared_bytes,
            scratch_bytes,
            fuel,
            worker_names: Cow::Borrowed(worker_names),
            shared_owns_data: false,
        }
    }

    /// This `TaskletInfo` with [`shared_owns_data`](Self::shared_owns_data)
    /// set as `owns` says (`core::mem::needs_drop::<Shared>()`).
    pub const fn shared_owning_data(mut self, owns: bool) -> Self {
        self.shared_owns_data = owns;
        self
    }

    /// Data lanes of a launch: `workers - 1`.
    pub const fn data_workers(&self) -> u32 {
        self.workers.saturating_sub(1)
    }
}
