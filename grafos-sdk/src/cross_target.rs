//! The test `#[grafos::tasklet]` generates: every tasklet, on the host mock
//! and in the wasm runtime, under several lane orders, compared byte for
//! byte.
//!
//! For each input (generated ones of several sizes, then the tasklet's own
//! from `inputs = path`) and each lane count (the tasklet's, and one other),
//! the tasklet runs
//!
//! 1. in the runtime, data lanes in order: the **reference**;
//! 2. in the runtime, lanes reversed, and in a seeded permutation;
//! 3. on the host mock, lanes taking turns in order, and in that same
//!    permutation (`SharedTaskletBuilder::lane_order`);
//! 4. on the host mock, lanes free on their threads, twice.
//!
//! Every outcome (the output bytes, or the error: kind, lane and message)
//! must equal the reference. Which run differs first says what went wrong:
//! another lane order (the output depends on which lane gets somewhere
//! first), the host mock under the same order (the targets compute
//! differently: usize width, float functions, hash order, a static that
//! outlives a launch, ...), or threads (a race, or a lane reading what
//! another writes without a barrier). All of it is deterministic: a
//! tasklet that breaks the rules fails every run, not sometimes.
//!
//! The runtime's side is the crate's library built for wasm32 by
//! [`grafos_build`] with the test's own profile (the same overflow checks
//! and debug assertions as the test binary), once per test binary, in the
//! test's target directory: about three seconds the first time, a fraction
//! of a second after. Without the `cross-target` feature (on by default),
//! or with `cross_target = false` in the attribute, only the host mock's
//! runs are compared.

use std::fmt::Write as _;
use std::sync::mpsc;
use std::time::Duration;

use crate::TaskletInfo;
use crate::abi::LaneOrder;
use crate::cpu::{SharedTaskletBuilder, SharedTaskletResult, TaskletError};

/// What the generated test hands over.
#[derive(Debug)]
pub struct Suite<S: 'static, W: 'static> {
    /// The tasklet's `INFO`.
    pub info: &'static TaskletInfo,
    /// `CARGO_MANIFEST_DIR` of the crate that defines it.
    pub manifest_dir: &'static str,
    /// Whether the test binary was built without debug assertions (`cargo
    /// test --release`): the wasm build then uses the release profile.
    pub release: bool,
    /// The tasklet's `builder`.
    pub builder: fn() -> SharedTaskletBuilder<'static, S, W>,
    /// The tasklet's `run_host_with`.
    pub run: fn(SharedTaskletBuilder<'_, S, W>) -> Result<SharedTaskletResult, TaskletError>,
    /// The tasklet's own inputs (`inputs = path` in the attribute).
    pub inputs: Option<fn() -> Vec<Vec<u8>>>,
    /// `false` with `cross_target = false` in the attribute: compare the
    /// host mock's runs only.
    pub cross_target: bool,
    /// Why the tasklet cannot be built for wasm32 (it is not in the
    /// package's library), if the macro could tell.
    pub not_in_library: Option<&'static str>,
}

/// The seed of the permutation both targets run.
const SEED: u64 = 0x5EED_F1A9;

/// How long one launch may take before the test calls it hung.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(120);

/// Where and in which order a run happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Schedule {
    Wasm(LaneOrder),
    HostTurns(LaneOrder),
    HostThreads,
}

impl Schedule {
    fn describe(self) -> String {
        match self {
            Schedule::Wasm(order) => format!("wasm runtime, lanes {}", order_words(order)),
            Schedule::HostTurns(order) => {
                format!("host mock, lanes taking turns {}", order_words(order))
            }
            Schedule::HostThreads => "host mock, lanes free on their threads".into(),
        }
    }
}

fn order_words(order: LaneOrder) -> String {
    match order {
        LaneOrder::InOrder => "in order".into(),
        LaneOrder::Reversed => "in reverse order".into(),
        other => format!("in permutation {}", other.name()),
    }
}

type Outcome = Result<Vec<u8>, TaskletError>;

/// One input of the test.
#[derive(Debug)]
struct Input {
    label: String,
    bytes: Vec<u8>,
}

