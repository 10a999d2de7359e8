//! The portability lists: the one table the lint reads. A test
//! below parses the SDK's sources and checks that every public method of the
//! two context types carries the rustdoc tag this table gives it.

pub(crate) use crate::sdk::Context;

/// The two tags of the SDK's rustdoc that are not **Portable.**, least
/// severe first. (A portable method is in no table: see [`METHODS`].)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Portability {
    /// **Behavior diverges across targets.** Compiles on both, means
    /// different things: a warning.
    Diverges,
    /// **Target-specific.** Raw lane space or one target only: an error.
    TargetSpecific,
}

impl Portability {
    /// The paragraph that ends the method's rustdoc in the SDK.
    #[cfg(test)]
    fn tag(self) -> &'static str {
        match self {
            Portability::Diverges => "**Behavior diverges across targets.**",
            Portability::TargetSpecific => "**Target-specific.**",
        }
    }
}

/// One public method of a context type.
#[derive(Debug)]
pub(crate) struct Method {
    pub(crate) context: Context,
    pub(crate) name: &'static str,
    /// Arguments besides `self`.
    pub(crate) arity: usize,
    pub(crate) portability: Portability,
    /// For the non-portable: what differs, and what to use instead.
    pub(crate) advice: Advice,
}

/// Why something is not portable, and the portable way, if there is one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Advice {
    pub(crate) why: &'static str,
    pub(crate) instead: Option<&'static str>,
}

impl Advice {
    /// "{why}; {instead}, or mark it `#[target_specific]` if it is meant to
    /// differ between targets".
    pub(crate) fn explain(&self, what: &str) -> String {
        let instead = match self.instead {
            Some(instead) => format!("{instead}, or mark"),
            None => "mark".to_owned(),
        };
        format!(
            "{}; {instead} {what} `#[target_specific]` if it is meant to differ between targets",
            self.why
        )
    }
}

const fn diverges(context: Context, name: &'static str, arity: usize, advice: Advice) -> Method {
    Method {
        context,
        name,
        arity,
        portability: Portability::Diverges,
        advice,
    }
}

const fn target_specific(
    context: Context,
    name: &'static str,
    arity: usize,
    advice: Advice,
) -> Method {
    Method {
        context,
        name,
        arity,
        portability: Portability::TargetSpecific,
        advice,
    }
}

const fn advice(why: &'static str, instead: &'static str) -> Advice {
    Advice {
        why,
        instead: Some(instead),
    }
}

const fn only(why: &'static str) -> Advice {
    Advice { why, instead: None }
}

use Context::{Coordinator as C, Worker as W};

const RAW_INDEX_WORKER: Advice = advice(
    "it numbers raw lanes, where the coordinator is lane 0",
    "use `data_worker_index()`",
);
const RAW_INDEX_COORDINATOR: Advice = only(
    "the coordinator is always raw lane 0, and data lanes are numbered \
     `0..data_worker_count()`",
);
const RAW_COUNT: Advice = advice(
    "it counts raw lanes, the coordinator's included",
    "use `data_worker_count()`",
);
const HOST_ONLY: Advice = only("it exists only on the host mock, where lanes are OS threads");
const WASM_ONLY: Advice = only("it exists only in the wasm32 guest");
const FUEL_REMAINING: Advice = advice(
    "the host mock counts fuel checkpoints but the runtime counts wasm instructions",
    "to stop when fuel runs out, use `fuel_checkpoint()?`",
);

