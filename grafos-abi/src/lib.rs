//! ABI `grafos_worker_v0`: how a tasklet compiled to `wasm32-unknown-unknown`
//! talks to the grafos runtime.
//!
//! This crate is the single source of truth for both sides, and depends on
//! nothing heavy: the guest backend (`grafos` compiled for wasm32) expands
//! its `extern` block from [`for_each_import!`] and exports the names in
//! [`export`]; the runtime (`grafos-runtime`) expands its linker definitions
//! from the same list, looks up the same export names, and decodes the
//! custom section with [`decode_records`]. A host function or an extern
//! that disagrees with the list does not compile. It also holds what both
//! sides say about a launch: [`TaskletError`] and its encoding, the limits,
//! [`LaneOrder`], [`CancelToken`], [`SharedTaskletResult`].
//!
//! # Execution model
//!
//! All lanes of a launch run in one wasm instance, one at a time. The runtime
//! calls the coordinator entry `grafos_v0_tasklet_<name>` on lane 0. When the
//! coordinator calls [`import::PARALLEL_FOR`] with a job pointer, the runtime
//! runs [`export::RUN_LANE`]`(job, lane)` once for every data lane
//! `1..workers`, each on its own stack (the runtime sets
//! [`export::STACK_POINTER`] when it switches lanes), and lanes switch only
//! inside [`import::BARRIER`] and [`import::PARALLEL_FOR`].
//!
//! # Imports (module [`IMPORT_MODULE`])
//!
//! Pointers and lengths are `i32` holding a `u32` offset into the guest's
//! linear memory; the runtime bounds-checks every one of them and fails the
//! launch with `TaskletError::Abi` on a violation (the call never returns).
//!
//! Every import, its signature and what it does: [`import`] (a constant per
//! import, with its docs) and [`IMPORTS`], both expanded from the one list
//! in [`for_each_import!`].
//!
//! # Exports
//!
//! | name | signature | meaning |
//! |---|---|---|
//! | `grafos_v0_tasklet_<name>` | `() -> i32` | run tasklet `<name>`'s coordinator on lane 0; a [`status`] |
//! | `grafos_v0_run_lane` | `(job: i32, lane: i32) -> i32` | run the job the coordinator passed to `parallel_for` on data lane `lane`; a [`status`] |
//! | `grafos_v0_alloc` | `(size: i32, align: i32) -> i32` | allocate guest memory (lane stacks); 0 when out of memory |
//! | `memory` | memory | the linear memory |
//! | `__stack_pointer` | mutable `i32` global | the shadow-stack pointer; the runtime may add this export itself (wasm-ld always makes global 0 the stack pointer) |
//!
//! # Custom section [`TASKLETS_SECTION`]
//!
//! The concatenation of one record per tasklet, each made by
//! [`encode_record`]; all integers are little-endian, a string is a `u32`
//! byte length followed by UTF-8 bytes:
//!
//! ```text
//! magic      4 bytes  b"grfT"
//! version    u32      ABI_VERSION
//! body_len   u32      length of what follows
//! name       string
//! workers    u32      lanes, including the coordinator lane
//! shared     u64      shared_bytes
//! scratch    u64      scratch_bytes_per_worker
//! fuel       u64      default fuel budget
//! count      u32      number of worker function names
//! names      string × count
//! ```
//!
//! # Errors across the boundary
//!
//! A `TaskletError` crosses the boundary encoded by [`encode_error`]: a `u32`
//! tag ([`error_tag`]) followed by the variant's fields in declaration order
//! (numbers as `u64`, strings as above). [`decode_error`] never panics on
//! malformed bytes.

mod cancel;
mod codec;
mod error;
mod error_codec;
mod info;
mod interface;
mod limits;
mod record;
mod result;
mod schedule;
pub mod trace;

pub use cancel::{CancelRegistration, CancelToken};
pub use error::{Cancelled, FuelExhausted, Limit, TaskletError, barrier_mismatch};
pub use info::TaskletInfo;
pub use limits::{DEFAULT_FUEL, MAX_LANES, MIN_LANES};
pub use result::SharedTaskletResult;
pub use schedule::LaneOrder;

pub use codec::DecodeError;
pub use error_codec::{decode_error, encode_error, error_tag};
pub use interface::{
    IMPORT_MODULE, IMPORTS, Import, Signature, ValType, export, find_import, import, status,
    tasklet_export,
};
pub use record::{decode_records, encode_record, encode_record_vec, record_len};

/// The custom section holding one record per tasklet in the module.
pub const TASKLETS_SECTION: &str = "grafos_worker_v0.tasklets";

/// The ABI version written in every record; the runtime rejects others.
pub const ABI_VERSION: u32 = 0;

/// The first four bytes of every record in [`TASKLETS_SECTION`].
pub const RECORD_MAGIC: [u8; 4] = *b"grfT";

#[cfg(test)]
mod tests;
