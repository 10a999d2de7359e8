//! ABI `grafos_worker_v0`: how a tasklet compiled to `wasm32-unknown-unknown`
//! talks to the grafos runtime.
//!
//! This module is the single source of truth for both sides: the guest
//! backend (`grafos` compiled for wasm32) declares its imports from the
//! [`IMPORTS`] table and exports the names in [`export`]; the runtime
//! (`grafos-runtime`) links exactly the [`IMPORTS`] table, looks up the same
//! export names, and decodes the custom section with [`decode_records`].
//! A test builds a guest module and checks its import list against
//! [`IMPORTS`], so the two sides cannot drift.
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
//! | name | signature | meaning |
//! |---|---|---|
//! | `workers` | `() -> i32` | lanes of this launch, the coordinator lane included: the record's `workers` unless the operator chose another count |
//! | `input_len` | `() -> i32` | length of the launch input in bytes |
//! | `input_read` | `(dst: i32, offset: i32, len: i32)` | copy `input[offset..offset + len]` to `dst` |
//! | `output_set` | `(ptr: i32, len: i32)` | replace the launch output with `len` bytes at `ptr` |
//! | `parallel_for` | `(job: i32, lanes: i32) -> i32` | lane 0 only: run `grafos_v0_run_lane(job, l)` for `l` in `1..lanes` (`lanes` must equal what `workers` returns), return a [`status`] |
//! | `barrier` | `() -> i32` | wait for every data lane of the current region; on lane 0, a scheduling and cancellation point; [`status::OK`] or [`status::CANCELLED`] |
//! | `fuel_checkpoint` | `() -> i32` | a cancellation point; [`status::OK`], or [`status::FUEL_EXHAUSTED`] once the launch grants no more fuel |
//! | `fuel_remaining` | `() -> i64` | fuel left in the launch's pool |
//! | `is_cancelled` | `() -> i32` | 1 once the launch is cancelled or has failed, else 0 |
//! | `fail` | `(ptr: i32, len: i32)` | report this lane's error, encoded by [`encode_error`], before returning [`status::FAILED`] |
//! | `error_read` | `(ptr: i32, cap: i32) -> i32` | after a non-OK [`status`], copy the launch's error (encoded by [`encode_error`]) to `ptr` if it fits in `cap` bytes; returns its length |
//! | `panic` | `(ptr: i32, len: i32)` | this lane panics with the UTF-8 message at `ptr`; the guest traps right after |
//! | `debug_log` | `(ptr: i32, len: i32)` | a UTF-8 line for the operator's log; no effect on the launch |
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

use std::borrow::Cow;

mod cancel;
mod error;
mod info;
mod limits;
mod result;
mod schedule;

pub use cancel::{CancelRegistration, CancelToken};
pub use error::{Cancelled, FuelExhausted, Limit, TaskletError, barrier_mismatch};
pub use info::TaskletInfo;
pub use limits::{DEFAULT_FUEL, MAX_LANES, MIN_LANES};
pub use result::SharedTaskletResult;
pub use schedule::LaneOrder;

/// The custom section holding one record per tasklet in the module.
pub const TASKLETS_SECTION: &str = "grafos_worker_v0.tasklets";

/// The ABI version written in every record; the runtime rejects others.
pub const ABI_VERSION: u32 = 0;

/// The first four bytes of every record in [`TASKLETS_SECTION`].
pub const RECORD_MAGIC: [u8; 4] = *b"grfT";

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
            /// `() -> i32`: lanes of this launch, the coordinator lane included.
            WORKERS = workers() -> (i32);
            /// `() -> i32`: length of the launch input in bytes.
            INPUT_LEN = input_len() -> (i32);
            /// `(dst, offset, len)`: copy part of the input into guest memory.
            INPUT_READ = input_read(dst: i32, offset: i32, len: i32) -> ();
            /// `(ptr, len)`: replace the launch output.
            OUTPUT_SET = output_set(ptr: i32, len: i32) -> ();
            /// `(job, lanes) -> status`: run a region on every data lane.
            PARALLEL_FOR = parallel_for(job: i32, lanes: i32) -> (i32);
            /// `() -> status`: wait for every data lane of the region.
            BARRIER = barrier() -> (i32);
            /// `() -> status`: spend one checkpoint; a cancellation point.
            FUEL_CHECKPOINT = fuel_checkpoint() -> (i32);
            /// `() -> i64`: fuel left in the launch's pool.
            FUEL_REMAINING = fuel_remaining() -> (i64);
            /// `() -> i32`: 1 once the launch is cancelled or failed.
            IS_CANCELLED = is_cancelled() -> (i32);
            /// `(ptr, len)`: report this lane's encoded error.
            FAIL = fail(ptr: i32, len: i32) -> ();
            /// `(ptr, cap) -> len`: read the launch's encoded error.
            ERROR_READ = error_read(ptr: i32, cap: i32) -> (i32);
            /// `(ptr, len)`: this lane panics with a message; a trap follows.
            PANIC = panic(ptr: i32, len: i32) -> ();
            /// `(ptr, len)`: a line for the operator's log.
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