/// Every public method of `CoordinatorCtx` and `WorkerCtx` that is *not*
/// portable, with its tag and advice. A method not listed is portable: the
/// tag at its rustdoc says so, and the test below holds every tag against
/// this table, so a new portable method needs no entry here.
pub(crate) const METHODS: &[Method] = &[
    diverges(
        C,
        "barrier",
        0,
        advice(
            "it returns at once on the host mock but is a scheduling and cancellation point on \
             the runtime",
            "for a cancellation point on both, use `fuel_checkpoint()?`",
        ),
    ),
    diverges(C, "fuel_remaining", 0, FUEL_REMAINING),
    target_specific(C, "worker_index", 0, RAW_INDEX_COORDINATOR),
    target_specific(C, "worker_count", 0, RAW_COUNT),
    target_specific(
        C,
        "scratch",
        1,
        advice(
            "it indexes raw lanes, where 0 is the coordinator's own",
            "use `data_scratch(i)`",
        ),
    ),
    target_specific(C, "host_thread_id", 0, HOST_ONLY),
    target_specific(C, "guest_memory_bytes", 0, WASM_ONLY),
    diverges(W, "fuel_remaining", 0, FUEL_REMAINING),
    target_specific(W, "worker_index", 0, RAW_INDEX_WORKER),
    target_specific(W, "worker_count", 0, RAW_COUNT),
    target_specific(W, "host_thread_id", 0, HOST_ONLY),
    target_specific(W, "guest_memory_bytes", 0, WASM_ONLY),
];

/// The method a call `.name(..arity args)` reaches on `context`. When the
/// context is unknown the call is judged by the strictest method of that
/// name and arity on either type, so nothing non-portable slips through.
/// `arity` is `None` for a method used as a value (`.map(Worker::lane)`):
/// then any arity matches.
pub(crate) fn method_for(
    context: Option<Context>,
    name: &str,
    arity: Option<usize>,
) -> Option<&'static Method> {
    METHODS
        .iter()
        .filter(|m| m.name == name && arity.is_none_or(|a| m.arity == a))
        .filter(|m| context.is_none_or(|c| c == m.context))
        .max_by_key(|m| m.portability)
}

/// A path of std whose use breaks byte-identical output.
#[derive(Debug)]
pub(crate) struct Banned {
    /// Segments; any path starting with them is banned.
    pub(crate) path: &'static [&'static str],
    /// What it does that the promise cannot survive.
    pub(crate) advice: Advice,
    /// How many leading segments of `path` name a type of std that a
    /// generated probe can compare a glob-imported name with
    /// (`std::time::Instant`: 3); `None` for modules, fns and other
    /// crates' items, which cannot be compared.
    pub(crate) ty: Option<usize>,
}

const fn ban(path: &'static [&'static str], advice: Advice) -> Banned {
    Banned {
        path,
        advice,
        ty: None,
    }
}

/// A banned path whose first `ty` segments name a type of std.
const fn ban_type(path: &'static [&'static str], ty: usize, advice: Advice) -> Banned {
    Banned {
        path,
        advice,
        ty: Some(ty),
    }
}

const CLOCK: Advice = advice(
    "reads a clock, so the output would change from run to run",
    "pass what you need in the input",
);
const SPIN: Advice = advice(
    "spin-waits, which never ends on the runtime (lanes switch only inside SDK calls)",
    "wait for other lanes with `barrier()`",
);
const SANDBOX_IO: &str = "pass what you need in the input";
const HASH_KEYS: Advice = advice(
    "draws random hash keys, so hash maps iterate in an order that changes from run to run",
    "use `BTreeMap`/`BTreeSet`, or sort the keys before iterating",
);
const ENTROPY: Advice = advice(
    "draws entropy from the system, so the output would change from run to run",
    "seed a generator from the input (`SeedableRng::seed_from_u64`)",
);

const UNWIND: Advice = advice(
    "unwinds, which the wasm32 guest cannot: a panic is caught (or resumed) on the host mock \
     but aborts the launch on the runtime",
    "return a `Result` instead of panicking",
);
const PANIC_HOOK: Advice = advice(
    "swaps the process-wide panic hook, which on the host mock is shared with every lane and \
     every other test of the process",
    "return a `Result` instead of panicking",
);
const STDIO: Advice = advice(
    "reaches the process's standard streams, which the wasm32 guest does not have (reads \
     find nothing, writes vanish) while the host mock's are the terminal's",
    "pass what you need in the input and return results in the output",
);
const BLOCKING: Advice = advice(
    "blocks an OS thread, which the wasm32 guest cannot do (it panics there)",
    "wait for other lanes with `barrier()`",
);
const FS_QUERY: Advice = advice(
    "queries the file system, which the runtime's sandbox does not offer",
    SANDBOX_IO,
);
const POOL: Advice = advice(
    "runs work on a pool of OS threads, which the runtime does not have",
    "split the work over lanes with `parallel_for_workers`",
);

