//! The functions both sides of the boundary call: the imports (declared
//! once, in [`for_each_import!`]), the exports, and the status codes.

/// A wasm value type used in an ABI signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    /// `i32`: a status, a length, or a pointer into linear memory.
    I32,
    /// `i64`: a fuel amount.
    I64,
}

/// Parameter and result types of an imported or exported function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature {
    /// Parameter types, in order.
    pub params: &'static [ValType],
    /// Result types, in order.
    pub results: &'static [ValType],
}

/// One function the guest imports from [`IMPORT_MODULE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Import {
    /// The import's field name.
    pub name: &'static str,
    /// Its wasm signature.
    pub signature: Signature,
}

use ValType::I32;

const fn sig(params: &'static [ValType], results: &'static [ValType]) -> Signature {
    Signature { params, results }
}

/// Calls `$callback!` with every import of the ABI, declared once: the
/// import module's name, then per import its doc, the name of its constant
/// in [`import`], its field name, its parameters and its result, all as wasm
/// value types (`i32`, `i64`).
///
/// [`import`] and [`IMPORTS`] below, the guest's `extern` block (in the SDK)
/// and the runtime's linker definitions are all expanded from this list, so
/// adding an import is one entry here plus its host function in the runtime
/// (a missing or mistyped one is a compile error there).
///
/// ```
/// macro_rules! names {
///     (module = $module:literal;
///      $($(#[$doc:meta])* $konst:ident = $name:ident($($param:ident: $ty:ident),*) -> ($($ret:ident)?);)*) => {
///         [$(stringify!($name)),*]
///     };
/// }
/// let names = grafos_abi::for_each_import!(names);
/// assert_eq!(names.len(), grafos_abi::IMPORTS.len());
/// assert!(names.contains(&"barrier"));
/// ```
#[macro_export]
macro_rules! for_each_import {
    ($callback:ident) => {
        $callback! {
            module = "grafos_worker_v0";
            /// `() -> i32`: lanes of this launch, the coordinator lane
            /// included: the record's `workers` unless the operator chose
            /// another count.
            WORKERS = workers() -> (i32);
            /// `() -> i32`: length of the launch input in bytes.
            INPUT_LEN = input_len() -> (i32);
            /// `(dst, offset, len)`: copy `input[offset..offset + len]` to `dst`.
            INPUT_READ = input_read(dst: i32, offset: i32, len: i32) -> ();
            /// `(ptr, len)`: replace the launch output with `len` bytes at `ptr`.
            OUTPUT_SET = output_set(ptr: i32, len: i32) -> ();
            /// `(job, lanes) -> status`: lane 0 only: run
            /// `grafos_v0_run_lane(job, l)` for `l` in `1..lanes` (`lanes`
            /// must equal what `workers` returns), return a status.
            PARALLEL_FOR = parallel_for(job: i32, lanes: i32) -> (i32);
            /// `() -> status`: wait for every data lane of the current
            /// region; on lane 0, a scheduling and cancellation point. `OK`
            /// or `CANCELLED`.
            BARRIER = barrier() -> (i32);
            /// `() -> status`: a cancellation point; `OK`, or
            /// `FUEL_EXHAUSTED` once the launch grants no more fuel.
            FUEL_CHECKPOINT = fuel_checkpoint() -> (i32);
            /// `() -> i64`: fuel left in the launch's pool.
            FUEL_REMAINING = fuel_remaining() -> (i64);
            /// `() -> i32`: 1 once the launch is cancelled or has failed,
            /// else 0.
            IS_CANCELLED = is_cancelled() -> (i32);
            /// `(ptr, len)`: report this lane's error, encoded by
            /// `encode_error`, before returning `FAILED`.
            FAIL = fail(ptr: i32, len: i32) -> ();
            /// `(ptr, cap) -> len`: after a status other than `OK`, copy
            /// the launch's error (encoded by `encode_error`) to `ptr` if it
            /// fits in `cap` bytes; returns its length.
            ERROR_READ = error_read(ptr: i32, cap: i32) -> (i32);
            /// `(ptr, len)`: this lane panics with the UTF-8 message at
            /// `ptr`; the guest traps right after.
            PANIC = panic(ptr: i32, len: i32) -> ();
            /// `(ptr, len)`: a UTF-8 line for the operator's log; no
            /// effect on the launch.
            DEBUG_LOG = debug_log(ptr: i32, len: i32) -> ();
        }
    };
}

