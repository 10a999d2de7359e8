//! A static scan of a built module for calls that cannot work on
//! `wasm32-unknown-unknown`.
//!
//! `#[grafos::tasklet]` lints the tokens of the tasklet's module. A helper
//! function, a `macro_rules!` or a dependency *outside* the module is, to
//! the lint, a call and nothing more: `Instant::now()` in a helper compiles
//! for wasm32 and panics there. [`scan`] reads the wasm module instead,
//! after the compiler has resolved every call, and reports each such call
//! a tasklet reaches, naming the function that makes it:
//!
//! ```text
//! tasklet `clocked`: `grafos_scan_fixture::started` calls
//! `std::time::Instant::now`, which panics: it reads a clock, and there is
//! none on wasm32-unknown-unknown (via grafos_scan_fixture::clocked::run ->
//! grafos_scan_fixture::started)
//! ```
//!
//! `grafos build` prints each [`Finding`] as a warning, and the generated
//! cross-target test fails with them before it runs anything.
//!
//! # How
//!
//! 1. The functions' names come from the module's `name` section (which
//!    [`build`](crate::build) keeps, in release builds too), demangled
//!    without their hashes.
//! 2. The **direct** call graph: every `call` and `return_call`
//!    instruction. Calls through a table (`call_indirect`: function
//!    pointers, `dyn` methods) are not followed: any function in the table
//!    could be the target, and following them all would put every such
//!    function in every tasklet's reach.
//! 3. A tasklet's roots are its entry export (`grafos_v0_tasklet_<name>`)
//!    and every function whose path has a segment `::<name>::`, where
//!    `<name>` is the tasklet's name: the functions, closures and generated
//!    code of its module. (Workers are reached from the runtime through a
//!    table, so the export alone would not reach them.)
//! 4. A **finding** is a call, in a function reachable from the roots,
//!    from code that is not std's (`std` and the crates it is built from;
//!    `core`, `alloc` and `grafos` count as the user's, since a std call
//!    in one of their functions is user code inlined there), to a std
//!    function that cannot work on wasm32-unknown-unknown: the clock,
//!    threads, sleeping, the file system, the network, the environment and
//!    arguments, processes, condition variables and barriers, standard
//!    input, and the calls into std's platform layer
//!    (`std::sys::{time,thread,fs,net,args,env,process}::..`) that such a
//!    function leaves when it is inlined into its caller.
//! 5. A call of that kind that no tasklet reaches through direct calls (a
//!    worker inlined into the closure grafos calls through a function
//!    pointer) is reported too, with [`Finding::tasklet`] `None`.
//!
//! # Limits
//!
//! - **Module names.** The roots are found by the tasklet's *name*. When
//!   the attribute sets `name = ".."` to something other than the module's
//!   name, only the entry export and what it calls directly are roots: the
//!   workers, reached through a table, are not attributed to it. A tasklet
//!   whose name is also a module or function segment elsewhere (`::run::`)
//!   takes those functions in as roots too.
//! - **Direct calls only.** A call through a function pointer or a `dyn`
//!   trait object is not followed.
//! - **Inlining.** The caller named is the function the call ended up in
//!   after optimisation: a helper inlined into its caller is named as that
//!   caller. A std function inlined into user code shows as the platform
//!   call it makes (`std::sys::..`); one whose whole body was inlined and
//!   that calls nothing leaves no trace (`env::args()`, `env::var(..)` and
//!   `thread::available_parallelism()` on wasm32-unknown-unknown). The
//!   compiler merges identical functions, so a platform function may carry
//!   a sibling's name (`std::fs::metadata` shows as
//!   `std::sys::fs::remove_dir`).
//! - **Std calling std.** Calls that std makes on the user's behalf are not
//!   findings: `instant.elapsed()` is reported (its only source is a
//!   clock), but `HashMap::new()` reading a random seed is not, nor
//!   `println!` writing to an output that is not there.
//! - `#[no_mangle]` functions of the user's crate are not told apart from
//!   std's own unmangled symbols, and are not reported as callers (a
//!   tasklet's entry export is).
//!
//! A module that wasmparser cannot read, or one without a `name` section
//! (built with `strip`, say), is a [`ScanError`], never a panic.

