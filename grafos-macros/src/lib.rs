//! Procedural macros of grafos: `#[grafos::tasklet]` and the attributes it
//! reads inside a tasklet module. Use them through the `grafos` crate, which
//! documents them with runnable examples.
//!
//! This crate is a shim: each macro converts its tokens and calls
//! `grafos-macros-support`, which works on `proc_macro2` so that tests,
//! benches and fuzzers call it like any library; its crate docs describe
//! the layers of the expansion.

use grafos_macros_support as support;
use proc_macro::TokenStream;

use support::Marker;

/// Turns an inline module into a shared-memory tasklet: one coordinator
/// and N data workers sharing one region of memory, run on the host mock
/// under `cargo test` and, compiled to `wasm32-unknown-unknown`, by
/// grafos-runtime, with byte-identical output. What would break that promise
/// is a compile error at the offending tokens.
///
/// ```
/// use grafos::prelude::*;
/// use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
///
/// pub struct Shared { counts: [AtomicU32; 256] }
///
/// impl Default for Shared {
///     fn default() -> Self {
///         Self { counts: std::array::from_fn(|_| AtomicU32::new(0)) }
///     }
/// }
///
/// pub struct Scratch { local: [u32; 256] }
///
/// impl Default for Scratch {
///     fn default() -> Self {
///         Self { local: [0; 256] }
///     }
/// }
///
/// #[grafos::tasklet(workers = 4, shared = Shared, scratch = Scratch)]
/// pub mod histogram {
///     use super::*;
///
///     #[coordinator]
///     fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
///         coord.parallel_for_workers(count)?;
///         let mut out = Vec::with_capacity(1024);
///         for c in &coord.shared().counts { out.extend(c.load(Relaxed).to_le_bytes()) }
///         coord.set_output(&out);
///         Ok(())
///     }
///
///     /// Counts this lane's block of the input, then adds it to the total.
///     #[worker]
///     fn count(shared: &Shared, scratch: &mut Scratch, input: &[u8], lane: Lane) {
///         for &b in &input[lane.partition(input.len())] { scratch.local[b as usize] += 1; }
///         for (i, n) in scratch.local.iter().enumerate() { shared.counts[i].fetch_add(*n, Relaxed); }
///     }
/// }
///
/// fn main() {
///     let out = histogram::run_host(b"abca").unwrap();
///     assert_eq!(&out.output()[97 * 4..98 * 4], &2u32.to_le_bytes());
///     assert_eq!(histogram::INFO.worker_names[..], ["count"]);
/// }
/// ```
///
/// # Arguments
///
/// | argument | meaning | default |
/// |---|---|---|
/// | `workers = 4` | lanes of a launch, the coordinator's included: 2 to 256 | required |
/// | `shared = T` | the shared type, `Default + Sync`, one per launch | `()` |
/// | `scratch = T` | the scratch type, `Default + Send`, one per data lane | `()` |
/// | `shared_bytes = N` | bytes of the shared region: the value, then an arena | the type's size |
/// | `scratch_bytes = N` | bytes of each lane's scratch region | the type's size |
/// | `fuel = N` | the launch's fuel budget, at least 1 | `grafos::cpu::DEFAULT_FUEL` |
/// | `cores = N` | cores the host mock leases: 1 to 256 | `workers` |
/// | `name = "sum"` | the wasm export `grafos_v0_tasklet_<name>`: ASCII letters, digits, `_` | the module's name |
/// | `crate = path` | where the SDK is, for crates that re-export it | `::grafos` |
/// | `inputs = path` | a `fn() -> Vec<Vec<u8>>`: inputs the generated test runs besides its own | none |
/// | `cross_target = false` | the generated test compares the host mock with itself only | `true` |
///
/// Types and `crate` are named from inside the module, like its items
/// (hence `use super::*;`). A `shared_bytes` or `scratch_bytes` smaller than
/// its type is a compile error, checked for each target.
///
/// # The module
///
/// It holds exactly one `#[coordinator]` fn and any number of `#[worker]`
/// fns; other items pass through unchanged.
///
/// - The coordinator runs on lane 0. It takes `&mut Coordinator` and returns
///   `Result<(), TaskletError>` (after `coord.set_output(..)`), or the output
///   bytes as `Vec<u8>` or `Result<Vec<u8>, TaskletError>`.
/// - A worker runs on every data lane of a region:
///   `coord.parallel_for_workers(count)` takes it by name (or a closure). It
///   takes the lane's context, `&mut Worker` (kept as written), or any of the
///   plain parameters `&Shared`, `&Scratch` or `&mut Scratch`, `&[u8]` (the
///   input) and `Lane` (its position), which the macro supplies through
///   `WorkerCtx::parts`. It returns nothing or `Result<(), TaskletError>`;
///   an `Err` fails the launch.
///
/// Generated inside the module: the aliases `Coordinator` and `Worker` for
/// `CoordinatorCtx<Shared, Scratch>` and `WorkerCtx<Shared, Scratch>`;
/// `pub const INFO: grafos::TaskletInfo`; on the host, `builder()`,
/// `run_host_with(builder)` and `run_host(input)`, and under `cfg(test)` the
/// test `grafos_tasklet_matches_wasm`: the crate's library built for wasm32
/// (once per test binary, with the test's profile), the tasklet run in the
/// runtime and on the host mock under several lane orders, on generated
/// inputs of several sizes and the tasklet's `inputs`, at its lane count and
/// one other, every outcome compared byte for byte; the first difference
/// fails it with the input, the lanes, both outcomes and the likely cause. A
/// tasklet outside the library (in an integration test, say) cannot be built
/// for wasm32: its test compares the host mock with itself, and a warning
/// says so unless `cross_target = false` does. On wasm32, the
/// entry export `grafos_v0_tasklet_<name>` and the tasklet's record in the
/// `grafos_worker_v0.tasklets` custom section. The target is chosen by
/// `cfg(target_arch = "wasm32")` in the generated code.
///
/// # Portability checks
///
/// Every fn of the module is checked, every item for the std paths:
///
/// - Target-specific methods are errors at the method's name, naming the
///   portable one: `worker_index()` (use `data_worker_index()`),
///   `worker_count()` (`data_worker_count()`), the coordinator's `scratch(i)`
///   (`data_scratch(i)`), `host_thread_id()`, `guest_memory_bytes()`.
///   A method used as a value (`.map(Worker::worker_index)`,
///   `CoordinatorCtx::<S, W>::scratch`) is judged like a call.
/// - Methods whose behaviour differs are warnings: `CoordinatorCtx::barrier()`
///   and `fuel_remaining()`. So are std's `HashMap` and `HashSet` with their
///   default hasher (`HashMap::new()`, `HashSet<T>`): they iterate in a
///   different order every run, though lookups alone are portable; iterate
///   a `BTreeMap`/`BTreeSet`, or sort the keys first. A fixed hasher is not
///   the cure: its order still differs between the 64-bit host and wasm32,
///   where `usize` and slice lengths hash differently. Maps with an explicit
///   hasher are not judged, since telling iteration from lookups needs
///   types the macro does not have.
/// - `std::thread`, `std::time::{Instant, SystemTime}`, `std::fs`,
///   `std::net`, `std::env`, `std::process`, `spin_loop`, `thread_local!`
///   and `static mut` are errors. So are `std::panic::{catch_unwind,
///   resume_unwind}` (a panic unwinds on the host mock but aborts the wasm32
///   guest) and `set_hook`/`take_hook`; the standard streams
///   (`std::io::{stdin, stdout, stderr}` and their types); the blocking
///   `std::sync::{Barrier, Condvar}` (they panic on wasm32); the file-system
///   queries of `Path`/`PathBuf` (`exists`, `is_file`, `is_dir`, `metadata`,
///   `canonicalize`, `read_dir`, ..) written as paths (`Path::exists(p)`) or
///   on a receiver built by `Path::new(..)`/`PathBuf::from(..)`; and thread
///   pools: any `rayon::` path, `.par_iter()` and its kin whatever the
///   receiver, `crossbeam::{thread, scope}`, `std::thread::scope`.
/// - `print!`, `println!`, `eprint!`, `eprintln!` and `dbg!` are warnings:
///   they print on the host mock and nothing in the wasm32 guest, but what
///   they write is not the tasklet's output, which they cannot change.
/// - A `cfg` on the target (`cfg!(target_pointer_width = "64")`,
///   `#[cfg(target_arch = "wasm32")]`, `#[cfg_attr(unix, ..)]`, any
///   `target_*` option, `unix`, `windows`) on an item, statement or
///   expression is an error: the two sides would run different code. One on
///   `debug_assertions` is a warning: it is the build profile, not the
///   target, but `cargo test` runs the host mock in a dev build and the
///   guest usually ships in release. `debug_assert!` is not judged: it can
///   only fail a launch that has a bug, as overflow checks can, and never
///   changes the output of one that passes.
/// - std's transcendental float methods warn: `.sin()`, `.cos()`, `.tan()`,
///   their inverses and hyperbolic forms, `.exp()`, `.exp2()`, `.exp_m1()`,
///   `.ln()`, `.log(b)`, `.log2()`, `.log10()`, `.ln_1p()`, `.powf(y)`,
///   `.powi(n)`, `.cbrt()`, `.hypot(y)`, and the path forms (`f64::sin(x)`,
///   `f32::exp`): the host calls the platform's libm and wasm32 a Rust
///   port, which can differ in the last bit. The warning names the
///   `grafos::math` function, which uses the `libm` crate on both. A method
///   name cannot prove its receiver is a float: any method of one of these
///   names with std's arity warns (user types rarely take them), and
///   `#[target_specific]` silences it. `sqrt`, `abs`, `floor`, `ceil`,
///   `round`, `trunc` and `mul_add` are exact or correctly rounded: portable.
/// - An import is judged where its names are used, so that
///   `#[target_specific]` on the use silences it; `#[target_specific]` on a
///   `use` itself is an error.
/// - So are randomness sources: a named `RandomState` (its hashes are
///   random numbers), `rand::{random, thread_rng, rng}`,
///   `rand::rngs::{OsRng, ThreadRng}` and `getrandom`. A generator seeded
///   from the input (`SeedableRng::seed_from_u64`) is deterministic and
///   allowed.
///
/// A glob import from outside the module (`use super::*;`) could bring any
/// of these in under a name the macro cannot follow: a parent's
/// `use std::time::Instant;` makes `Instant::now()` a clock read. So where
/// the module has one, a name it does not define or import by name, and
/// that std's banned items use, is checked for what it resolves to: a std
/// type (`Instant`, `SystemTime`, `File`, ..) by a generated probe that
/// fails to compile, at the name, if it is std's; a module or fn
/// (`thread::spawn`, `spawn`) is an error until it is imported by name
/// (`use super::spawn;` for your own), so the check can see it. Banned
/// items renamed on the way (`type Clock = std::time::Instant;` in the
/// parent) are not caught.
///
/// The checks read syntax, not types: a call is judged by its method's name,
/// its number of arguments and what its receiver is taken to be (a
/// parameter typed as a context, the first parameter of a
/// `parallel_for_workers` closure, else the enclosing `#[coordinator]` or
/// `#[worker]`); when that cannot be told, by the strictest method of that
/// name. Mark code that is meant to differ between targets
/// [`#[target_specific]`](macro@target_specific).
///
/// On any error the module's items are still emitted, with the context
/// aliases, so that an editor keeps completing them.
#[proc_macro_attribute]
pub fn tasklet(attr: TokenStream, item: TokenStream) -> TokenStream {
    support::tasklet(attr.into(), item.into()).into()
}