/// Methods that run work on rayon's thread pool, whatever the receiver
/// (rayon's traits are the only common source of these names).
pub(crate) const POOL_METHODS: &[&str] = &[
    "par_iter",
    "par_iter_mut",
    "into_par_iter",
    "par_chunks",
    "par_chunks_mut",
    "par_chunks_exact",
    "par_windows",
    "par_bridge",
    "par_extend",
    "par_sort",
    "par_sort_unstable",
    "par_sort_by",
    "par_sort_by_key",
    "par_sort_unstable_by",
    "par_sort_unstable_by_key",
    "par_drain",
];

/// Why `.par_iter()` and its kin are banned.
pub(crate) const POOL_ADVICE: Advice = POOL;

/// The methods of `Path` and `PathBuf` that query the file system.
pub(crate) const PATH_METHODS: &[&str] = &[
    "exists",
    "try_exists",
    "is_file",
    "is_dir",
    "is_symlink",
    "metadata",
    "symlink_metadata",
    "canonicalize",
    "read_dir",
    "read_link",
];

/// The print macros of std: they print on the host mock and print nothing
/// in the wasm32 guest. A warning, not an error: what they write is not the
/// tasklet's output, which they cannot change (`dbg!` returns its argument).
pub(crate) const PRINT_MACROS: &[&str] = &["print", "println", "eprint", "eprintln", "dbg"];

/// Why a print macro warns.
pub(crate) const PRINTS: Advice = advice(
    "prints on the host mock, where lanes are threads of the test process, but nothing in the \
     wasm32 guest, which has no standard streams",
    "return what you need to see in the output",
);