// ---------------------------------------------------------------------------
// Tasklet records
// ---------------------------------------------------------------------------

#[allow(clippy::ptr_arg)] // `Deref` is not `const`: match on the `Cow` itself.
const fn cow_str<'a>(s: &'a Cow<'static, str>) -> &'a str {
    match s {
        Cow::Borrowed(s) => s,
        Cow::Owned(s) => s.as_str(),
    }
}

#[allow(clippy::ptr_arg)] // as above
const fn cow_names<'a>(names: &'a Cow<'static, [Cow<'static, str>]>) -> &'a [Cow<'static, str>] {
    match names {
        Cow::Borrowed(names) => names,
        Cow::Owned(names) => names.as_slice(),
    }
}

/// The length in bytes of `info`'s record, as written by [`encode_record`].
pub const fn record_len(info: &TaskletInfo) -> usize {
    let names = cow_names(&info.worker_names);
    let mut len = 4 + 4 + 4; // magic, version, body_len
    len += 4 + cow_str(&info.name).len();
    len += 4 + 8 + 8 + 8 + 4;
    let mut i = 0;
    while i < names.len() {
        len += 4 + cow_str(&names[i]).len();
        i += 1;
    }
    len
}

/// Copies `data` into `out` at `at`; returns the offset after it.
const fn put(out: &mut [u8], mut at: usize, data: &[u8]) -> usize {
    let mut i = 0;
    while i < data.len() {
        out[at] = data[i];
        at += 1;
        i += 1;
    }
    at
}

const fn put_str(out: &mut [u8], at: usize, s: &str) -> usize {
    let at = put(out, at, &(s.len() as u32).to_le_bytes());
    put(out, at, s.as_bytes())
}

/// Writes `info`'s record into `out`, which is [`record_len`]`(info)`
/// bytes long: the one definition of the layout, for both encoders.
const fn write_record(info: &TaskletInfo, out: &mut [u8]) {
    assert!(
        out.len() == record_len(info),
        "record buffer length must be record_len(info)"
    );
    let names = cow_names(&info.worker_names);
    let mut at = put(out, 0, &RECORD_MAGIC);
    at = put(out, at, &ABI_VERSION.to_le_bytes());
    at = put(out, at, &((out.len() - 12) as u32).to_le_bytes());
    at = put_str(out, at, cow_str(&info.name));
    at = put(out, at, &info.workers.to_le_bytes());
    at = put(out, at, &info.shared_bytes.to_le_bytes());
    at = put(out, at, &info.scratch_bytes.to_le_bytes());
    at = put(out, at, &info.fuel.to_le_bytes());
    at = put(out, at, &(names.len() as u32).to_le_bytes());
    let mut i = 0;
    while i < names.len() {
        at = put_str(out, at, cow_str(&names[i]));
        i += 1;
    }
}

/// Encodes `info` as a [`TASKLETS_SECTION`] record. `N` must be
/// [`record_len`]`(info)`; evaluated at compile time by the code
/// `#[grafos::tasklet]` generates, so a mismatch is a compile error.
///
/// `TaskletInfo` owns its strings when decoded, so a constant of it cannot
/// be borrowed in a constant expression; borrow a `static` instead:
///
/// ```
/// use grafos_abi::{self as abi, TaskletInfo};
/// static INFO: TaskletInfo = TaskletInfo::new("sum", 4, 64, 16, 1_000, &[]);
/// static RECORD: [u8; abi::record_len(&INFO)] = abi::encode_record(&INFO);
/// assert_eq!(abi::decode_records(&RECORD).unwrap(), vec![INFO.clone()]);
/// ```
pub const fn encode_record<const N: usize>(info: &TaskletInfo) -> [u8; N] {
    let mut bytes = [0; N];
    write_record(info, &mut bytes);
    bytes
}