/// Marks the fn of a [`#[grafos::tasklet]`](macro@tasklet) module that runs
/// on lane 0: it takes `&mut Coordinator`, runs regions with
/// `coord.parallel_for_workers(..)` and produces the output. Only valid
/// inside such a module, which removes it.
///
/// ```
/// use grafos::prelude::*;
///
/// #[grafos::tasklet(workers = 3)]
/// mod reverse {
///     use super::*;
///
///     #[coordinator]
///     fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
///         coord.parallel_for_workers(|_| ())?;
///         Ok(coord.input().iter().rev().copied().collect())
///     }
/// }
///
/// fn main() {
///     assert_eq!(reverse::run_host(b"abc").unwrap().output(), b"cba");
/// }
/// ```
#[proc_macro_attribute]
pub fn coordinator(_attr: TokenStream, item: TokenStream) -> TokenStream {
    support::misplaced(Marker::Coordinator, item.into()).into()
}

/// Marks a fn of a [`#[grafos::tasklet]`](macro@tasklet) module that runs on
/// every data lane of a region. It takes `&mut Worker`, or plain
/// parameters: `&Shared`, `&Scratch` or `&mut Scratch`, `&[u8]` (the input),
/// `Lane`. Only valid inside such a module, which removes it.
///
/// ```
/// use grafos::prelude::*;
/// use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
///
/// #[derive(Default)]
/// pub struct Total(AtomicU64);
///
/// #[grafos::tasklet(workers = 4, shared = Total)]
/// mod sum {
///     use super::*;
///
///     #[coordinator]
///     fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
///         coord.parallel_for_workers(add)?;
///         Ok(coord.shared().0.load(Relaxed).to_le_bytes().to_vec())
///     }
///
///     #[worker]
///     fn add(total: &Total, input: &[u8], lane: Lane) {
///         let mine = &input[lane.partition(input.len())];
///         total.0.fetch_add(mine.iter().map(|&b| u64::from(b)).sum(), Relaxed);
///     }
/// }
///
/// fn main() {
///     assert_eq!(sum::run_host(&[1, 2, 3, 4]).unwrap().output(), 10u64.to_le_bytes());
/// }
/// ```
#[proc_macro_attribute]
pub fn worker(_attr: TokenStream, item: TokenStream) -> TokenStream {
    support::misplaced(Marker::Worker, item.into()).into()
}

/// Silences the portability checks of [`#[grafos::tasklet]`](macro@tasklet)
/// for a fn, block, statement or expression whose behaviour is meant to
/// differ between targets; one that silences nothing is a warning. Only valid
/// inside a tasklet module, which removes it. It does not make a method of
/// one target exist on the other: a call of `guest_memory_bytes()` (wasm32
/// only) or `host_thread_id()` (host only) also needs
/// `#[cfg(target_arch = "wasm32")]` or its negation.
///
/// ```
/// use grafos::prelude::*;
///
/// #[grafos::tasklet(workers = 4)]
/// mod raw {
///     use super::*;
///
///     #[coordinator]
///     fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
///         coord.parallel_for_workers(|_| ())?;
///         // Raw lanes, the coordinator's included.
///         let lanes = #[target_specific] coord.worker_count();
///         Ok(vec![lanes as u8])
///     }
/// }
///
/// fn main() {
///     assert_eq!(raw::run_host(b"").unwrap().output(), [4]);
/// }
/// ```
#[proc_macro_attribute]
pub fn target_specific(_attr: TokenStream, item: TokenStream) -> TokenStream {
    support::misplaced(Marker::TargetSpecific, item.into()).into()
}