/// Paths that break the promise, anywhere in a tasklet module.
pub(crate) const BANNED_PATHS: &[Banned] = &[
    ban(
        &["std", "thread"],
        advice(
            "works with OS threads, which the runtime does not have",
            "run lanes with `parallel_for_workers`",
        ),
    ),
    ban_type(&["std", "time", "Instant"], 3, CLOCK),
    ban_type(&["std", "time", "SystemTime"], 3, CLOCK),
    ban(
        &["std", "fs"],
        advice(
            "does file I/O, which the runtime's sandbox does not offer",
            SANDBOX_IO,
        ),
    ),
    ban(
        &["std", "net"],
        advice(
            "does network I/O, which the runtime's sandbox does not offer",
            SANDBOX_IO,
        ),
    ),
    ban(
        &["std", "env"],
        advice(
            "reads the process environment, which differs between the host and the runtime",
            SANDBOX_IO,
        ),
    ),
    ban(
        &["std", "process"],
        only("controls the process, which a wasm guest does not have"),
    ),
    ban_type(
        &["std", "collections", "hash_map", "RandomState"],
        4,
        HASH_KEYS,
    ),
    ban_type(&["std", "hash", "RandomState"], 3, HASH_KEYS),
    // Randomness crates' entropy sources; their seeded generators are
    // deterministic and stay allowed.
    ban(&["rand", "random"], ENTROPY),
    ban(&["rand", "thread_rng"], ENTROPY),
    ban(&["rand", "rng"], ENTROPY),
    ban(&["rand", "rngs", "OsRng"], ENTROPY),
    ban(&["rand", "rngs", "ThreadRng"], ENTROPY),
    ban(&["getrandom"], ENTROPY),
    ban(&["std", "panic", "catch_unwind"], UNWIND),
    ban(&["std", "panic", "resume_unwind"], UNWIND),
    ban(&["std", "panic", "set_hook"], PANIC_HOOK),
    ban(&["std", "panic", "take_hook"], PANIC_HOOK),
    ban(&["std", "io", "stdin"], STDIO),
    ban(&["std", "io", "stdout"], STDIO),
    ban(&["std", "io", "stderr"], STDIO),
    ban_type(&["std", "io", "Stdin"], 3, STDIO),
    ban_type(&["std", "io", "Stdout"], 3, STDIO),
    ban_type(&["std", "io", "Stderr"], 3, STDIO),
    ban_type(&["std", "sync", "Barrier"], 3, BLOCKING),
    ban_type(&["std", "sync", "Condvar"], 3, BLOCKING),
    ban_type(&["std", "path", "Path", "exists"], 3, FS_QUERY),
    ban_type(&["std", "path", "Path", "try_exists"], 3, FS_QUERY),
    ban_type(&["std", "path", "Path", "is_file"], 3, FS_QUERY),
    ban_type(&["std", "path", "Path", "is_dir"], 3, FS_QUERY),
    ban_type(&["std", "path", "Path", "is_symlink"], 3, FS_QUERY),
    ban_type(&["std", "path", "Path", "metadata"], 3, FS_QUERY),
    ban_type(&["std", "path", "Path", "symlink_metadata"], 3, FS_QUERY),
    ban_type(&["std", "path", "Path", "canonicalize"], 3, FS_QUERY),
    ban_type(&["std", "path", "Path", "read_dir"], 3, FS_QUERY),
    ban_type(&["std", "path", "Path", "read_link"], 3, FS_QUERY),
    ban_type(&["std", "path", "PathBuf", "exists"], 3, FS_QUERY),
    ban_type(&["std", "path", "PathBuf", "try_exists"], 3, FS_QUERY),
    ban_type(&["std", "path", "PathBuf", "is_file"], 3, FS_QUERY),
    ban_type(&["std", "path", "PathBuf", "is_dir"], 3, FS_QUERY),
    ban_type(&["std", "path", "PathBuf", "is_symlink"], 3, FS_QUERY),
    ban_type(&["std", "path", "PathBuf", "metadata"], 3, FS_QUERY),
    ban_type(&["std", "path", "PathBuf", "symlink_metadata"], 3, FS_QUERY),
    ban_type(&["std", "path", "PathBuf", "canonicalize"], 3, FS_QUERY),
    ban_type(&["std", "path", "PathBuf", "read_dir"], 3, FS_QUERY),
    ban_type(&["std", "path", "PathBuf", "read_link"], 3, FS_QUERY),
    // Thread pools: OS threads again, under another name.
    ban(&["rayon"], POOL),
    ban(&["crossbeam", "thread"], POOL),
    ban(&["crossbeam", "scope"], POOL),
    ban(&["std", "hint", "spin_loop"], SPIN),
    ban(&["core", "hint", "spin_loop"], SPIN),
    ban(&["std", "sync", "atomic", "spin_loop_hint"], SPIN),
    ban(&["core", "sync", "atomic", "spin_loop_hint"], SPIN),
];