/// The bytes of [`encode_record`], for a record chosen at run time (by a
/// tool, a test or a fuzzer) rather than at compile time.
///
/// ```
/// use std::borrow::Cow;
/// use grafos_abi::{self as abi, TaskletInfo};
/// static INFO: TaskletInfo = TaskletInfo::new("sum", 4, 64, 16, 1_000, &[Cow::Borrowed("add")]);
/// static RECORD: [u8; abi::record_len(&INFO)] = abi::encode_record(&INFO);
/// assert_eq!(abi::encode_record_vec(&INFO), RECORD);
/// let renamed = TaskletInfo { name: format!("sum_{}", 2).into(), ..INFO.clone() };
/// assert_eq!(abi::decode_records(&abi::encode_record_vec(&renamed)).unwrap(), vec![renamed]);
/// ```
pub fn encode_record_vec(info: &TaskletInfo) -> Vec<u8> {
    let mut bytes = vec![0; record_len(info)];
    write_record(info, &mut bytes);
    bytes
}

/// What is wrong with bytes that should hold ABI data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes end before the item does.
    #[error("truncated {what} at byte {at}")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Offset where the bytes ran out.
        at: usize,
    },
    /// A record does not start with [`RECORD_MAGIC`].
    #[error("bad record magic at byte {at}")]
    BadMagic {
        /// Offset of the record.
        at: usize,
    },
    /// A record of another ABI version.
    #[error("ABI version {found} (this runtime speaks {ABI_VERSION})")]
    Version {
        /// The version in the record.
        found: u32,
    },
    /// A string that is not UTF-8.
    #[error("{what} is not valid UTF-8")]
    Utf8 {
        /// Which string.
        what: &'static str,
    },
    /// A record body longer or shorter than its fields.
    #[error("record body is {declared} bytes but its fields take {used}")]
    BodyLength {
        /// `body_len` in the record.
        declared: usize,
        /// Bytes its fields took.
        used: usize,
    },
    /// An error tag [`decode_error`] does not know.
    #[error("unknown error tag {0}")]
    UnknownTag(u32),
    /// A value out of its field's range.
    #[error("{what} out of range: {value}")]
    OutOfRange {
        /// Which field.
        what: &'static str,
        /// The value read.
        value: u64,
    },
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    fn is_empty(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let end = end.ok_or(DecodeError::Truncated { what, at: self.at })?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const K: usize>(&mut self, what: &'static str) -> Result<[u8; K], DecodeError> {
        let mut out = [0; K];
        out.copy_from_slice(self.take(K, what)?);
        Ok(out)
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        self.array(what).map(u32::from_le_bytes)
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        self.array(what).map(u64::from_le_bytes)
    }

    fn usize(&mut self, what: &'static str) -> Result<usize, DecodeError> {
        let value = self.u64(what)?;
        usize::try_from(value).map_err(|_| DecodeError::OutOfRange { what, value })
    }

    fn string(&mut self, what: &'static str) -> Result<String, DecodeError> {
        let len = self.u32(what)? as usize;
        let bytes = self.take(len, what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError::Utf8 { what })
    }
}