/// `len` bytes of every value, scrambled (a multiplicative hash of the
/// index): no two neighbours alike, and no lane count divides the prime
/// lengths.
fn generated(len: usize) -> Input {
    let bytes = (0u32..len as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    Input {
        label: format!("a generated input of {len} bytes"),
        bytes,
    }
}

fn inputs(own: Option<fn() -> Vec<Vec<u8>>>) -> Vec<Input> {
    let mut inputs: Vec<Input> = [0, 1, 7, 64, 1021, 4099]
        .into_iter()
        .map(generated)
        .collect();
    if let Some(own) = own {
        inputs.extend(own().into_iter().enumerate().map(|(i, bytes)| Input {
            label: format!(
                "input #{i} of the tasklet's `inputs` ({} bytes)",
                bytes.len()
            ),
            bytes,
        }));
    }
    inputs
}

/// The tasklet's lane count, and one other.
fn lane_counts(workers: u32) -> [u32; 2] {
    [workers, if workers == 3 { 5 } else { 3 }]
}

/// Runs the suite; panics with a report at the first difference.
#[track_caller]
pub fn run<S, W>(suite: Suite<S, W>)
where
    S: crate::__private::SharedValue + 'static,
    W: crate::__private::ScratchValue + 'static,
{
    let wasm = wasm_side(&suite);
    let inputs = inputs(suite.inputs);
    let mut succeeded = 0usize;
    let mut first_failure = None;
    for workers in lane_counts(suite.info.workers) {
        for input in &inputs {
            let run = |schedule| {
                let outcome = launch(&suite, wasm.as_ref(), schedule, workers, &input.bytes);
                (schedule, outcome)
            };
            let differs = |a: &(Schedule, Outcome), b: &(Schedule, Outcome), strict: bool| {
                let same = if strict {
                    same_but_fuel(&a.1, &b.1)
                } else {
                    same_but_lane(&a.1, &b.1)
                };
                if !same {
                    panic!(
                        "{}",
                        report(suite.info, input, workers, (a.0, &a.1), (b.0, &b.1))
                    );
                }
            };
            let reference = match wasm {
                Some(_) => run(Schedule::Wasm(LaneOrder::InOrder)),
                None => run(Schedule::HostTurns(LaneOrder::InOrder)),
            };
            match &reference.1 {
                Ok(_) => succeeded += 1,
                Err(e) => {
                    first_failure.get_or_insert_with(|| (input.label.clone(), workers, e.clone()));
                }
            }
            // A lane that waits for another without a barrier never ends when
            // lanes take turns: then only the threads are compared.
            let spins = matches!(
                reference.1,
                Err(TaskletError::FuelExhausted { .. } | TaskletError::DeadlineExceeded)
            );
            // 1. The targets, under the same lane order: every detail of an
            //    error must agree too, the lane that failed first included.
            //    2. Other lane orders: when several lanes fail, which one
            //    fails first is the order's to decide; the failure must not
            //    be.
            if wasm.is_some() {
                let seeded = run(Schedule::Wasm(LaneOrder::Seeded(SEED)));
                if !spins {
                    differs(
                        &reference,
                        &run(Schedule::HostTurns(LaneOrder::InOrder)),
                        true,
                    );
                    differs(
                        &seeded,
                        &run(Schedule::HostTurns(LaneOrder::Seeded(SEED))),
                        true,
                    );
                }
                differs(&reference, &run(Schedule::Wasm(LaneOrder::Reversed)), false);
                differs(&reference, &seeded, false);
            } else if !spins {
                differs(
                    &reference,
                    &run(Schedule::HostTurns(LaneOrder::Seeded(SEED))),
                    false,
                );
            }
            // 3. Lanes free on their threads, twice.
            for _ in 0..2 {
                differs(&reference, &run(Schedule::HostThreads), false);
            }
        }
    }
    if succeeded == 0
        && let Some((label, workers, error)) = first_failure
    {
        panic!(
            "tasklet `{}` failed on every input of its cross-target test, the same way on every \
             target and schedule, so the test shows nothing; on {label} with {workers} lanes it \
             failed with: {error}\n\
             Give it inputs it accepts: `inputs = path::to::fn` in `#[grafos::tasklet(..)]`, a \
             `fn() -> Vec<Vec<u8>>`.",
            suite.info.name
        );
    }
}

/// Whether two outcomes agree in every detail but the fuel each target
/// counted (instructions on the runtime, checkpoints on the host mock).
fn same_but_fuel(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Err(TaskletError::FuelExhausted { .. }), Err(TaskletError::FuelExhausted { .. })) => true,
        _ => a == b,
    }
}

