//! # grafos
//!
//! Write a shared-memory tasklet once — one coordinator and N data workers
//! sharing one region of memory — and run it natively on the host mock under
//! `cargo test`, or compiled to `wasm32-unknown-unknown` in grafos-runtime,
//! with byte-identical output.
//!
//! - [`cpu`]: the SDK surface: builder, contexts, regions, partitioning,
//!   errors.
//! - [`abi`]: ABI `grafos_worker_v0` between a wasm guest and the runtime.
//! - [`tasklet`]: the attribute that turns a module into a tasklet, with
//!   compile-time portability checks.
//! - [`prelude`]: what a tasklet module usually imports.
//!
//! The backend is chosen by target: on `wasm32` the SDK talks to the runtime
//! through the ABI imports; everywhere else it is the host mock, which runs
//! each data lane on an OS thread.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub use grafos_abi as abi;
pub mod cpu;
#[cfg(not(target_arch = "wasm32"))]
mod cross_target;
#[cfg(all(feature = "cross-target", not(target_arch = "wasm32")))]
pub mod fidelity;
pub mod math;
pub mod trace;

#[cfg(not(target_arch = "wasm32"))]
mod host;
#[cfg(not(target_arch = "wasm32"))]
use host as backend;

#[cfg(target_arch = "wasm32")]
mod guest;
#[cfg(target_arch = "wasm32")]
use guest as backend;

pub use grafos_abi::TaskletInfo;
pub use grafos_macros::{coordinator, target_specific, tasklet, worker};

/// The README's examples, run as doctests so the README stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

/// What a tasklet module usually imports.
///
/// ```
/// use grafos::prelude::*;
/// fn lane_sum(w: &mut WorkerCtx<(), ()>) -> Result<(), TaskletError> {
///     w.barrier()?;
///     Ok(())
/// }
/// ```
pub mod prelude {
    pub use crate::cpu::{
        CancelToken, Cancelled, CoordinatorCtx, DoubleBuffer, FuelExhausted, Lane, Partitioned,
        SharedTaskletResult, Split, Task, TaskletError, WorkerCtx,
    };
    pub use crate::{coordinator, target_specific, tasklet, worker};
}

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