/// Decodes the contents of a [`TASKLETS_SECTION`] (any number of records,
/// possibly from several custom sections concatenated).
///
/// Never panics: malformed bytes give a [`DecodeError`].
pub fn decode_records(bytes: &[u8]) -> Result<Vec<TaskletInfo>, DecodeError> {
    let mut r = Reader::new(bytes);
    let mut out = Vec::new();
    while !r.is_empty() {
        let start = r.at;
        if r.array::<4>("record magic")? != RECORD_MAGIC {
            return Err(DecodeError::BadMagic { at: start });
        }
        let version = r.u32("record version")?;
        if version != ABI_VERSION {
            return Err(DecodeError::Version { found: version });
        }
        let declared = r.u32("record length")? as usize;
        let mut body = Reader::new(r.take(declared, "record body")?);
        let name = body.string("tasklet name")?;
        let workers = body.u32("workers")?;
        let shared_bytes = body.u64("shared_bytes")?;
        let scratch_bytes = body.u64("scratch_bytes")?;
        let fuel = body.u64("fuel")?;
        let count = body.u32("worker name count")?;
        // Each name takes at least its 4-byte length, so `count` is bounded by the body.
        let mut names = Vec::with_capacity((count as usize).min(declared / 4));
        for _ in 0..count {
            names.push(Cow::Owned(body.string("worker name")?));
        }
        if !body.is_empty() {
            return Err(DecodeError::BodyLength {
                declared,
                used: body.at,
            });
        }
        out.push(TaskletInfo {
            name: Cow::Owned(name),
            workers,
            shared_bytes,
            scratch_bytes,
            fuel,
            worker_names: Cow::Owned(names),
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Tags of [`TaskletError`] variants in [`encode_error`]'s encoding.
pub mod error_tag {
    /// `TaskletError::InvalidConfig`.
    pub const INVALID_CONFIG: u32 = 1;
    /// `TaskletError::SharedTooSmall`.
    pub const SHARED_TOO_SMALL: u32 = 2;
    /// `TaskletError::ScratchTooSmall`.
    pub const SCRATCH_TOO_SMALL: u32 = 3;
    /// `TaskletError::FuelExhausted`.
    pub const FUEL_EXHAUSTED: u32 = 4;
    /// `TaskletError::Cancelled`.
    pub const CANCELLED: u32 = 5;
    /// `TaskletError::DeadlineExceeded`.
    pub const DEADLINE_EXCEEDED: u32 = 6;
    /// `TaskletError::BarrierMismatch`.
    pub const BARRIER_MISMATCH: u32 = 7;
    /// `TaskletError::WorkerPanicked`.
    pub const WORKER_PANICKED: u32 = 8;
    /// `TaskletError::CoordinatorPanicked`.
    pub const COORDINATOR_PANICKED: u32 = 9;
    /// `TaskletError::StackOverflow`.
    pub const STACK_OVERFLOW: u32 = 10;
    /// `TaskletError::Trap`.
    pub const TRAP: u32 = 11;
    /// `TaskletError::Abi`.
    pub const ABI: u32 = 12;
    /// `TaskletError::Failed`.
    pub const FAILED: u32 = 13;
    /// `TaskletError::LimitExceeded`.
    pub const LIMIT_EXCEEDED: u32 = 14;
    /// `TaskletError::CallDepthExceeded`.
    pub const CALL_DEPTH_EXCEEDED: u32 = 15;
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }

    fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }

    fn usize(&mut self, v: usize) -> &mut Self {
        self.u64(v as u64)
    }

    fn str(&mut self, s: &str) -> &mut Self {
        // Messages longer than 4 GiB are cut; nothing real comes close.
        let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
        self.u32(len);
        self.0.extend_from_slice(&s.as_bytes()[..len as usize]);
        self
    }
}

/// Encodes an error so it can cross the guest/runtime boundary.
///
/// ```
/// use grafos_abi::{self as abi, TaskletError};
/// let e = TaskletError::WorkerPanicked { lane: 2, message: "boom".into() };
/// assert_eq!(abi::decode_error(&abi::encode_error(&e)).unwrap(), e);
/// ```
pub fn encode_error(error: &TaskletError) -> Vec<u8> {
    use error_tag as t;
    let mut w = Writer(Vec::with_capacity(32));
    match error {
        TaskletError::InvalidConfig { reason } => w.u32(t::INVALID_CONFIG).str(reason),
        TaskletError::SharedTooSmall { need, have } => {
            w.u32(t::SHARED_TOO_SMALL).usize(*need).usize(*have)
        }
        TaskletError::ScratchTooSmall { need, have } => {
            w.u32(t::SCRATCH_TOO_SMALL).usize(*need).usize(*have)
        }
        TaskletError::FuelExhausted {
            budget,
            used,
            lane,
            since_sdk_call,
        } => w
            .u32(t::FUEL_EXHAUSTED)
            .u64(*budget)
            .u64(*used)
            .usize(*lane)
            .u64(since_sdk_call.unwrap_or(u64::MAX)),
        TaskletError::CallDepthExceeded { lane, max_depth } => {
            w.u32(t::CALL_DEPTH_EXCEEDED).usize(*lane).u32(*max_depth)
        }
        TaskletError::Cancelled => w.u32(t::CANCELLED),
        TaskletError::DeadlineExceeded => w.u32(t::DEADLINE_EXCEEDED),
        TaskletError::BarrierMismatch {
            lane,
            reached,
            expected,
        } => w
            .u32(t::BARRIER_MISMATCH)
            .usize(*lane)
            .u32(*reached)
            .u32(*expected),
        TaskletError::WorkerPanicked { lane, message } => {
            w.u32(t::WORKER_PANICKED).usize(*lane).str(message)
        }
        TaskletError::CoordinatorPanicked { message } => {
            w.u32(t::COORDINATOR_PANICKED).str(message)
        }
        TaskletError::StackOverflow { lane } => w.u32(t::STACK_OVERFLOW).usize(*lane),
        TaskletError::Trap { lane, message } => w.u32(t::TRAP).usize(*lane).str(message),
        TaskletError::Abi { message } => w.u32(t::ABI).str(message),
        TaskletError::Failed { message } => w.u32(t::FAILED).str(message),
        TaskletError::LimitExceeded {
            limit,
            max,
            requested,
        } => w
            .u32(t::LIMIT_EXCEEDED)
            .u32(limit.code())
            .u64(*max)
            .u64(*requested),
    };
    w.0
}

/// Decodes an error encoded by [`encode_error`]. Never panics.
pub fn decode_error(bytes: &[u8]) -> Result<TaskletError, DecodeError> {
    use error_tag as t;
    let mut r = Reader::new(bytes);
    let tag = r.u32("error tag")?;
    let error = match tag {
        t::INVALID_CONFIG => TaskletError::InvalidConfig {
            reason: r.string("reason")?,
        },
        t::SHARED_TOO_SMALL => TaskletError::SharedTooSmall {
            need: r.usize("need")?,
            have: r.usize("have")?,
        },
        t::SCRATCH_TOO_SMALL => TaskletError::ScratchTooSmall {
            need: r.usize("need")?,
            have: r.usize("have")?,
        },
        t::FUEL_EXHAUSTED => TaskletError::FuelExhausted {
            budget: r.u64("budget")?,
            used: r.u64("used")?,
            lane: r.usize("lane")?,
            since_sdk_call: Some(r.u64("since_sdk_call")?).filter(|&n| n != u64::MAX),
        },
        t::CALL_DEPTH_EXCEEDED => TaskletError::CallDepthExceeded {
            lane: r.usize("lane")?,
            max_depth: r.u32("max_depth")?,
        },
        t::CANCELLED => TaskletError::Cancelled,
        t::DEADLINE_EXCEEDED => TaskletError::DeadlineExceeded,
        t::BARRIER_MISMATCH => TaskletError::BarrierMismatch {
            lane: r.usize("lane")?,
            reached: r.u32("reached")?,
            expected: r.u32("expected")?,
        },
        t::WORKER_PANICKED => TaskletError::WorkerPanicked {
            lane: r.usize("lane")?,
            message: r.string("message")?,
        },
        t::COORDINATOR_PANICKED => TaskletError::CoordinatorPanicked {
            message: r.string("message")?,
        },
        t::STACK_OVERFLOW => TaskletError::StackOverflow {
            lane: r.usize("lane")?,
        },
        t::TRAP => TaskletError::Trap {
            lane: r.usize("lane")?,
            message: r.string("message")?,
        },
        t::ABI => TaskletError::Abi {
            message: r.string("message")?,
        },
        t::FAILED => TaskletError::Failed {
            message: r.string("message")?,
        },
        t::LIMIT_EXCEEDED => {
            let code = r.u32("limit")?;
            let limit = Limit::from_code(code).ok_or(DecodeError::OutOfRange {
                what: "limit",
                value: u64::from(code),
            })?;
            TaskletError::LimitExceeded {
                limit,
                max: r.u64("max")?,
                requested: r.u64("requested")?,
            }
        }
        other => return Err(DecodeError::UnknownTag(other)),
    };
    if !r.is_empty() {
        return Err(DecodeError::BodyLength {
            declared: bytes.len(),
            used: r.at,
        });
    }
    Ok(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all_errors() -> Vec<TaskletError> {
        vec![
            TaskletError::InvalidConfig {
                reason: "workers must be at least 2".into(),
            },
            TaskletError::SharedTooSmall { need: 64, have: 8 },
            TaskletError::ScratchTooSmall { need: 16, have: 0 },
            TaskletError::fuel_exhausted(),
            TaskletError::FuelExhausted {
                budget: 100,
                used: 100,
                lane: 2,
                since_sdk_call: Some(40),
            },
            TaskletError::CallDepthExceeded {
                lane: 1,
                max_depth: 16384,
            },
            TaskletError::Cancelled,
            TaskletError::DeadlineExceeded,
            TaskletError::BarrierMismatch {
                lane: 3,
                reached: 1,
                expected: 2,
            },
            TaskletError::WorkerPanicked {
                lane: 1,
                message: "index out of bounds".into(),
            },
            TaskletError::CoordinatorPanicked {
                message: "ü".into(),
            },
            TaskletError::StackOverflow { lane: 7 },
            TaskletError::Trap {
                lane: 0,
                message: "unreachable".into(),
            },
            TaskletError::Abi {
                message: "pointer out of bounds".into(),
            },
            TaskletError::Failed {
                message: String::new(),
            },
            TaskletError::LimitExceeded {
                limit: Limit::OutputBytes,
                max: 10,
                requested: 11,
            },
        ]
    }

    #[test]
    fn every_error_round_trips() {
        for e in all_errors() {
            assert_eq!(decode_error(&encode_error(&e)), Ok(e));
        }
    }

    #[test]
    fn error_with_trailing_bytes_is_rejected() {
        let mut bytes = encode_error(&TaskletError::Cancelled);
        bytes.push(0);
        assert!(matches!(
            decode_error(&bytes),
            Err(DecodeError::BodyLength { .. })
        ));
    }

    #[test]
    fn unknown_error_tag_is_rejected() {
        assert_eq!(
            decode_error(&99u32.to_le_bytes()),
            Err(DecodeError::UnknownTag(99))
        );
    }

    #[test]
    fn imports_are_unique() {
        let mut names: Vec<_> = IMPORTS.iter().map(|i| i.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), IMPORTS.len());
    }

    static INFO: TaskletInfo = TaskletInfo::new(
        "scan",
        8,
        4096,
        128,
        5_000,
        &[Cow::Borrowed("local"), Cow::Borrowed("fixup")],
    );
    static RECORD: [u8; record_len(&INFO)] = encode_record(&INFO);

    #[test]
    fn records_round_trip_and_concatenate() {
        let mut two = RECORD.to_vec();
        two.extend_from_slice(&RECORD);
        let decoded = decode_records(&two).unwrap();
        assert_eq!(decoded, vec![INFO.clone(), INFO.clone()]);
        assert_eq!(&decoded[0].worker_names[1], "fixup");
    }

    #[test]
    fn record_of_another_version_is_rejected() {
        let mut bytes = RECORD;
        bytes[4] = 9;
        assert_eq!(
            decode_records(&bytes),
            Err(DecodeError::Version { found: 9 })
        );
    }

    #[test]
    fn record_with_bad_magic_is_rejected() {
        let mut bytes = RECORD;
        bytes[0] = b'x';
        assert_eq!(decode_records(&bytes), Err(DecodeError::BadMagic { at: 0 }));
    }

    #[test]
    fn record_body_longer_than_fields_is_rejected() {
        let mut bytes = RECORD.to_vec();
        bytes.push(0);
        let len = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) + 1;
        bytes[8..12].copy_from_slice(&len.to_le_bytes());
        assert!(matches!(
            decode_records(&bytes),
            Err(DecodeError::BodyLength { .. })
        ));
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode_records(&bytes);
            let _ = decode_error(&bytes);
        }

        #[test]
        fn every_truncation_of_a_record_is_an_error(cut in 0..record_len(&INFO)) {
            prop_assert!(decode_records(&RECORD[..cut]).is_err() || cut == 0);
        }
    }
}
