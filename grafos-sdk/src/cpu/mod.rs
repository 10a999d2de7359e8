//! Shared-memory tasklet SDK surface.
//!
//! This module exposes the programmer-facing types for shared-memory
//! tasklets: a builder, a coordinator context, a worker context, typed views
//! over the shared region and per-worker scratch, and partition helpers.
//! The same types run on the host mock (OS threads, under `cargo test`) and,
//! compiled to `wasm32-unknown-unknown`, in grafos-runtime.
//!
//! # Source portability
//!
//! The promise is behavioural: the same tasklet produces byte-identical
//! output on both targets. Each method's rustdoc carries one of three tags:
//!
//! - **Portable.** Compiles and behaves identically on both targets.
//! - **Behavior diverges across targets.** Compiles on both but means
//!   different things ([`CoordinatorCtx::barrier`], `fuel_remaining`).
//!   `#[grafos::tasklet]` warns at such calls.
//! - **Target-specific.** Raw lane space (`worker_index`, `worker_count`,
//!   [`CoordinatorCtx::scratch`]) and host- or wasm-only methods
//!   (`host_thread_id`, `guest_memory_bytes`). `#[grafos::tasklet]` rejects
//!   them unless the call is inside `#[target_specific]`; outside a tasklet
//!   module they stay callable, with `#[cfg]` as the honest tool.
//!
//! # Coordinator-lane programming model
//!
//! A launch runs on `workers` raw lanes. Lane 0 is the coordinator and runs
//! only the coordinator closure; [`CoordinatorCtx::parallel_for_workers`] runs
//! the worker body once on each data lane `1..worker_count()` and returns when
//! all have returned (a **region**). The `data_worker_index()` /
//! `data_worker_count()` / `data_scratch(i)` helpers expose the data lane
//! space (`0..workers - 1`) for partitioning; the raw `worker_index()` /
//! `worker_count()` / `scratch(i)` accessors keep raw lane-space semantics for
//! advanced cases.
//!
//! [`CoordinatorCtx::parallel_for_tasks`] runs a region of `n` tasks instead,
//! task `t` on data lane `t % data_worker_count()`: for more pieces of work
//! than lanes. A [`Partitioned`] field of the shared value is an array that
//! lanes (or tasks) write part by part, each its own, or read whole: the
//! `par_iter_mut` of tasklets (see its docs).
//!
//! Determinism rules, which make the output byte-identical: no data races;
//! combine results in lane order (the collectives, [`WorkerCtx::all_reduce`]
//! and its kin, and [`CoordinatorCtx::map_workers`] do) or with commutative
//! integer atomics, or write disjoint parts of a [`Partitioned`] array; never
//! wait on another lane except through [`WorkerCtx::barrier`] (a spin-wait
//! never ends on the runtime, where lanes take turns on one thread and switch
//! only inside SDK calls); no clocks, randomness, threads, I/O or
//! thread-locals; floats only in a fixed evaluation order. Holding a `Mutex`
//! across a barrier diverges too: on the host the other lanes block, on the
//! runtime the lock is never contended.
//!
//! # What the host mock is not
//!
//! It runs your code natively: a worker that loops forever without a fuel
//! checkpoint or barrier cannot be stopped (the runtime stops it with fuel or
//! a deadline), and a stack overflow aborts the process as any Rust thread's
//! does.
//!
//! # Programming model
//!
//! ```
//! use grafos::cpu::{CpuBuilder, CoordinatorCtx, WorkerCtx};
//! use std::sync::atomic::{AtomicU32, Ordering};
//!
//! #[derive(Default)]
//! struct Shared {
//!     counter: AtomicU32,
//! }
//!
//! #[derive(Default, Clone)]
//! struct Scratch {
//!     local: u32,
//! }
//!
//! let lease = CpuBuilder::new().cores(4).acquire().unwrap();
//! let _ = lease.cpu().shared_memory_tasklet::<Shared, Scratch>()
//!     .cores(4)
//!     .workers(4)
//!     .shared_bytes(1024)
//!     .scratch_bytes_per_worker(64)
//!     .fuel(1_000_000)
//!     .launch(|coord: &mut CoordinatorCtx<Shared, Scratch>| {
//!         // Coordinator: load input, orchestrate phases, emit output.
//!         coord.parallel_for_workers(|w| {
//!             w.scratch_mut().local = w.worker_index() as u32;
//!             w.shared().counter.fetch_add(1, Ordering::SeqCst);
//!         }).unwrap();
//!         let n = coord.shared().counter.load(Ordering::SeqCst);
//!         coord.set_output(&n.to_le_bytes());
//!         Ok(())
//!     });
//! ```
//!
//! With the coordinator-lane model, `workers(4)` is lane 0 coordinating and
//! lanes 1, 2 and 3 working, so the output is 3:
//!
//! ```
//! # use grafos::cpu::{CpuBuilder, CoordinatorCtx};
//! # use std::sync::atomic::{AtomicU32, Ordering};
//! # #[derive(Default)] struct Shared { counter: AtomicU32 }
//! # #[derive(Default, Clone)] struct Scratch { local: u32 }
//! let lease = CpuBuilder::new().cores(4).acquire().unwrap();
//! let result = lease.cpu().shared_memory_tasklet::<Shared, Scratch>()
//!     .cores(4)
//!     .workers(4)
//!     .shared_bytes(1024)
//!     .scratch_bytes_per_worker(64)
//!     .fuel(1_000_000)
//!     .launch(|coord: &mut CoordinatorCtx<Shared, Scratch>| {
//!         coord.parallel_for_workers(|w| {
//!             w.scratch_mut().local = w.worker_index() as u32;
//!             w.shared().counter.fetch_add(1, Ordering::SeqCst);
//!         }).unwrap();
//!         let n = coord.shared().counter.load(Ordering::SeqCst);
//!         coord.set_output(&n.to_le_bytes());
//!         Ok(())
//!     })
//!     .unwrap();
//! assert_eq!(result.output(), &3u32.to_le_bytes());
//! ```

mod builder;
pub(crate) mod collective;
mod context;
mod input;
pub mod partition;
mod partitioned;
mod region;

pub(crate) use builder::LaunchConfig;
pub use builder::{Cpu, CpuBuilder, CpuLease, SharedTaskletBuilder};
pub use collective::MAX_COLLECTIVE_BYTES;
pub(crate) use context::{CoordinatorBackend, LaneBackend, RegionJob};
pub use context::{
    CoordinatorCtx, CoordinatorParts, Lane, LaneResult, Task, WorkerCtx, WorkerParts,
};
pub use grafos_abi::{
    CancelRegistration, CancelToken, Cancelled, DEFAULT_FUEL, FuelExhausted, LaneOrder, Limit,
    MAX_LANES, MIN_LANES, SharedTaskletResult, TaskletError,
};
pub use input::INPUT_ALIGN;
pub(crate) use input::{LaunchInput, view as input_view};
pub use partitioned::{DoubleBuffer, Owner, PartMut, PartRef, Partitioned, Split, VecGuard};
pub use region::{ARENA_ALIGN, SharedRegion, WorkerScratch};
