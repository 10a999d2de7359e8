//! # grafos-runtime
//!
//! Runs grafos tasklets compiled to `wasm32-unknown-unknown` on the wasmi
//! interpreter: sandboxed, fuel-metered, cancellable and deterministic, with
//! the same output and the same failures as the host mock.
//!
//! ```no_run
//! use grafos_runtime::{RunOptions, Runtime, RuntimeConfig};
//! let runtime = Runtime::new(RuntimeConfig::default());
//! let module = runtime.load(&std::fs::read("tasklets.wasm")?)?;
//! let result = module.run("histogram", b"abca", RunOptions::default())?;
//! assert_eq!(result.regions(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Architecture
//!
//! - [`load`](Runtime::load) (`load.rs`) checks a module against ABI
//!   `grafos_worker_v0` ([`grafos_abi`]): imports, exports, the tasklet
//!   records. `rewrite.rs` then instruments it with stack-limit checks and
//!   compiles it once; every launch shares the compiled module.
//! - A launch (`scheduler.rs`) runs every lane in one wasmi store and
//!   instance on one OS thread: lanes are resumable calls that switch only
//!   inside `parallel_for` and `barrier`, each on its own stack carved from
//!   guest memory. `host_fns.rs` implements the imports; `state.rs` holds the
//!   launch's state and its failure rule (the first failure is the cause);
//!   `limits.rs` caps memory.
//! - Fuel: the store's fuel is the launch's pool (imports charge one unit
//!   per 64 bytes they copy, as wasmi's `memory.copy` does, so fuel bounds
//!   their work too); lanes run in slices of it so the deadline and the
//!   cancel token are checked while a lane computes, without ever switching
//!   lanes there. When the pool runs dry (or the
//!   launch fails) each lane gets a small grace budget to reach its next
//!   checkpoint or barrier and return; a lane that spends it is stopped.
//! - [`Runtime::spawn`] runs launches in parallel on a pool of OS threads.
//!
//! This crate is the engine alone, for embedders: it depends on
//! `grafos-abi` (the ABI's one definition) and wasmi, not on the SDK, the
//! macro or a command line. `grafos-build` compiles a crate's tasklets for
//! wasm32; `grafos-cli` is the `grafos` program (`grafos build`, `inspect`,
//! `run`, `demo`); the SDK's `grafos::fidelity` and each tasklet's generated
//! cross-target test run a tasklet here and on the host mock.
//!
//! Determinism: the same module, input and fuel give the same output and the
//! same `fuel_used`, run after run: scheduling depends only on the guest's
//! own calls, never on time.
//!
//! Containment: nothing a guest does makes the runtime panic, hang or exceed
//! its limits; it ends the launch with a [`TaskletError`]. Guest memory is
//! capped by [`RunOptions::max_memory_bytes`]; besides it, a launch holds
//! the interpreter's own stack for each running lane (wasmi's value stack,
//! at most [`MAX_VALUE_STACK_BYTES`] per lane, and at most
//! [`MAX_CALL_DEPTH`] nested calls, past which a launch fails with
//! `TaskletError::CallDepthExceeded`) and the input and output.
//!
//! # Building
//!
//! In an optimised build, wasmi dispatches by tail calls between its
//! instruction handlers and relies on LLVM turning them into jumps.
//! Debug assertions or overflow checks in wasmi, coverage instrumentation
//! and sanitizers prevent that: the handlers then nest native frames, and
//! a guest's deep recursion (with debug assertions, even a long loop)
//! overflows the thread's stack, which aborts the process. (Unoptimised,
//! wasmi picks its loop dispatch by itself.) This workspace's `Cargo.toml`
//! builds wasmi optimised and without checks in every profile. An embedder
//! who cannot (`cargo llvm-cov`, say) enables the `portable-dispatch`
//! feature: wasmi's loop dispatch never nests, at about 2.5 times the
//! interpretation time (docs/PERFORMANCE.md).

mod error;
mod fuel;
mod host_fns;
mod launch_trace;
mod limits;
mod load;
mod module;
mod options;
mod rewrite;
mod runtime;
mod scheduler;
mod state;

pub use error::LoadError;
pub use module::TaskletModule;
pub use options::{
    DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_MEMORY_BYTES, DEFAULT_MAX_OUTPUT_BYTES,
    DEFAULT_STACK_BYTES_PER_LANE, DebugLog, MAX_CALL_DEPTH, MAX_VALUE_STACK_BYTES,
    MIN_STACK_BYTES_PER_LANE, RunOptions, RuntimeConfig,
};
pub use runtime::{LaunchHandle, Runtime};

pub use grafos_abi::TaskletInfo;
/// Traces of launches ([`RunOptions::trace`]): the format the host mock
/// writes too.
pub use grafos_abi::trace;
pub use grafos_abi::{CancelToken, LaneOrder, SharedTaskletResult, TaskletError};