/// Items inside the banned modules (`std::thread`, `std::fs`, ..) that a
/// parent module may import by name and a tasklet reach through
/// `use super::*;`, where the banned module's own path is never written.
/// Only distinctive names: a fn of these names that reaches a tasklet
/// through a glob is an error until it is imported by name (see
/// [`glob_candidates`]). Types are compared exactly, but only non-generic
/// ones are listed, since a probe names the type without arguments.
pub(crate) const MEMBERS: &[(&[&str], Option<usize>)] = &[
    (&["std", "thread", "spawn"], None),
    (&["std", "thread", "sleep"], None),
    (&["std", "thread", "sleep_ms"], None),
    (&["std", "thread", "scope"], None),
    (&["std", "thread", "yield_now"], None),
    (&["std", "thread", "park"], None),
    (&["std", "thread", "park_timeout"], None),
    (&["std", "thread", "available_parallelism"], None),
    (&["std", "thread", "Thread"], Some(3)),
    (&["std", "thread", "ThreadId"], Some(3)),
    (&["std", "fs", "File"], Some(3)),
    (&["std", "fs", "OpenOptions"], Some(3)),
    (&["std", "fs", "DirEntry"], Some(3)),
    (&["std", "fs", "ReadDir"], Some(3)),
    (&["std", "fs", "read_to_string"], None),
    (&["std", "fs", "read_dir"], None),
    (&["std", "fs", "remove_file"], None),
    (&["std", "fs", "create_dir_all"], None),
    (&["std", "fs", "remove_dir_all"], None),
    (&["std", "net", "TcpStream"], Some(3)),
    (&["std", "net", "TcpListener"], Some(3)),
    (&["std", "net", "UdpSocket"], Some(3)),
    (&["std", "env", "var"], None),
    (&["std", "env", "vars"], None),
    (&["std", "env", "var_os"], None),
    (&["std", "env", "args_os"], None),
    (&["std", "env", "current_dir"], None),
    (&["std", "env", "temp_dir"], None),
    (&["std", "process", "exit"], None),
    (&["std", "process", "abort"], None),
    (&["std", "process", "Command"], Some(3)),
    (&["std", "process", "Stdio"], Some(3)),
];

/// A banned path a name could stand for when it reaches a tasklet through
/// a glob import from outside the module.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GlobCandidate {
    /// The full path of the banned item (or of the member of a banned module).
    pub(crate) path: &'static [&'static str],
    /// Where the name stands in `path`.
    pub(crate) at: usize,
    /// See [`Banned::ty`].
    pub(crate) ty: Option<usize>,
    /// The ban's advice.
    pub(crate) advice: Advice,
    /// The banned prefix, for messages: `std::thread` for `spawn`.
    pub(crate) banned: &'static [&'static str],
}

/// The banned paths `name` could be a segment of, past the crate's name:
/// `Instant` for `std::time::Instant`, `time` for the same, `spawn` for
/// `std::thread::spawn`. Crate names (`std`, `rand`) reach every module
/// through the extern prelude, not through a glob, and are checked as
/// written. Names after a type (`Path::exists`) cannot be imported.
pub(crate) fn glob_candidates(name: &str) -> Vec<GlobCandidate> {
    let members = MEMBERS
        .iter()
        .filter_map(|(path, ty)| banned_strs(path).map(|b| (*path, *ty, b.advice, b.path)));
    BANNED_PATHS
        .iter()
        .map(|b| (b.path, b.ty, b.advice, b.path))
        .chain(members)
        .flat_map(|(path, ty, advice, banned)| {
            path.iter()
                .enumerate()
                .skip(1)
                .filter(move |(at, segment)| **segment == name && ty.is_none_or(|t| *at < t))
                .map(move |(at, _)| GlobCandidate {
                    path,
                    at,
                    ty,
                    advice,
                    banned,
                })
        })
        .collect()
}

fn banned_strs(path: &[&str]) -> Option<&'static Banned> {
    BANNED_PATHS
        .iter()
        .find(|b| path.len() >= b.path.len() && b.path.iter().zip(path).all(|(b, s)| b == s))
}

/// The `cfg` options that name the target: code under them differs between
/// the host mock and the wasm32 runtime. `unix` and `windows` are
/// `target_family` shorthands.
pub(crate) fn is_target_cfg(name: &str) -> bool {
    name.starts_with("target_") || name == "unix" || name == "windows"
}

/// Why a target `cfg` is an error.
pub(crate) const TARGET_CFG: Advice =
    only("selects code by target, so the host mock and the wasm32 runtime run different code");

/// Why `debug_assertions` warns: it is the build profile, not the target,
/// but `cargo test` runs the host mock in a dev build and the wasm32 guest
/// usually ships in a release build, so the two run different code.
pub(crate) const DEBUG_CFG: Advice = advice(
    "selects code by build profile, and the host mock usually runs in a dev build \
     (`cargo test`) while the wasm32 guest ships in a release build",
    "keep the output the same under both",
);