/// The [`ValType`] of a wasm value type's name in [`for_each_import!`].
macro_rules! val_type {
    (i32) => {
        ValType::I32
    };
    (i64) => {
        ValType::I64
    };
}

macro_rules! declare_imports {
    (module = $module:literal;
     $($(#[$doc:meta])* $konst:ident = $name:ident($($param:ident: $ty:ident),*) -> ($($ret:ident)?);)*) => {
        /// The module every guest import comes from.
        pub const IMPORT_MODULE: &str = $module;

        /// Names of the functions the guest imports from [`IMPORT_MODULE`].
        pub mod import {
            $($(#[$doc])* pub const $konst: &str = stringify!($name);)*
        }

        /// Every import of ABI `grafos_worker_v0`, with its signature. A
        /// guest may import any subset; it may import nothing else.
        pub const IMPORTS: &[Import] = &[
            $(Import {
                name: import::$konst,
                signature: sig(&[$(val_type!($ty)),*], &[$(val_type!($ret))?]),
            },)*
        ];
    };
}

for_each_import!(declare_imports);

/// Looks up an import of the ABI by name.
///
/// ```
/// use grafos_abi::{self as abi, ValType};
/// let barrier = abi::find_import("barrier").unwrap();
/// assert_eq!(barrier.signature.results, &[ValType::I32]);
/// assert!(abi::find_import("clock_time_get").is_none());
/// ```
pub fn find_import(name: &str) -> Option<&'static Import> {
    IMPORTS.iter().find(|import| import.name == name)
}

/// Names and signatures of what the guest exports.
pub mod export {
    use super::{I32, Signature, sig};

    /// Prefix of every coordinator entry: `grafos_v0_tasklet_<name>`.
    pub const TASKLET_PREFIX: &str = "grafos_v0_tasklet_";
    /// Signature of a coordinator entry: `() -> status`.
    pub const TASKLET_SIGNATURE: Signature = sig(&[], &[I32]);
    /// The lane trampoline: `(job, lane) -> status`.
    pub const RUN_LANE: &str = "grafos_v0_run_lane";
    /// Signature of [`RUN_LANE`].
    pub const RUN_LANE_SIGNATURE: Signature = sig(&[I32, I32], &[I32]);
    /// The allocator entry: `(size, align) -> ptr`, 0 when out of memory.
    pub const ALLOC: &str = "grafos_v0_alloc";
    /// Signature of [`ALLOC`].
    pub const ALLOC_SIGNATURE: Signature = sig(&[I32, I32], &[I32]);
    /// The linear memory.
    pub const MEMORY: &str = "memory";
    /// The shadow-stack pointer global (mutable `i32`).
    pub const STACK_POINTER: &str = "__stack_pointer";
}

/// The export name of tasklet `name`'s coordinator entry.
///
/// ```
/// assert_eq!(grafos_abi::tasklet_export("histogram"), "grafos_v0_tasklet_histogram");
/// ```
pub fn tasklet_export(name: &str) -> String {
    format!("{}{name}", export::TASKLET_PREFIX)
}

/// Status codes returned by the imports and exports that return a status.
pub mod status {
    /// Success.
    pub const OK: i32 = 0;
    /// The launch was cancelled or has failed; stop at once.
    pub const CANCELLED: i32 = 1;
    /// The launch grants no more fuel.
    pub const FUEL_EXHAUSTED: i32 = 2;
    /// From the guest: this lane reported its error through `fail`. From
    /// `parallel_for`: the launch failed; read why with `error_read`.
    pub const FAILED: i32 = 3;
}