use std::collections::{BTreeSet, VecDeque};
use std::fmt;

use grafos_abi::export::TASKLET_PREFIX;
use wasmparser::{ExternalKind, KnownCustom, Name, Operator, Parser, Payload, TypeRef};

/// The most names a [`Finding::via`] chain keeps; longer chains keep their
/// first two and last three, with `…` between.
const MAX_CHAIN: usize = 6;

/// A call a tasklet reaches that cannot work on wasm32-unknown-unknown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// The tasklet (its record's name); `None` when no tasklet reaches the
    /// caller through direct calls: a worker inlined into the closure that
    /// grafos calls through a function pointer, say.
    pub tasklet: Option<String>,
    /// The function that makes the call, demangled, without hash or
    /// generic arguments.
    pub caller: String,
    /// The std function it calls, likewise.
    pub callee: String,
    /// How the tasklet reaches the caller: a root first, the caller last.
    pub via: Vec<String>,
    /// Why the call cannot work, to read after "which": "panics: it reads
    /// a clock, and there is none".
    pub reason: &'static str,
}

impl fmt::Display for Finding {
    /// `tasklet `NAME`: `caller` calls `callee`, which <reason> on
    /// wasm32-unknown-unknown (via a -> b -> c)`; without a tasklet,
    /// `a tasklet (through a function pointer): `caller` calls ..`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.tasklet {
            Some(name) => write!(f, "tasklet `{name}`: ")?,
            None => write!(f, "a tasklet (through a function pointer): ")?,
        }
        write!(
            f,
            "`{}` calls `{}`, which {} on {}",
            self.caller,
            self.callee,
            self.reason,
            crate::WASM_TARGET
        )?;
        if self.via.len() > 1 {
            write!(f, " (via {})", self.via.join(" -> "))?;
        }
        Ok(())
    }
}

/// Why a module could not be scanned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// wasmparser could not read the module.
    #[error("the module could not be read: {0}")]
    Malformed(String),
    /// The module has no function names to report.
    #[error(
        "the module has no `name` section (was it built with `strip`?), so its functions cannot be named"
    )]
    NoNames,
}

impl From<wasmparser::BinaryReaderError> for ScanError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        ScanError::Malformed(e.to_string())
    }
}

/// Scans `wasm` for calls its tasklets reach that cannot work on
/// wasm32-unknown-unknown; see the module docs. The findings are sorted by
/// tasklet, then caller and callee, one per tasklet, caller and callee.
pub fn scan(wasm: &[u8]) -> Result<Vec<Finding>, ScanError> {
    let module = Module::parse(wasm)?;
    let mut findings = Vec::new();
    for (tasklet, entry) in &module.entries {
        findings.extend(module.findings(tasklet, *entry));
    }
    let attributed: BTreeSet<(String, String)> = findings
        .iter()
        .map(|f| (f.caller.clone(), f.callee.clone()))
        .collect();
    findings.extend(
        module
            .unattributed()
            .into_iter()
            .filter(|f| !attributed.contains(&(f.caller.clone(), f.callee.clone()))),
    );
    findings.sort();
    findings.dedup();
    Ok(findings)
}

/// What the scan needs of a module: per function (imports first, as wasm
/// numbers them), its name and the functions it calls directly.
#[derive(Debug)]
struct Module {
    functions: Vec<Function>,
    /// Each tasklet's name and entry function.
    entries: Vec<(String, u32)>,
}

#[derive(Debug, Default, Clone)]
struct Function {
    /// Demangled, without hash or generic arguments; `func[N]` if unnamed.
    path: String,
    /// Demangled without hash, with generic arguments: a generic function
    /// instantiated for a tasklet's closure names the closure there.
    full: String,
    /// Whether the symbol was Rust-mangled (not `#[no_mangle]` or an import).
    mangled: bool,
    /// The functions it calls directly.
    calls: Vec<u32>,
}

