use super::*;
use syn::parse_quote;

/// The lint's messages for `module`, errors first.
fn lint(module: ItemMod) -> Vec<String> {
    check(&module, &parse_quote!(::grafos)).diag.messages()
}

#[track_caller]
fn assert_messages(module: ItemMod, expected: &[&str]) {
    let messages = lint(module);
    assert_eq!(
        messages.len(),
        expected.len(),
        "expected {expected:#?}, got {messages:#?}"
    );
    for (message, expected) in messages.iter().zip(expected) {
        assert!(
            message.contains(expected),
            "expected {expected:?} in {message:?}\nall: {messages:#?}"
        );
    }
}

#[test]
fn portable_code_passes() {
    assert_messages(
        parse_quote! {
            mod t {
                use std::sync::atomic::{AtomicU32, Ordering};
                use std::time::Duration;
                #[coordinator]
                fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
                    coord.parallel_for_workers(|w| {
                        w.barrier()?;
                        let _ = w.scratch();
                        Ok::<_, TaskletError>(())
                    })?;
                    let _ = coord.data_scratch(0);
                    let _ = Duration::from_secs(1);
                    Ok(())
                }
                #[worker]
                fn count(w: &mut Worker) -> Result<(), TaskletError> {
                    w.barrier()?;
                    let _ = (w.data_worker_index(), w.partition(10), w.scratch());
                    Ok(())
                }
            }
        },
        &[],
    );
}

#[test]
fn target_specific_methods_are_errors_with_the_portable_alternative() {
    assert_messages(
        parse_quote! {
            mod t {
                #[worker]
                fn count(w: &mut Worker) {
                    let i = w.worker_index();
                    let n = w.worker_count();
                    let id = w.host_thread_id();
                }
                #[coordinator]
                fn run(coord: &mut Coordinator) -> Vec<u8> {
                    let s = coord.scratch(1);
                    let m = coord.guest_memory_bytes();
                    vec![]
                }
            }
        },
        &[
            "error: `worker_index()` is target-specific: it numbers raw lanes, where the \
             coordinator is lane 0; use `data_worker_index()`, or mark the call \
             `#[target_specific]` if it is meant to differ between targets",
            "`worker_count()` is target-specific: it counts raw lanes, the coordinator's \
             included; use `data_worker_count()`, or mark",
            "`host_thread_id()` is target-specific: it exists only on the host mock",
            "`scratch(i)` is target-specific: it indexes raw lanes, where 0 is the \
             coordinator's own; use `data_scratch(i)`, or mark",
            "`guest_memory_bytes()` is target-specific: it exists only in the wasm32 guest; \
             mark the call `#[target_specific]` if it is meant to differ between targets",
        ],
    );
}

#[test]
fn divergent_methods_are_warnings() {
    assert_messages(
        parse_quote! {
            mod t {
                #[coordinator]
                fn run(coord: &mut Coordinator) -> Vec<u8> {
                    coord.barrier().ok();
                    let f = coord.fuel_remaining();
                    vec![]
                }
                #[worker]
                fn w(w: &mut Worker) { let f = w.fuel_remaining(); }
            }
        },
        &[
            "warning: `CoordinatorCtx::barrier()` behaves differently on the host mock and on \
             the runtime: it returns at once on the host mock",
            "warning: `CoordinatorCtx::fuel_remaining()` behaves differently",
            "warning: `WorkerCtx::fuel_remaining()` behaves differently",
        ],
    );
}