/// Whether two outcomes agree, except perhaps in which lane failed first
/// and how much fuel each target counted.
fn same_but_lane(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Err(a), Err(b)) => a.kind_and_message() == b.kind_and_message(),
        _ => a == b,
    }
}

/// The wasm side, unless the suite compares the host mock only.
fn wasm_side<S, W>(suite: &Suite<S, W>) -> Option<WasmSide> {
    if !suite.cross_target {
        return None;
    }
    if suite.not_in_library.is_some() {
        // The macro warned at compile time already.
        return None;
    }
    wasm::module(suite)
}

#[cfg(feature = "cross-target")]
type WasmSide = grafos_runtime::TaskletModule;
#[cfg(not(feature = "cross-target"))]
type WasmSide = std::convert::Infallible;

/// One launch under `schedule`, its outcome.
fn launch<S, W>(
    suite: &Suite<S, W>,
    wasm: Option<&WasmSide>,
    schedule: Schedule,
    workers: u32,
    input: &[u8],
) -> Outcome
where
    S: crate::__private::SharedValue + 'static,
    W: crate::__private::ScratchValue + 'static,
{
    match schedule {
        Schedule::Wasm(order) => match wasm {
            Some(module) => wasm::launch(module, suite.info, order, workers, input),
            None => unreachable!("wasm schedules run only with a module"),
        },
        Schedule::HostTurns(order) => host(suite, workers, input, Some(order)),
        Schedule::HostThreads => host(suite, workers, input, None),
    }
}

/// A launch on the host mock, on a thread of its own so that a tasklet that
/// never ends (a lane waiting for another without a barrier) fails the test
/// instead of hanging it.
fn host<S, W>(suite: &Suite<S, W>, workers: u32, input: &[u8], order: Option<LaneOrder>) -> Outcome
where
    S: crate::__private::SharedValue + 'static,
    W: crate::__private::ScratchValue + 'static,
{
    let (builder, run) = (suite.builder, suite.run);
    let input = input.to_vec();
    let (done, outcome) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(format!("grafos-test-{}", suite.info.name))
        .spawn(move || {
            let mut launch = builder().workers(workers as usize).input(&input);
            if let Some(order) = order {
                launch = launch.lane_order(order);
            }
            let _ = done.send(run(launch).map(SharedTaskletResult::into_output));
        });
    if let Err(e) = spawned {
        panic!("could not start a thread for the host mock: {e}");
    }
    match outcome.recv_timeout(LAUNCH_TIMEOUT) {
        Ok(outcome) => outcome,
        Err(_) => panic!(
            "tasklet `{}` did not finish on the host mock within {} s ({}): a lane that waits \
             in a loop for another lane's write, instead of at a barrier, never ends when lanes \
             take turns, and exhausts its fuel on the runtime",
            suite.info.name,
            LAUNCH_TIMEOUT.as_secs(),
            Schedule::HostTurns(order.unwrap_or_default()).describe()
        ),
    }
}

#[cfg(feature = "cross-target")]
mod wasm {
    use std::collections::BTreeMap;
    use std::path::PathBuf;
    use std::sync::Mutex;
    use std::time::Instant;

    use grafos_build::scan::Finding;
    use grafos_build::{BuildOptions, BuildProfile, WASM_TARGET};
    use grafos_runtime::{RunOptions, Runtime, RuntimeConfig, TaskletModule};

