//! [`TaskletModule`]: a loaded, compiled module, ready to run its tasklets.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use grafos_abi::TaskletInfo;
use grafos_abi::{SharedTaskletResult, TaskletError};
use wasmi::{Engine, Linker, Module};

use crate::options::{RunOptions, RuntimeConfig};
use crate::scheduler::LaneScheduler;
use crate::state::LaunchState;

/// What every launch of a module shares: one compiled module, one linker.
pub(crate) struct ModuleInner {
    pub(crate) engine: Engine,
    pub(crate) module: Module,
    pub(crate) linker: Arc<Linker<LaunchState>>,
    pub(crate) config: RuntimeConfig,
    pub(crate) tasklets: Vec<TaskletInfo>,
    pub(crate) imports: Vec<String>,
    pub(crate) size_bytes: usize,
}

/// A module that passed [`Runtime::load`](crate::Runtime::load): checked
/// against ABI `grafos_worker_v0`, instrumented and compiled once. Cloning
/// is cheap; every clone and every launch shares the compiled code.
///
/// ```no_run
/// use grafos_runtime::{RunOptions, Runtime, RuntimeConfig};
/// let runtime = Runtime::new(RuntimeConfig::default());
/// let wasm = std::fs::read("target/grafos-wasm/wasm32-unknown-unknown/release/my_tasklets.wasm")?;
/// let module = runtime.load(&wasm)?;
/// for info in module.tasklets() {
///     println!("{}: {} lanes", info.name, info.workers);
/// }
/// let result = module.run("histogram", b"abca", RunOptions::default())?;
/// println!("{} bytes, {} fuel", result.output().len(), result.fuel_used());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct TaskletModule {
    pub(crate) inner: Arc<ModuleInner>,
}

impl TaskletModule {
    /// The tasklets the module declares, in the order of its records.
    pub fn tasklets(&self) -> &[TaskletInfo] {
        &self.inner.tasklets
    }

    /// The tasklet named `name`, if the module has one.
    pub fn tasklet(&self, name: &str) -> Option<&TaskletInfo> {
        self.inner.tasklets.iter().find(|t| t.name == name)
    }

    /// The ABI imports the module uses, in its import order.
    pub fn imports(&self) -> &[String] {
        &self.inner.imports
    }

    /// Size of the module as loaded, in bytes.
    pub fn size_bytes(&self) -> usize {
        self.inner.size_bytes
    }

    /// Runs tasklet `name` with `input` on the calling thread: one launch,
    /// in a fresh instance of the module.
    ///
    /// Returns the output the coordinator set with the fuel it used and the
    /// regions and barrier rounds it ran, or the error that caused the
    /// launch to fail, exactly as the host mock would: the first failure of
    /// any lane, exhausted fuel, cancellation, the deadline, or a trap,
    /// stack overflow, memory limit or ABI violation of the guest. An
    /// unknown `name` is `TaskletError::InvalidConfig`.
    pub fn run(
        &self,
        name: &str,
        input: &[u8],
        options: RunOptions,
    ) -> Result<SharedTaskletResult, TaskletError> {
        self.run_owned(name, input.to_vec(), options)
    }

    pub(crate) fn run_owned(
        &self,
        name: &str,
        input: Vec<u8>,
        options: RunOptions,
    ) -> Result<SharedTaskletResult, TaskletError> {
        let Some(info) = self.tasklet(name) else {
            let names: Vec<&str> = self.tasklets().iter().map(|t| &*t.name).collect();
            return Err(TaskletError::InvalidConfig {
                reason: format!(
                    "the module has no tasklet `{name}` (it has: {})",
                    names.join(", ")
                ),
            });
        };
        // The runtime must survive anything a guest does; should it have a
        // bug of its own, the launch fails instead of the caller's thread.
        let launched = catch_panic(|| LaneScheduler::run(&self.inner, info, input, &options));
        launched.unwrap_or_else(|message| {
            Err(TaskletError::Trap {
                lane: 0,
                message: format!("internal error in grafos-runtime: {message}"),
            })
        })
    }
}

/// Runs `f`, turning a panic into its message (empty when the payload is
/// not a string), so that a bug of the runtime's or wasmi's fails one call
/// instead of unwinding into the embedder's code.
pub(crate) fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

impl std::fmt::Debug for TaskletModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskletModule")
            .field("tasklets", &self.inner.tasklets)
            .field("imports", &self.inner.imports)
            .field("size_bytes", &self.inner.size_bytes)
            .finish_non_exhaustive()
    }
}