#[test]
fn the_receiver_decides_between_same_named_methods() {
    assert_messages(
        parse_quote! {
            mod t {
                #[coordinator]
                fn run(coord: &mut Coordinator) -> Vec<u8> {
                    // A region's closure is a worker: its barrier is portable.
                    coord.parallel_for_workers(|w| { w.barrier(); let _ = w.scratch(); });
                    coord.parallel_for_workers((|lane: &mut Worker| lane.barrier()));
                    coord.barrier();
                    vec![]
                }
                fn helper(w: &Worker, c: &Coordinator) {
                    w.barrier();
                    c.barrier();
                    (*w).worker_index();
                }
                fn unknown(x: &Thing) {
                    x.barrier();
                    x.scratch();
                    x.scratch(2);
                    x.push(1);
                }
                fn qualified(w: &mut WorkerCtx<S, W>) {
                    WorkerCtx::worker_count(w);
                    Coordinator::scratch(c, 0);
                }
            }
        },
        &[
            "error: `worker_index()` is target-specific",
            "error: `scratch(i)` is target-specific",
            "error: `worker_count()` is target-specific",
            "error: `scratch(i)` is target-specific",
            "warning: `CoordinatorCtx::barrier()`",
            "warning: `CoordinatorCtx::barrier()`",
            "warning: `CoordinatorCtx::barrier()`",
        ],
    );
}

#[test]
fn every_fn_of_the_module_is_checked() {
    assert_messages(
        parse_quote! {
            mod t {
                struct Lanes;
                impl Lanes {
                    fn index(&self, w: &Worker) -> usize { w.worker_index() }
                }
                trait Raw { fn count(w: &Worker) -> usize { w.worker_count() } }
                mod inner { fn f(w: &super::Worker) { w.worker_index(); } }
                const X: fn(&Worker) -> usize = |w| w.worker_count();
            }
        },
        &[
            "`worker_index()` is target-specific",
            "`worker_count()` is target-specific",
            "`worker_index()` is target-specific",
            "`worker_count()` is target-specific",
        ],
    );
}

#[test]
fn nondeterministic_std_is_rejected_anywhere() {
    assert_messages(
        parse_quote! {
            mod t {
                use std::thread;
                use std::time::{Duration, Instant};
                use std::{fs, net::TcpStream};
                static mut COUNTER: u32 = 0;
                thread_local!(static LOCAL: u32 = 0);
                fn f() {
                    let t = std::time::SystemTime::now();
                    let v = ::std::env::var("X");
                    std::process::exit(1);
                    std::hint::spin_loop();
                    let _: Option<std::thread::ThreadId> = None;
                    // Imports are judged where their names are used.
                    thread::yield_now();
                    let now = Instant::now();
                    let f = fs::read("f");
                    let s = TcpStream::connect("h:1");
                    let d = Duration::ZERO;
                }
            }
        },
        &[
            "error: `static mut` is one unsynchronised value for every lane",
            "error: `thread_local!` gives each lane its own value on the host mock",
            "error: `std::time::SystemTime` reads a clock",
            "error: `std::env` reads the process environment",
            "error: `std::process` controls the process",
            "error: `std::hint::spin_loop` spin-waits",
            "error: `std::thread` works with OS threads",
            "error: `std::thread` works with OS threads, which the runtime does not have",
            "error: `std::time::Instant` reads a clock",
            "error: `std::fs` does file I/O",
            "error: `std::net` does network I/O",
        ],
    );
}

#[test]
fn randomness_is_rejected_but_seeded_generators_are_not() {
    assert_messages(
        parse_quote! {
            mod t {
                use std::collections::hash_map::RandomState;
                use std::collections::{BTreeMap, HashMap};
                use rand::{Rng, SeedableRng};
                fn f(seed: u64) {
                    let named = RandomState::new();
                    let keys = std::hash::RandomState::new();
                    let x: u32 = rand::random();
                    let mut rng = ::rand::thread_rng();
                    let mut bytes = [0u8; 8];
                    getrandom::fill(&mut bytes);
                    let seeded = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
                }
            }
        },
        &[
            "error: `std::collections::hash_map::RandomState` draws random hash keys",
            "error: `std::hash::RandomState` draws random hash keys",
            "error: `rand::random` draws entropy from the system",
            "error: `rand::thread_rng` draws entropy from the system",
            "error: `getrandom` draws entropy from the system",
        ],
    );
}