    use super::{LAUNCH_TIMEOUT, Outcome, Suite};
    use crate::TaskletInfo;
    use crate::abi::LaneOrder;
    use crate::cpu::SharedTaskletResult;

    /// The crate's library built for wasm32 and loaded, once per test
    /// binary and crate; a build failure is reported by every test that
    /// needs it.
    pub(super) fn module<S, W>(suite: &Suite<S, W>) -> Option<TaskletModule> {
        static MODULES: Mutex<BTreeMap<PathBuf, Built>> = Mutex::new(BTreeMap::new());
        let manifest = PathBuf::from(suite.manifest_dir).join("Cargo.toml");
        let mut modules = MODULES.lock().unwrap_or_else(|e| e.into_inner());
        let module = modules
            .entry(manifest.clone())
            .or_insert_with(|| build(manifest, suite.release));
        match module {
            Ok((module, findings)) => {
                if !module.tasklets().iter().any(|t| t.name == suite.info.name) {
                    panic!(
                        "tasklet `{}` is not in the wasm module built from {}: only the \
                         package's library is built for wasm32. Move the tasklet into the \
                         library (src/lib.rs and its modules), or set `cross_target = false` in \
                         its attribute to compare the host mock with itself only.",
                        suite.info.name, suite.manifest_dir
                    );
                }
                unsupported_calls(&suite.info.name, findings);
                Some(module.clone())
            }
            Err(message) => panic!(
                "tasklet `{}`: its cross-target test could not build the crate for wasm32: \
                 {message}",
                suite.info.name
            ),
        }
    }

    /// Fails the test, before anything runs, if the built module shows the
    /// tasklet calling a std function that cannot work on
    /// wasm32-unknown-unknown (`grafos_build::scan`): code outside the
    /// tasklet's module, which the macro's lint does not see.
    fn unsupported_calls(tasklet: &str, findings: &[Finding]) {
        let mine: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.tasklet.as_deref() == Some(tasklet))
            .collect();
        if mine.is_empty() {
            return;
        }
        let mut report = format!(
            "tasklet `{tasklet}` reaches std functions that cannot work on {WASM_TARGET}, in \
             code outside its module that `#[grafos::tasklet]`'s lint does not read (found in \
             the built module, before running it):\n"
        );
        for f in mine {
            report.push_str(&format!(
                "  - `{}` calls `{}`, which {} there\n",
                f.caller, f.callee, f.reason
            ));
            if f.via.len() > 1 {
                report.push_str(&format!("      via {}\n", f.via.join(" -> ")));
            }
        }
        report.push_str(
            "  why: the two targets compute differently: these calls work on the host only. \
             Move each behind `#[target_specific]` and a `cfg`, or out of the tasklet's path.\n",
        );
        panic!("{report}");
    }

    /// A built and loaded module and its scan's findings, or why not.
    type Built = Result<(TaskletModule, Vec<Finding>), String>;

    fn build(manifest: PathBuf, release: bool) -> Built {
        let options = BuildOptions {
            manifest_path: Some(manifest),
            profile: BuildProfile::SameAsTests { release },
            ..BuildOptions::default()
        };
        let built = grafos_build::build(&options).map_err(|e| e.to_string())?;
        let bytes = std::fs::read(&built.module)
            .map_err(|e| format!("reading {}: {e}", built.module.display()))?;
        let module = Runtime::new(RuntimeConfig {
            threads: 1,
            ..RuntimeConfig::default()
        })
        .load(&bytes)
        .map_err(|e| format!("loading {}: {e}", built.module.display()))?;
        // A module the scan cannot read (stripped of its names) is run
        // without it: the comparison still catches what it would have.
        let findings = grafos_build::scan::scan(&bytes).unwrap_or_default();
        Ok((module, findings))
    }

    #[cfg(test)]
    #[test]
    fn a_tasklet_with_unsupported_calls_fails_with_what_where_and_why() {
        let finding = |tasklet: Option<&str>| Finding {
            tasklet: tasklet.map(str::to_owned),
            caller: "c::helper".into(),
            callee: "std::time::Instant::now".into(),
            via: vec!["c::t::run".into(), "c::helper".into()],
            reason: "panics: it reads a clock, and there is none",
        };
        // Others' findings, and those of no tasklet, do not fail it.
        unsupported_calls("t", &[finding(Some("u")), finding(None)]);
        let report = std::panic::catch_unwind(|| unsupported_calls("t", &[finding(Some("t"))]))
            .unwrap_err()
            .downcast::<String>()
            .unwrap();
        for needle in [
            "tasklet `t` reaches std functions that cannot work on wasm32-unknown-unknown",
            "`c::helper` calls `std::time::Instant::now`, which panics: it reads a clock",
            "via c::t::run -> c::helper",
            "why: the two targets compute differently",
            "`#[target_specific]`",
        ] {
            assert!(report.contains(needle), "{needle}: {report}");
        }
    }

    pub(super) fn launch(
        module: &TaskletModule,
        info: &TaskletInfo,
        order: LaneOrder,
        workers: u32,
        input: &[u8],
    ) -> Outcome {
        let options = RunOptions {
            workers: Some(workers),
            lane_order: order,
            deadline: Some(Instant::now() + LAUNCH_TIMEOUT),
            ..RunOptions::default()
        };
        module
            .run(&info.name, input, options)
            .map(SharedTaskletResult::into_output)
    }
}