/// std's float methods whose results may differ in the last bit between
/// the host (the platform's libm) and wasm32 (a Rust port of musl's), with
/// their arity besides `self` and the `grafos::math` functions for f64 and
/// f32. `sqrt`, `abs`, `floor`, `ceil`, `round`, `trunc` and `mul_add` are
/// correctly rounded or exact, so portable, and not listed.
pub(crate) const FLOAT_METHODS: &[(&str, usize, &str, &str)] = &[
    ("sin", 0, "sin", "sinf"),
    ("cos", 0, "cos", "cosf"),
    ("tan", 0, "tan", "tanf"),
    ("asin", 0, "asin", "asinf"),
    ("acos", 0, "acos", "acosf"),
    ("atan", 0, "atan", "atanf"),
    ("atan2", 1, "atan2", "atan2f"),
    ("sinh", 0, "sinh", "sinhf"),
    ("cosh", 0, "cosh", "coshf"),
    ("tanh", 0, "tanh", "tanhf"),
    ("asinh", 0, "asinh", "asinhf"),
    ("acosh", 0, "acosh", "acoshf"),
    ("atanh", 0, "atanh", "atanhf"),
    ("exp", 0, "exp", "expf"),
    ("exp2", 0, "exp2", "exp2f"),
    ("exp_m1", 0, "exp_m1", "exp_m1f"),
    ("ln", 0, "ln", "lnf"),
    ("log", 1, "log", "logf"),
    ("log2", 0, "log2", "log2f"),
    ("log10", 0, "log10", "log10f"),
    ("ln_1p", 0, "ln_1p", "ln_1pf"),
    ("powf", 1, "powf", "powff"),
    ("powi", 1, "powi", "powif"),
    ("cbrt", 0, "cbrt", "cbrtf"),
    ("hypot", 1, "hypot", "hypotf"),
];

/// The `grafos::math` functions for std's float method `name` called with
/// `arity` arguments besides the receiver (`None`: any, for a path used as
/// a value).
pub(crate) fn float_method(
    name: &str,
    arity: Option<usize>,
) -> Option<(&'static str, &'static str)> {
    FLOAT_METHODS
        .iter()
        .find(|(n, a, _, _)| *n == name && arity.is_none_or(|arity| arity == *a))
        .map(|(_, _, f64_fn, f32_fn)| (*f64_fn, *f32_fn))
}

/// Why std's transcendental float methods warn.
pub(crate) const FLOAT_MATH: &str = "calls the platform's libm on the host mock and a Rust \
     port of musl's libm on wasm32, whose results can differ in the last bit";

/// Why `thread_local!` is banned.
pub(crate) const THREAD_LOCAL: &str = "`thread_local!` gives each lane its own value on the \
     host mock but one value shared by every lane on the runtime; keep per-lane state in the \
     scratch type";

/// Why `static mut` is banned.
pub(crate) const STATIC_MUT: &str = "`static mut` is one unsynchronised value for every lane, \
     racing on the host mock but not on the runtime; keep shared state in the shared type, \
     with atomics";

/// std's hashed collections. Their default hasher, `RandomState`, draws
/// random keys, so their iteration order changes from run to run; unlike a
/// named `RandomState` (an error: its hashes are random numbers), a map that
/// is only looked up is portable, so using the default hasher is a warning.
///
/// A map with an explicit hasher is not judged. Its order is the same from
/// run to run but may still differ between the 64-bit host and wasm32
/// (`usize` and slice lengths hash as 8 bytes on one and 4 on the other),
/// so iterating it is not portable either; but telling "iterates the map"
/// from "looks it up" would need the type of every `.iter()`/`for`
/// receiver, which a syntactic lint does not have, and warning at every
/// explicit-hasher map would fire on portable lookup tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hashed {
    Map,
    Set,
}