#[test]
fn hashed_collections_with_the_default_hasher_warn() {
    assert_messages(
        parse_quote! {
            mod t {
                use std::collections::{self, BTreeMap, HashMap, HashSet};
                use std::collections::HashMap as Map;
                use std::hash::BuildHasherDefault;
                fn f(input: &[u8]) {
                    let counts = HashMap::new();
                    let seen: HashSet<u8> = input.iter().copied().collect();
                    let sized = Map::<u8, u32>::default();
                    let full = std::collections::hash_set::HashSet::with_capacity(8);
                    let listed = collections::HashMap::from([(1, 2)]);
                    let in_a_macro = vec![HashSet::new()];
                    // A fixed hasher, a hasher given later, another map: portable.
                    let fixed: HashMap<u8, u32, BuildHasherDefault<Fnv>> = HashMap::default();
                    let later = HashMap::with_hasher(BuildHasherDefault::<Fnv>::default());
                    let ordered = BTreeMap::<u8, u32>::new();
                    #[target_specific]
                    let lookups_only = HashMap::new();
                }
            }
        },
        &[
            "warning: `HashMap::new` hashes with `RandomState`, whose keys are random: iterating \
             it visits the entries in an order that changes from run to run and between targets \
             (lookups alone are portable); use `BTreeMap`, or collect and sort the keys before \
             iterating",
            "warning: `HashSet<u8>` hashes with `RandomState`",
            "warning: `Map::<u8, u32>` hashes",
            "warning: `HashSet::with_capacity` hashes",
            "warning: `HashMap::from` hashes",
            "warning: `HashSet::new` hashes with `RandomState`, whose keys are random: iterating \
             it visits the entries in an order that changes from run to run and between targets \
             (lookups alone are portable); use `BTreeSet`, or collect and sort the items before \
             iterating",
        ],
    );
}

#[test]
fn a_module_that_takes_the_name_hash_map_is_not_std() {
    assert_messages(
        parse_quote! {
            mod t {
                use hashbrown::HashSet;
                type HashMap<K, V> = std::collections::HashMap<K, V, Fixed>;
                fn f() {
                    let map: HashMap<u8, u32> = HashMap::default();
                    let set = HashSet::new();
                }
            }
        },
        &[],
    );
}

#[test]
fn paths_are_followed_through_imported_prefixes_and_globs() {
    assert_messages(
        parse_quote! {
            mod t {
                use std::time;
                use std::hint as h;
                use core::hint::*;
                fn f() {
                    let now = time::Instant::now();
                    h::spin_loop();
                    let d = time::Duration::ZERO;
                }
            }
        },
        &[
            "error: this glob imports `core::hint::spin_loop`",
            "error: `std::time::Instant` reads a clock",
            "error: `std::hint::spin_loop` spin-waits",
        ],
    );
}

#[test]
fn macro_arguments_are_scanned() {
    assert_messages(
        parse_quote! {
            mod t {
                #[worker]
                fn w(w: &mut Worker) {
                    println!("{} {:?}", w.worker_index(), std::time::Instant::now());
                    assert_eq!(w.data_worker_index(), 0);
                    let v = vec![w.worker_count(); 2];
                    std::thread_local! { static X: u8 = 0; }
                }
            }
        },
        &[
            "`worker_index()` is target-specific",
            "`std::time::Instant` reads a clock",
            "`worker_count()` is target-specific",
            "`thread_local!` gives each lane its own value",
            "warning: `println!` prints on the host mock, where lanes are threads of the test \
             process, but nothing in the wasm32 guest, which has no standard streams; return \
             what you need to see in the output, or mark it `#[target_specific]`",
        ],
    );
}