#[cfg(not(feature = "cross-target"))]
mod wasm {
    use super::{Outcome, Suite, WasmSide};
    use crate::TaskletInfo;
    use crate::abi::LaneOrder;

    pub(super) fn module<S, W>(_: &Suite<S, W>) -> Option<WasmSide> {
        None
    }

    pub(super) fn launch(m: &WasmSide, _: &TaskletInfo, _: LaneOrder, _: u32, _: &[u8]) -> Outcome {
        match *m {}
    }
}

/// What the test prints when two runs differ.
fn report(
    info: &TaskletInfo,
    input: &Input,
    workers: u32,
    reference: (Schedule, &Outcome),
    other: (Schedule, &Outcome),
) -> String {
    let mut out = format!(
        "tasklet `{}` does not give the same result everywhere.\n  input: {}\n  lanes: {workers} \
         (the coordinator and {} data lanes)\n",
        info.name,
        input.label,
        workers - 1
    );
    let width = reference.0.describe().len().max(other.0.describe().len());
    for (schedule, outcome) in [reference, other] {
        let _ = writeln!(
            out,
            "  {:width$}: {}",
            schedule.describe(),
            describe(outcome)
        );
    }
    if let (Ok(a), Ok(b)) = (reference.1, other.1) {
        let at = a
            .iter()
            .zip(b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        let window = at.saturating_sub(8)..at + 8;
        let _ = writeln!(out, "  first difference at byte {at}:");
        for (schedule, bytes) in [(reference.0, a), (other.0, b)] {
            let _ = writeln!(
                out,
                "    {:width$}  [{}..]: {}",
                schedule.describe(),
                window.start,
                hex(bytes, window.clone(), at)
            );
        }
    }
    out.push_str(why(reference, other));
    out
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Ok(bytes) => format!("{} bytes of output", bytes.len()),
        Err(e) => format!("error: {e}"),
    }
}

/// `bytes[window]` in hex, the byte at `at` in brackets.
fn hex(bytes: &[u8], window: std::ops::Range<usize>, at: usize) -> String {
    let end = window.end.min(bytes.len());
    let start = window.start.min(end);
    let mut out = String::new();
    for (i, b) in bytes[start..end].iter().enumerate() {
        if start + i == at {
            let _ = write!(out, "[{b:02x}] ");
        } else {
            let _ = write!(out, "{b:02x} ");
        }
    }
    if at >= bytes.len() {
        out.push_str("(ends)");
    }
    out.trim_end().to_owned()
}