impl Module {
    fn parse(wasm: &[u8]) -> Result<Self, ScanError> {
        let mut imported = 0u32;
        let mut bodies: Vec<Vec<u32>> = Vec::new();
        let mut names: Vec<(u32, String)> = Vec::new();
        let mut has_names = false;
        let mut entries = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            match payload? {
                Payload::ImportSection(reader) => {
                    for import in reader {
                        if let TypeRef::Func(_) = import?.ty {
                            imported += 1;
                        }
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export?;
                        if export.kind == ExternalKind::Func
                            && let Some(name) = export.name.strip_prefix(TASKLET_PREFIX)
                        {
                            entries.push((name.to_owned(), export.index));
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let mut calls = Vec::new();
                    let mut ops = body.get_operators_reader()?;
                    while !ops.eof() {
                        match ops.read()? {
                            Operator::Call { function_index }
                            | Operator::ReturnCall { function_index } => calls.push(function_index),
                            _ => {}
                        }
                    }
                    calls.sort_unstable();
                    calls.dedup();
                    bodies.push(calls);
                }
                Payload::CustomSection(reader) => {
                    if let KnownCustom::Name(section) = reader.as_known() {
                        for name in section {
                            if let Name::Function(map) = name? {
                                has_names = true;
                                for naming in map {
                                    let naming = naming?;
                                    names.push((naming.index, naming.name.to_owned()));
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if !has_names {
            return Err(ScanError::NoNames);
        }
        let count = imported as usize + bodies.len();
        let mut functions = vec![Function::default(); count];
        for (calls, function) in bodies.into_iter().zip(&mut functions[imported as usize..]) {
            // A call to a function that does not exist is the validator's
            // business; the scan drops it.
            function.calls = calls
                .into_iter()
                .filter(|&c| (c as usize) < count)
                .collect();
        }
        for (index, name) in names {
            if let Some(function) = functions.get_mut(index as usize) {
                function.mangled = index >= imported && is_mangled(&name);
                function.full = format!("{:#}", rustc_demangle::demangle(&name));
                function.path = normalize(&function.full);
            }
        }
        for (index, function) in functions.iter_mut().enumerate() {
            if function.path.is_empty() {
                function.path = format!("func[{index}]");
                function.full = function.path.clone();
            }
        }
        entries.retain(|&(_, index)| (index as usize) < count);
        Ok(Module { functions, entries })
    }

    /// The findings of the tasklet `name` whose entry is function `entry`.
    fn findings(&self, name: &str, entry: u32) -> Vec<Finding> {
        let segment = format!("::{name}::");
        let mut parent: Vec<Option<u32>> = vec![None; self.functions.len()];
        let mut seen = vec![false; self.functions.len()];
        let mut queue = VecDeque::new();
        let roots = std::iter::once(entry as usize).chain(
            self.functions
                .iter()
                .enumerate()
                .filter(|(_, f)| f.path.contains(&segment))
                .map(|(i, _)| i),
        );
        for root in roots {
            if !seen[root] {
                seen[root] = true;
                queue.push_back(root);
            }
        }
        let mut found = BTreeSet::new();
        while let Some(at) = queue.pop_front() {
            let caller = &self.functions[at];
            let user = at == entry as usize || (caller.mangled && !is_std(&caller.path));
            for &callee in &caller.calls {
                let callee = callee as usize;
                if user && let Some(reason) = unsupported(&self.functions[callee].path) {
                    found.insert((at, callee, reason));
                }
                if !seen[callee] {
                    seen[callee] = true;
                    parent[callee] = Some(at as u32);
                    queue.push_back(callee);
                }
            }
        }
        let mut findings: Vec<Finding> = found
            .into_iter()
            .map(|(caller, callee, reason)| Finding {
                tasklet: Some(name.to_owned()),
                caller: self.functions[caller].path.clone(),
                callee: self.functions[callee].path.clone(),
                via: self.chain(caller, &parent),
                reason,
            })
            .collect();
        // Two monomorphisations of one function have one path.
        findings.sort();
        findings.dedup_by(|a, b| a.caller == b.caller && a.callee == b.callee);
        findings
    }

    /// Every such call in the module, from any function that is not std's,
    /// without a tasklet or a chain: [`scan`] keeps those no tasklet
    /// reaches directly.
    fn unattributed(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for caller in self
            .functions
            .iter()
            .filter(|f| f.mangled && !is_std(&f.path))
        {
            for &callee in &caller.calls {
                let callee = &self.functions[callee as usize];
                if let Some(reason) = unsupported(&callee.path) {
                    findings.push(Finding {
                        tasklet: None,
                        caller: caller.path.clone(),
                        callee: callee.path.clone(),
                        via: Vec::new(),
                        reason,
                    });
                }
            }
        }
        findings
    }

    /// The names from a root to `to`, shortened to [`MAX_CHAIN`].
    fn chain(&self, to: usize, parent: &[Option<u32>]) -> Vec<String> {
        let mut chain = vec![to];
        let mut at = to;
        while let Some(up) = parent[at] {
            at = up as usize;
            chain.push(at);
            // The graph is searched breadth-first from the roots: parents
            // end at a root, but stay bounded anyway.
            if chain.len() > self.functions.len() {
                break;
            }
        }
        chain.reverse();
        let mut names: Vec<String> = chain
            .into_iter()
            .map(|i| self.functions[i].path.clone())
            .collect();
        if names.len() > MAX_CHAIN {
            names.splice(2..names.len() - 3, ["…".to_owned()]);
        }
        names
    }
}

/// Whether `symbol` is a Rust-mangled name (v0 or legacy).
fn is_mangled(symbol: &str) -> bool {
    symbol.starts_with("_R") || symbol.starts_with("_ZN")
}

/// Paths of std and the crates std itself is built from: what they call is
/// std's business (`Instant::elapsed` calls `Instant::now`), never a
/// finding. `core`, `alloc` and `grafos` are *not* here: `core` and `alloc`
/// cannot call std, and grafos calls none of these functions on wasm32, so
/// such a call in a function of theirs is user code inlined there (a
/// tasklet's worker inlined into grafos's `parallel_for_workers` closure,
/// a closure inlined into `core::iter`).
const STD: &[&str] = &[
    "std::",
    "<std::",
    "hashbrown::",
    "<hashbrown::",
    "compiler_builtins::",
    "dlmalloc::",
    "<dlmalloc::",
    "std_detect::",
    "rustc_demangle::",
    "<rustc_demangle::",
    "panic_abort::",
    "panic_unwind::",
    "unwind::",
    // std's unmangled symbols (`rust_begin_unwind`) get this prefix.
    "__rustc::",
];

fn is_std(path: &str) -> bool {
    STD.iter().any(|p| path.starts_with(p))
}

const CLOCK: &str = "panics: it reads a clock, and there is none";
const THREAD: &str = "panics: it starts a thread, and there are none";
const SLEEP: &str = "panics: it sleeps, and there is no clock";
const CORES: &str = "fails: there is no count of cores";
const FILES: &str = "fails: there is no file system";
const NET: &str = "fails: there is no network";
const ENV: &str = "finds nothing: there is no environment";
const ARGS: &str = "finds nothing: there are no arguments";
const PROCESS: &str = "fails or aborts: there are no processes";
const WAIT: &str = "panics or never returns: there is one thread, so nothing can wake it";
const STDIN: &str = "reads nothing: there is no standard input";

/// std functions that cannot work on wasm32-unknown-unknown, by path
/// prefix (after [`normalize`]), and why.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("std::time::Instant::now", CLOCK),
    ("std::time::Instant::elapsed", CLOCK),
    ("std::time::SystemTime::now", CLOCK),
    ("std::time::SystemTime::elapsed", CLOCK),
    ("std::thread::spawn", THREAD),
    ("std::thread::Builder::spawn", THREAD),
    ("std::thread::Builder::spawn_unchecked", THREAD),
    ("std::thread::Builder::spawn_unchecked_", THREAD),
    ("std::thread::Builder::spawn_scoped", THREAD),
    ("std::thread::functions::spawn", THREAD),
    ("std::thread::scope", THREAD),
    ("std::thread::scoped::scope", THREAD),
    ("std::thread::Scope::spawn", THREAD),
    ("std::thread::scoped::Scope::spawn", THREAD),
    ("std::thread::ScopedThreadBuilder::spawn", THREAD),
    ("std::thread::sleep", SLEEP),
    ("std::thread::functions::sleep", SLEEP),
    ("std::thread::available_parallelism", CORES),
    ("std::fs::", FILES),
    ("std::net::", NET),
    ("std::env::var", ENV),
    ("std::env::var_os", ENV),
    ("std::env::_var", ENV),
    ("std::env::_var_os", ENV),
    ("std::env::vars", ENV),
    ("std::env::vars_os", ENV),
    ("std::env::args", ARGS),
    ("std::env::args_os", ARGS),
    ("std::env::current_dir", FILES),
    ("std::env::set_current_dir", FILES),
    ("std::env::temp_dir", FILES),
    ("std::env::home_dir", FILES),
    ("std::env::current_exe", FILES),
    ("std::process::", PROCESS),
    ("std::sync::Condvar::wait", WAIT),
    ("std::sync::poison::condvar::Condvar::wait", WAIT),
    ("std::sync::Barrier::wait", WAIT),
    ("std::sync::barrier::Barrier::wait", WAIT),
    ("std::io::stdin", STDIN),
    ("std::io::stdio::stdin", STDIN),
    ("std::io::Stdin::", STDIN),
    ("std::io::stdio::Stdin::", STDIN),
];

/// Why the std function at `path` cannot work on wasm32-unknown-unknown,
/// if it cannot.
fn unsupported(path: &str) -> Option<&'static str> {
    // A prefix matches whole names: `std::thread::scope` is not
    // `std::thread::scoped::ScopeData`.
    let matches = |prefix: &str| {
        path.strip_prefix(prefix).is_some_and(|rest| {
            prefix.ends_with("::") || !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')
        })
    };
    if let Some(&(_, reason)) = UNSUPPORTED.iter().find(|(p, _)| matches(p)) {
        return Some(reason);
    }
    // A std function inlined into its caller leaves the call it makes into
    // the platform layer: `std::sys::<area>::..` (or
    // `std::sys::pal::<platform>::<area>::..`). Only the areas with nothing
    // behind them count: much of `std::sys` works without threads
    // (`thread_local`, `sync::once`, `random`, `alloc`, `stdio`'s output).
    let platform = path.strip_prefix("std::sys::")?;
    let area = |name: &str| platform.starts_with(name) || platform.contains(&format!("::{name}"));
    Some(if area("time::") {
        CLOCK
    } else if area("thread::") {
        THREAD
    } else if area("fs::") {
        FILES
    } else if area("net::") {
        NET
    } else if area("args::") {
        ARGS
    } else if area("env::") || area("os::getenv") {
        ENV
    } else if area("process::") {
        PROCESS
    } else if area("sync::condvar::") {
        WAIT
    } else {
        return None;
    })
}

/// A demangled path without generic arguments (`::<..>`), and with an
/// inherent impl's brackets dropped: `<std::fs::File>::open::<&str>`
/// becomes `std::fs::File::open`. Trait impls (`<T as Trait>::f`) keep
/// theirs.
fn normalize(demangled: &str) -> String {
    // Drop every `<..>` that follows a name or `::` (generic arguments),
    // with what it nests; keep the others (a qualified path's brackets).
    let mut out = String::with_capacity(demangled.len());
    let mut depth = 0usize;
    for c in demangled.chars() {
        if depth > 0 {
            match c {
                '<' => depth += 1,
                '>' => depth -= 1,
                _ => {}
            }
            continue;
        }
        if c == '<'
            && (out.ends_with("::")
                || out.ends_with(|p: char| p.is_alphanumeric() || p == '_' || p == '}'))
        {
            if out.ends_with("::") {
                out.truncate(out.len() - 2);
            }
            depth = 1;
            continue;
        }
        out.push(c);
    }
    // `<Type>::rest` → `Type::rest`, when `Type` is a path with no ` as `.
    if let Some(inner) = out.strip_prefix('<') {
        let mut depth = 1usize;
        for (i, c) in inner.char_indices() {
            match c {
                '<' => depth += 1,
                '>' => {
                    depth -= 1;
                    if depth == 0 {
                        let (ty, rest) = (&inner[..i], &inner[i + 1..]);
                        if !ty.contains(" as ") && !ty.contains(['<', '&', '[', '(', '*', ' ']) {
                            return format!("{ty}{rest}");
                        }
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lose_generic_arguments_and_inherent_impl_brackets() {
        assert_eq!(
            normalize("<std::fs::File>::open::<&str>"),
            "std::fs::File::open"
        );
        assert_eq!(
            normalize("<std::time::Instant>::now"),
            "std::time::Instant::now"
        );
        assert_eq!(
            normalize("std::thread::spawn::<a::b::{closure#0}, core::result::Result<u8, ()>>"),
            "std::thread::spawn"
        );
        assert_eq!(
            normalize("<a::Out as core::default::Default>::default"),
            "<a::Out as core::default::Default>::default"
        );
        assert_eq!(
            normalize("<&mut a::F as core::ops::FnOnce<()>>::call_once"),
            "<&mut a::F as core::ops::FnOnce>::call_once"
        );
        assert_eq!(
            normalize("core::ptr::drop_in_place<a::Out<u8>>"),
            "core::ptr::drop_in_place"
        );
        assert_eq!(normalize("memcpy"), "memcpy");
        // Unbalanced brackets (never demangler output) do not panic.
        assert_eq!(normalize("<a::<"), "<a");
        assert_eq!(normalize("a>::b"), "a>::b");
    }

    #[test]
    fn the_denylist_names_its_reasons() {
        assert_eq!(unsupported("std::time::Instant::now"), Some(CLOCK));
        assert_eq!(unsupported("std::fs::File::open"), Some(FILES));
        assert_eq!(unsupported("std::env::var_os"), Some(ENV));
        assert_eq!(
            unsupported("std::thread::Builder::spawn_unchecked_"),
            Some(THREAD)
        );
        assert_eq!(
            unsupported("std::sys::pal::unsupported::time::Instant::now"),
            Some(CLOCK)
        );
        assert_eq!(unsupported("std::sys::args::unsupported::args"), Some(ARGS));
        assert_eq!(
            unsupported("std::sys::sync::condvar::no_threads::Condvar::wait"),
            Some(WAIT)
        );
        // Platform functions that work without threads.
        assert_eq!(
            unsupported("std::sys::thread_local::no_threads::LazyStorage::initialize"),
            None
        );
        assert_eq!(
            unsupported("std::sys::sync::once::no_threads::Once::call"),
            None
        );
        assert_eq!(unsupported("std::sys::random::fill"), None);
        assert_eq!(unsupported("std::time::Duration::from_secs"), None);
        assert_eq!(unsupported("std::thread::scoped::scope"), Some(THREAD));
        assert_eq!(
            unsupported("std::thread::scoped::ScopeData::decrement_num_running_threads"),
            None
        );
        assert_eq!(unsupported("std::env::variables"), None);
        assert_eq!(unsupported("std::thread::current"), None);
        assert_eq!(unsupported("std::io::stdio::_print"), None);
        assert_eq!(unsupported("core::time::Instant::now"), None);
    }

    /// A module with the shape of a built tasklet crate: imported
    /// functions first (they offset the indices), a name section with
    /// v0-mangled names, an entry export, a worker reached only through a
    /// table.
    fn module() -> Vec<u8> {
        wat::parse_str(format!(
            r#"(module
              (import "grafos_worker_v0" "barrier" (func $imp (result i32)))
              (func $entry (export "grafos_v0_tasklet_demo") (result i32)
                call $run
                i32.const 0)
              ;; demo::run: calls a helper outside the module
              (func $run call $helper)
              ;; demo::work, the worker: only reachable through the table
              (func $work call $now2)
              ;; the helper calls std's Instant::now
              (func $helper call $now)
              ;; a function no tasklet reaches directly that also calls it
              (func $unused call $now)
              (func $now)
              (func $now2)
              (table 1 funcref)
              (elem (i32.const 0) $work)
              (@custom "name" (after code) "{names}")
            )"#,
            names = name_section(&[
                (0, "barrier"),
                (1, "grafos_v0_tasklet_demo"),
                (2, "_RNvNtCs1234_5crate4demo3run"),
                (3, "_RNvNtCs1234_5crate4demo4work"),
                (4, "_RNvCs1234_5crate6helper"),
                (5, "_RNvCs1234_5crate6unused"),
                (6, "_RNvMNtCs5678_3std4timeNtB2_7Instant3now"),
                (7, "_RNvMNtCs5678_3std4timeNtB2_10SystemTime3now"),
            ])
        ))
        .unwrap()
    }

    /// A `name` section's payload, escaped for WAT, with only function names.
    fn name_section(names: &[(u32, &str)]) -> String {
        fn leb(mut n: u32, out: &mut Vec<u8>) {
            loop {
                let byte = (n & 0x7f) as u8;
                n >>= 7;
                if n == 0 {
                    out.push(byte);
                    break;
                }
                out.push(byte | 0x80);
            }
        }
        let mut map = Vec::new();
        leb(names.len() as u32, &mut map);
        for &(index, name) in names {
            leb(index, &mut map);
            leb(name.len() as u32, &mut map);
            map.extend_from_slice(name.as_bytes());
        }
        let mut section = vec![1u8];
        leb(map.len() as u32, &mut section);
        section.extend(map);
        section.iter().map(|b| format!("\\{b:02x}")).collect()
    }

    #[test]
    fn a_helper_outside_the_module_is_named_with_its_chain() {
        let findings = scan(&module()).unwrap();
        let summary: Vec<(Option<&str>, &str, &str, &[String])> = findings
            .iter()
            .map(|f| {
                let tasklet = f.tasklet.as_deref();
                (
                    tasklet,
                    f.caller.as_str(),
                    f.callee.as_str(),
                    f.via.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                // No tasklet reaches `unused` directly: still reported.
                (None, "crate::unused", "std::time::Instant::now", &[][..]),
                (
                    Some("demo"),
                    "crate::demo::work",
                    "std::time::SystemTime::now",
                    &["crate::demo::work".to_owned()][..]
                ),
                (
                    Some("demo"),
                    "crate::helper",
                    "std::time::Instant::now",
                    &["crate::demo::run".to_owned(), "crate::helper".to_owned()][..]
                ),
            ]
        );
        assert!(findings.iter().all(|f| f.reason == CLOCK));
        assert_eq!(
            findings[2].to_string(),
            "tasklet `demo`: `crate::helper` calls `std::time::Instant::now`, which panics: it \
             reads a clock, and there is none on wasm32-unknown-unknown (via crate::demo::run -> \
             crate::helper)"
        );
        assert_eq!(
            findings[0].to_string(),
            "a tasklet (through a function pointer): `crate::unused` calls \
             `std::time::Instant::now`, which panics: it reads a clock, and there is none on \
             wasm32-unknown-unknown"
        );
    }

    #[test]
    fn a_module_without_tasklets_or_calls_has_no_findings() {
        let wasm = wat::parse_str(format!(
            r#"(module (func $f) (@custom "name" (after code) "{}"))"#,
            name_section(&[(0, "_RNvMNtCs5678_3std4timeNtB2_7Instant3now")])
        ))
        .unwrap();
        assert_eq!(scan(&wasm), Ok(vec![]));
    }

    #[test]
    fn std_calling_std_is_not_a_finding() {
        // The entry calls std::fs::read, which calls Instant::now: only the
        // first call is the tasklet's.
        let wasm = wat::parse_str(format!(
            r#"(module
              (func (export "grafos_v0_tasklet_t") call 1)
              (func call 2)
              (func)
              (@custom "name" (after code) "{}"))"#,
            name_section(&[
                (0, "grafos_v0_tasklet_t"),
                (1, "_RNvNtCs5678_3std2fs4read"),
                (2, "_RNvMNtCs5678_3std4timeNtB2_7Instant3now"),
            ])
        ))
        .unwrap();
        let findings = scan(&wasm).unwrap();
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].caller, "grafos_v0_tasklet_t");
        assert_eq!(findings[0].callee, "std::fs::read");
        assert_eq!(findings[0].reason, FILES);
    }

    #[test]
    fn long_chains_are_shortened() {
        // entry -> f1 -> f2 -> ... -> f7 -> Instant::now
        let mut funcs = String::new();
        let mut names = vec![(0, "grafos_v0_tasklet_t".to_owned())];
        for i in 1..=7 {
            funcs.push_str(&format!("(func call {})\n", i + 1));
            names.push((i, format!("_RNvCs1234_5crate2f{i}")));
        }
        names.push((8, "_RNvMNtCs5678_3std4timeNtB2_7Instant3now".to_owned()));
        let names: Vec<(u32, &str)> = names.iter().map(|(i, n)| (*i, n.as_str())).collect();
        let wasm = wat::parse_str(format!(
            r#"(module
              (func (export "grafos_v0_tasklet_t") call 1)
              {funcs}
              (func)
              (@custom "name" (after code) "{}"))"#,
            name_section(&names)
        ))
        .unwrap();
        let findings = scan(&wasm).unwrap();
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(
            findings[0].via,
            [
                "grafos_v0_tasklet_t",
                "crate::f1",
                "…",
                "crate::f5",
                "crate::f6",
                "crate::f7"
            ]
        );
    }

    #[test]
    fn malformed_or_nameless_modules_are_errors_not_panics() {
        assert!(matches!(scan(b""), Err(ScanError::Malformed(_))));
        assert!(matches!(scan(b"\0asm"), Err(ScanError::Malformed(_))));
        assert!(matches!(
            scan(b"\0asm\x01\0\0\0\x0a\x05\x01\x03\0\x10"),
            Err(ScanError::Malformed(_))
        ));
        let mut truncated = module();
        truncated.truncate(truncated.len() / 2);
        assert!(matches!(scan(&truncated), Err(ScanError::Malformed(_))));
        let nameless = wat::parse_str("(module (func (export \"grafos_v0_tasklet_t\")))").unwrap();
        assert_eq!(scan(&nameless), Err(ScanError::NoNames));
        assert!(ScanError::NoNames.to_string().contains("`name` section"));
    }

    #[test]
    fn names_of_missing_functions_and_calls_out_of_range_are_ignored() {
        // A name for function 9 of 1, and an export to a missing function:
        // not valid wasm, but the scan reads it without panicking.
        let wasm = wat::parse_str(format!(
            r#"(module (func (export "grafos_v0_tasklet_t")) (@custom "name" (after code) "{}"))"#,
            name_section(&[(9, "_RNvCs1234_5crate1f")])
        ))
        .unwrap();
        assert_eq!(scan(&wasm), Ok(vec![]));
    }
}