#[test]
fn target_specific_silences_fns_blocks_statements_and_expressions() {
    assert_messages(
        parse_quote! {
            mod t {
                use std::time::Instant;
                #[worker]
                #[target_specific]
                fn a(w: &mut Worker) { w.worker_index(); w.fuel_remaining(); }
                #[worker]
                fn b(w: &mut Worker) {
                    #[target_specific]
                    {
                        w.worker_index();
                    }
                    #[target_specific]
                    let n = w.worker_count();
                    let i = #[target_specific] w.worker_index();
                    match 1 { #[target_specific] _ => { w.worker_count(); } }
                    #[target_specific]
                    println!("{}", w.worker_index());
                    #[target_specific]
                    let now = Instant::now();
                    w.worker_count();
                }
            }
        },
        &["error: `worker_count()` is target-specific"],
    );
}

#[test]
fn target_specific_that_silences_nothing_warns() {
    assert_messages(
        parse_quote! {
            mod t {
                #[worker]
                #[target_specific]
                fn a(w: &mut Worker) {
                    #[target_specific]
                    let i = w.worker_index();
                }
                #[target_specific(host)]
                fn b() {}
            }
        },
        &[
            "error: `#[target_specific]` takes no arguments",
            "warning: this `#[target_specific]` silences nothing",
            "warning: this `#[target_specific]` silences nothing",
        ],
    );
}

#[test]
fn markers_inside_other_items_are_misplaced() {
    assert_messages(
        parse_quote! {
            mod t {
                impl S { #[worker] fn w(&self) {} }
                fn f() { #[coordinator] fn run() {} }
                #[worker] fn top() {}
            }
        },
        &[
            "error: `#[worker]` goes on a fn directly inside the `#[grafos::tasklet]` module",
            "error: `#[coordinator]` goes on a fn directly inside",
        ],
    );
}

#[test]
fn only_markers_below_the_module_items_need_stripping() {
    let strip = |module: ItemMod| check(&module, &parse_quote!(::grafos)).markers_to_strip;
    assert!(!strip(parse_quote!(
        mod t {
            #[worker]
            fn w() {}
            #[coordinator]
            fn c() {}
        }
    )));
    assert!(strip(parse_quote!(
        mod t {
            #[target_specific]
            fn w() {}
        }
    )));
    assert!(strip(parse_quote!(
        mod t {
            fn w() {
                #[worker]
                fn v() {}
            }
        }
    )));
}

#[test]
fn names_through_a_glob_are_probed_or_must_be_imported_by_name() {
    assert_messages(
        parse_quote! {
            mod t {
                use super::*;
                fn f() {
                    let now = Instant::now();
                    let again = time::SystemTime::now();
                    let handle = thread::spawn(|| ());
                    spawn(|| ());
                    let file = fs::File::open("x");
                    hint::spin_loop();
                    println!("{:?}", Instant::now());
                    assert!(thread::current().id() == id);
                    let b = Barrier::new(2);
                }
            }
        },
        &[
            "error: `thread` comes in through the glob import `use super::*`, so the lint \
             cannot tell whether it is `std::thread`: `std::thread` works with OS threads, \
             which the runtime does not have; import `thread` by name (`use super::thread;`",
            "error: `spawn` comes in through the glob import `use super::*`, so the lint cannot \
             tell whether it is `std::thread::spawn`: `std::thread` works with OS threads",
            "error: `hint` comes in through the glob import `use super::*`, so the lint cannot \
             tell whether it is `std::hint`: `std::hint::spin_loop` spin-waits",
            "error: `thread` comes in",
            "warning: `println!` prints on the host mock",
            "probe `Instant`: `Instant` here is `std::time::Instant`, brought in by the glob \
             import `use super::*`: it reads a clock",
            "probe `time :: SystemTime`: `time::SystemTime` here is `std::time::SystemTime`",
            "probe `fs :: File`: `fs::File` here is `std::fs::File`, brought in by the glob \
             import `use super::*`: it does file I/O",
            "probe `Barrier`: `Barrier` here is `std::sync::Barrier`",
        ],
    );
}

#[test]
fn the_module_s_own_names_are_not_probed() {
    assert_messages(
        parse_quote! {
            mod t {
                use super::*;
                use super::spawn;
                use crate::clock::Instant as Clock;
                mod thread { pub fn current() {} }
                struct File;
                fn f<Barrier>(sleep: fn()) {
                    spawn(|| ());
                    thread::current();
                    let file = File;
                    sleep();
                    let exit = |code| code;
                    exit(1);
                    let d = time::Duration::ZERO;
                    let x = obj.spawn();
                    assert!(obj.sleep());
                    Clock::now();
                }
            }
        },
        &[],
    );
}

#[test]
fn globs_from_std_and_the_sdk_bring_no_unknown_names() {
    assert_messages(
        parse_quote! {
            mod t {
                use grafos::prelude::*;
                use std::cmp::*;
                fn f() { spawn(|| ()); Instant::now(); }
            }
        },
        &[],
    );
}

#[test]
fn target_specific_silences_a_glob_name() {
    assert_messages(
        parse_quote! {
            mod t {
                use super::*;
                fn f() {
                    #[target_specific]
                    let now = Instant::now();
                    #[target_specific]
                    spawn(|| ());
                }
            }
        },
        &[],
    );
}

#[test]
fn panics_streams_blocking_and_pools_are_rejected() {
    assert_messages(
        parse_quote! {
            mod t {
                use std::panic;
                use std::path::{Path, PathBuf};
                use std::sync::{Arc, Barrier};
                use rayon::prelude::*;
                fn f(v: &[u32]) {
                    let caught = panic::catch_unwind(|| 1);
                    std::panic::set_hook(Box::new(|_| ()));
                    let line = std::io::stdin();
                    let out: std::io::Stdout = todo!();
                    let b = Barrier::new(2);
                    let c = std::sync::Condvar::new();
                    let there = Path::new("x").exists();
                    let file = Path::is_file(p);
                    let dir = std::path::PathBuf::from("d").read_dir();
                    let sum: u32 = v.par_iter().sum();
                    crossbeam::scope(|s| ());
                    std::thread::scope(|s| ());
                    eprintln!("{}", 1);
                    let x = dbg!(2);
                    // Portable: another `Barrier`, `Path` as a value.
                    let name = Path::new("x").file_name();
                    let a = Arc::new(1);
                }
            }
        },
        &[
            "error: `rayon` runs work on a pool of OS threads",
            "error: `std::panic::catch_unwind` unwinds, which the wasm32 guest cannot",
            "error: `std::panic::set_hook` swaps the process-wide panic hook",
            "error: `std::io::stdin` reaches the process's standard streams",
            "error: `std::io::Stdout` reaches the process's standard streams",
            "error: `std::sync::Barrier` blocks",
            "error: `std::sync::Condvar` blocks",
            "error: `std::path::Path::exists` queries the file system",
            "error: `std::path::Path::is_file` queries the file system",
            "error: `std::path::PathBuf::read_dir` queries the file system",
            "error: `.par_iter()` runs work on a pool of OS threads, which the runtime does not \
             have; split the work over lanes with `parallel_for_workers`, or mark the call",
            "error: `crossbeam::scope` runs work on a pool",
            "error: `std::thread` works with OS threads",
            "warning: `eprintln!` prints on the host mock",
            "warning: `dbg!` prints on the host mock",
        ],
    );
}

#[test]
fn target_specific_on_a_use_is_an_error_and_the_uses_are_checked() {
    assert_messages(
        parse_quote! {
            mod t {
                #[target_specific]
                use std::time::Instant;
                fn f() {
                    use std::thread;
                    let now = Instant::now();
                    thread::yield_now();
                }
            }
        },
        &[
            "error: `#[target_specific]` cannot go on a `use`: it would silence every use of the \
             names it imports; put it on the statement, expression or fn that uses them",
            "error: `std::time::Instant` reads a clock",
            "error: `std::thread` works with OS threads",
        ],
    );
}

#[test]
fn context_methods_as_values_are_judged_like_calls() {
    assert_messages(
        parse_quote! {
            mod t {
                #[coordinator]
                fn run(coord: &mut Coordinator) -> Vec<u8> {
                    let f = Some(&*coord).map(Coordinator::fuel_remaining);
                    let s = CoordinatorCtx::<S, W>::scratch;
                    let d = Coordinator::data_scratch;
                    vec![]
                }
                fn lanes(ws: &[Worker]) {
                    let i: Vec<_> = ws.iter().map(WorkerCtx::worker_index).collect();
                    let j: Vec<_> = ws.iter().map(Worker::data_worker_index).collect();
                    assert!(ws.iter().map(Worker::worker_count).all(|n| n > 0));
                    #[target_specific]
                    let k = ws.iter().map(Worker::worker_index);
                }
            }
        },
        &[
            "error: `CoordinatorCtx::scratch` is target-specific: it indexes raw lanes, where 0 \
             is the coordinator's own; use `data_scratch(i)`, or mark the use `#[target_specific]`",
            "error: `WorkerCtx::worker_index` is target-specific: it numbers raw lanes",
            "error: `WorkerCtx::worker_count` is target-specific",
            "warning: `CoordinatorCtx::fuel_remaining` behaves differently on the host mock and \
             on the runtime",
        ],
    );
}

#[test]
fn target_cfgs_are_errors_and_debug_assertions_warn() {
    assert_messages(
        parse_quote! {
            mod t {
                #[cfg(target_arch = "wasm32")]
                fn wasm_only() {}
                struct S {
                    #[cfg_attr(target_pointer_width = "64", allow(dead_code))]
                    x: u8,
                }
                fn f() -> usize {
                    let wide = cfg!(all(target_pointer_width = "64", not(target_os = "none")));
                    #[cfg(unix)]
                    let y = 1;
                    assert!(cfg!(target_endian = "little"));
                    if cfg!(debug_assertions) { return 1; }
                    #[cfg(debug_assertions)]
                    let z = 2;
                    debug_assert!(wide);
                    // Not the target: portable.
                    #[cfg(test)]
                    let t = 3;
                    #[cfg_attr(test, allow(unused))]
                    let u = cfg!(feature = "fast");
                    #[target_specific]
                    let v = cfg!(target_arch = "wasm32");
                    0
                }
            }
        },
        &[
            "error: `#[cfg(..)]` on `target_arch` selects code by target, so the host mock and \
             the wasm32 runtime run different code; mark it `#[target_specific]` if it is meant \
             to differ between targets",
            "error: `#[cfg_attr(..)]` on `target_pointer_width` selects code by target",
            "error: `cfg!(..)` on `target_os` selects code by target",
            "error: `#[cfg(..)]` on `unix` selects code by target",
            "error: `cfg!(..)` on `target_endian` selects code by target",
            "warning: `cfg!(..)` on `debug_assertions` selects code by build profile",
            "warning: `#[cfg(..)]` on `debug_assertions` selects code by build profile",
        ],
    );
}

#[test]
fn transcendental_float_methods_warn_and_name_grafos_math() {
    assert_messages(
        parse_quote! {
            mod t {
                fn f(x: f64, y: f32) -> f64 {
                    let a = x.sin() + x.powi(2) + x.atan2(1.0) + x.log(2.0);
                    let b = y.powf(2.0);
                    let c = f64::exp(x) + f32::ln(y) as f64;
                    let d: Vec<f64> = v.iter().copied().map(f64::cbrt).collect();
                    assert!(x.tanh() < 1.0);
                    // Portable: correctly rounded or exact.
                    let e = x.sqrt() + x.abs() + x.floor() + x.mul_add(2.0, 1.0);
                    // Another arity: not std's.
                    let g = thing.sin(3);
                    #[target_specific]
                    let h = x.cos();
                    a
                }
            }
        },
        &[
            "warning: `.sin()` calls the platform's libm on the host mock and a Rust port of \
             musl's libm on wasm32, whose results can differ in the last bit; use \
             `grafos::math::sin` (`sinf` for f32), or mark the call `#[target_specific]`",
            "warning: `.powi()` calls",
            "warning: `.atan2()` calls",
            "warning: `.log()` calls",
            "warning: `.powf()` calls the platform's libm on the host mock and a Rust port of \
             musl's libm on wasm32, whose results can differ in the last bit; use \
             `grafos::math::powf` (`powff` for f32)",
            "warning: `f64::exp` calls the platform's libm on the host mock and a Rust port of \
             musl's libm on wasm32, whose results can differ in the last bit; use \
             `grafos::math::exp`, or mark",
            "warning: `f32::ln` calls",
            "warning: `f64::cbrt` calls",
            "warning: `.tanh()` calls",
        ],
    );
}