impl Hashed {
    /// The collection a full path names.
    pub(crate) fn of_path(segments: &[String]) -> Option<Hashed> {
        match segments {
            [std, collections, rest @ ..] if std == "std" && collections == "collections" => {
                match rest {
                    [name] => Hashed::of_name(name),
                    [module, name] => Hashed::of_name(name).filter(|h| module == h.module()),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The collection a bare name names, unless something else takes the name.
    pub(crate) fn of_name(name: &str) -> Option<Hashed> {
        match name {
            "HashMap" => Some(Hashed::Map),
            "HashSet" => Some(Hashed::Set),
            _ => None,
        }
    }

    fn module(self) -> &'static str {
        match self {
            Hashed::Map => "hash_map",
            Hashed::Set => "hash_set",
        }
    }

    /// Its generic arguments when the hasher is left to its default:
    /// `HashMap<K, V>`, `HashSet<T>`.
    pub(crate) fn default_hasher_arity(self) -> usize {
        match self {
            Hashed::Map => 2,
            Hashed::Set => 1,
        }
    }

    /// Why the default hasher diverges, and the portable ways.
    pub(crate) fn advice(self) -> Advice {
        const WHY: &str = "hashes with `RandomState`, whose keys are random: iterating it visits \
             the entries in an order that changes from run to run and between targets (lookups \
             alone are portable)";
        // Not "a fixed hasher": a fixed hasher's order still differs between
        // the 64-bit host and wasm32, where `usize` and slice lengths hash
        // as 8 and 4 bytes.
        match self {
            Hashed::Map => advice(
                WHY,
                "use `BTreeMap`, or collect and sort the keys before iterating",
            ),
            Hashed::Set => advice(
                WHY,
                "use `BTreeSet`, or collect and sort the items before iterating",
            ),
        }
    }
}

/// The associated fns of `HashMap` and `HashSet` that exist only for the
/// default hasher.
pub(crate) const DEFAULT_HASHER_FNS: &[&str] = &["new", "with_capacity", "from"];

/// The banned path `segments` start with, if any.
pub(crate) fn banned(segments: &[String]) -> Option<&'static Banned> {
    BANNED_PATHS.iter().find(|b| {
        segments.len() >= b.path.len() && b.path.iter().zip(segments).all(|(b, s)| b == s)
    })
}

/// Whether `segments` is a proper prefix of a banned path: `std::time`
/// is, so `time::Instant` through `use std::time;` must be caught.
pub(crate) fn leads_to_banned(segments: &[String]) -> bool {
    BANNED_PATHS
        .iter()
        .any(|b| segments.len() < b.path.len() && segments.iter().zip(b.path).all(|(s, b)| s == b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::path::{Path, PathBuf};

    fn sdk_sources() -> Vec<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../grafos-sdk/src/cpu");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        files.sort();
        files
    }

    /// The last paragraph of an item's rustdoc.
    fn last_paragraph(attrs: &[syn::Attribute]) -> String {
        let doc: Vec<String> = attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .filter_map(|a| match &a.meta {
                syn::Meta::NameValue(nv) => match &nv.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => Some(s.value().trim().to_owned()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let doc = doc.join("\n");
        doc.split("\n\n").last().unwrap_or("").trim().to_owned()
    }

    /// `(context, name, arity, tag paragraph)` of every `pub fn` of the two
    /// context types in the SDK's sources.
    fn sdk_methods() -> Vec<(Context, String, usize, String)> {
        let mut out = Vec::new();
        for path in sdk_sources() {
            let source = std::fs::read_to_string(&path).unwrap();
            let file =
                syn::parse_file(&source).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for item in file.items {
                let syn::Item::Impl(imp) = item else { continue };
                let Some(context) = Context::of_type(&imp.self_ty) else {
                    continue;
                };
                if imp.trait_.is_some() {
                    continue;
                }
                for item in imp.items {
                    let syn::ImplItem::Fn(f) = item else { continue };
                    if !matches!(f.vis, syn::Visibility::Public(_)) || f.sig.receiver().is_none() {
                        continue;
                    }
                    let arity = f.sig.inputs.len() - 1;
                    out.push((
                        context,
                        f.sig.ident.to_string(),
                        arity,
                        last_paragraph(&f.attrs),
                    ));
                }
            }
        }
        out
    }

    #[test]
    fn every_sdk_method_is_tagged_as_the_table_says() {
        let methods = sdk_methods();
        assert!(
            methods.len() >= 30,
            "found only {} methods: did the SDK move?",
            methods.len()
        );
        let mut problems = Vec::new();
        for (context, name, arity, tag) in &methods {
            let listed = METHODS
                .iter()
                .find(|m| m.context == *context && m.name == name && m.arity == *arity);
            let expected = listed.map_or("**Portable.**", |m| m.portability.tag());
            if !tag.starts_with(expected) {
                problems.push(format!(
                    "{}::{name} ({arity} args): the table makes it {expected}, its rustdoc ends \
                     with {tag:?}",
                    context.type_name(),
                ));
            }
        }
        let in_sdk: HashSet<_> = methods
            .iter()
            .map(|(c, n, a, _)| (*c, n.as_str(), *a))
            .collect();
        for m in METHODS {
            if !in_sdk.contains(&(m.context, m.name, m.arity)) {
                problems.push(format!(
                    "{}::{} ({} args) is in the table but not in the SDK",
                    m.context.type_name(),
                    m.name,
                    m.arity
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_listed_method_explains_itself() {
        for m in METHODS {
            assert!(
                !m.advice.why.is_empty(),
                "{}::{}",
                m.context.type_name(),
                m.name
            );
        }
    }

    #[test]
    fn lookup_is_keyed_by_context_name_and_arity() {
        let look = |c, n, a| method_for(c, n, Some(a)).map(|m| m.portability);
        assert_eq!(look(Some(W), "barrier", 0), None, "portable: not listed");
        assert_eq!(look(Some(C), "barrier", 0), Some(Portability::Diverges));
        assert_eq!(look(None, "barrier", 0), Some(Portability::Diverges));
        assert_eq!(look(Some(W), "scratch", 0), None);
        assert_eq!(look(None, "scratch", 0), None);
        assert_eq!(look(None, "scratch", 1), Some(Portability::TargetSpecific));
        assert_eq!(look(Some(W), "scratch", 1), None);
        assert_eq!(look(None, "push", 1), None);
    }

    #[test]
    fn banned_paths_match_by_prefix() {
        let segs = |s: &str| s.split("::").map(str::to_owned).collect::<Vec<_>>();
        assert!(banned(&segs("std::thread::spawn")).is_some());
        assert!(banned(&segs("std::time::Instant::now")).is_some());
        assert!(banned(&segs("std::time::Duration")).is_none());
        assert!(banned(&segs("std::threads")).is_none());
        assert!(leads_to_banned(&segs("std::time")));
        assert!(leads_to_banned(&segs("std")));
        assert!(!leads_to_banned(&segs("std::thread")));
        assert!(!leads_to_banned(&segs("std::vec")));
        assert!(leads_to_banned(&segs("std::collections::hash_map")));
        assert!(banned(&segs("std::collections::HashMap")).is_none());
        assert!(banned(&segs("rand::SeedableRng")).is_none());
    }

    #[test]
    fn hashed_collections_are_named_by_std_paths_only() {
        let segs = |s: &str| s.split("::").map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            Hashed::of_path(&segs("std::collections::HashMap")),
            Some(Hashed::Map)
        );
        assert_eq!(
            Hashed::of_path(&segs("std::collections::hash_set::HashSet")),
            Some(Hashed::Set)
        );
        assert_eq!(
            Hashed::of_path(&segs("std::collections::hash_set::HashMap")),
            None
        );
        assert_eq!(Hashed::of_path(&segs("hashbrown::HashMap")), None);
        assert_eq!(Hashed::of_path(&segs("std::collections::BTreeMap")), None);
    }
}