/// The likely causes of a difference between these two runs. The
/// reference is the first schedule: the runtime in order, or the host mock
/// taking turns in order when the suite runs the host mock alone.
fn why(reference: (Schedule, &Outcome), other: (Schedule, &Outcome)) -> &'static str {
    let out_of_fuel = |o: &Outcome| matches!(o, Err(TaskletError::FuelExhausted { .. }));
    if out_of_fuel(reference.1) != out_of_fuel(other.1) {
        return "  why: one side ran out of fuel and the other did not. On the runtime every wasm \
                instruction costs fuel; on the host mock only `fuel_checkpoint()` does, so a \
                budget that fits one may not fit the other: raise it (`fuel = N` in the \
                attribute, `--fuel` on the command line). Or a lane waits in a loop for \
                another lane's write instead of at a `barrier()`: on the runtime, where lanes \
                take turns, it never sees the write and spins until the fuel is gone.\n";
    }
    match (reference.0, other.0) {
        (_, Schedule::HostThreads) => {
            "  why: the result changes when lanes run at the same time: a lane reads what \
             another writes without a `barrier()` between them, or waits for it in a loop \
             (which never ends on the runtime), or lanes race on non-commutative atomics.\n"
        }
        (Schedule::Wasm(_), Schedule::Wasm(_))
        | (Schedule::HostTurns(_), Schedule::HostTurns(_)) => {
            "  why: the result depends on the order in which lanes run. Lanes must not claim \
             work with `fetch_add`, let the first lane win a `compare_exchange`, or read what \
             another lane writes without a `barrier()` between; combine per-lane results in \
             lane order instead.\n"
        }
        _ => {
            "  why: the two targets compute differently under the same lane order. Usual \
             causes: `usize` is 64 bits on the host and 32 on wasm32 (lengths or `as usize` in \
             the output, hashing slices, `size_of`); std's float functions (`sin`, `exp`, \
             `powf`, ...) call the host's libm (use `grafos::math`); hash-map iteration order \
             (use a `BTreeMap`, or sort); addresses or type ids turned into numbers; a \
             `static` that keeps its value from one launch to the next on the host; a panic \
             caught with `catch_unwind`; recursion or stack use beyond the runtime's limits.\n"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_name_the_input_the_lanes_and_the_first_differing_byte() {
        let info = TaskletInfo::new("sum", 4, 0, 0, 10, &[]);
        let input = generated(7);
        let a: Outcome = Ok(vec![1, 2, 3, 4]);
        let b: Outcome = Ok(vec![1, 2, 9, 4]);
        let text = report(
            &info,
            &input,
            4,
            (Schedule::Wasm(LaneOrder::InOrder), &a),
            (Schedule::Wasm(LaneOrder::Reversed), &b),
        );
        assert!(text.contains("tasklet `sum`"), "{text}");
        assert!(text.contains("a generated input of 7 bytes"), "{text}");
        assert!(
            text.contains("lanes: 4 (the coordinator and 3 data lanes)"),
            "{text}"
        );
        assert!(text.contains("first difference at byte 2"), "{text}");
        assert!(text.contains("01 02 [03] 04"), "{text}");
        assert!(text.contains("01 02 [09] 04"), "{text}");
        assert!(text.contains("depends on the order"), "{text}");
        let e: Outcome = Err(TaskletError::StackOverflow { lane: 2 });
        let text = report(
            &info,
            &input,
            4,
            (Schedule::Wasm(LaneOrder::InOrder), &e),
            (Schedule::HostTurns(LaneOrder::InOrder), &a),
        );
        assert!(
            text.contains("error: lane 2 overflowed its stack"),
            "{text}"
        );
        assert!(text.contains("compute differently"), "{text}");
        let text = report(
            &info,
            &input,
            4,
            (Schedule::Wasm(LaneOrder::InOrder), &a),
            (Schedule::HostThreads, &b),
        );
        assert!(text.contains("at the same time"), "{text}");
    }

    #[test]
    fn a_shorter_output_differs_where_it_ends() {
        assert_eq!(hex(&[1, 2], 0..4, 2), "01 02 (ends)");
    }

    #[test]
    fn the_other_lane_count_differs_from_the_tasklets() {
        for workers in 2..10 {
            let [own, other] = lane_counts(workers);
            assert_eq!(own, workers);
            assert_ne!(other, workers);
        }
    }
}
