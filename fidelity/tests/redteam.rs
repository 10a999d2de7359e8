//! The red-team suite: every tasklet of `grafos-fidelity` through the
//! cross-target test (`grafos::__private::cross_target_test`, what each
//! tasklet's generated `grafos_tasklet_matches_wasm` runs), with the
//! outcome asserted:
//!
//! - a diverging tasklet must fail with a report whose `why:` line names
//!   the expected cause: [`Caught::Order`], [`Caught::Targets`],
//!   [`Caught::Threads`], [`Caught::Fuel`], or the "failed on every input" refusal
//!   [`Caught::EveryInputFailed`];
//! - a control must pass;
//! - a tasklet known to still get through must still pass, so that the
//!   list stays honest: when the harness learns to catch one, its entry
//!   moves to the right table.
//!
//! One `#[test]` per class; each runs its table in one thread and reports
//! every entry that went another way, not just the first. The expected
//! panics' reports are captured with the test's output (shown only if the
//! test fails; `REDTEAM_REPORTS=1 cargo test -p grafos-fidelity --
//! --nocapture` prints every report). Not executed, and why: `panics::panic_in_drop_while_unwinding`
//! (a double panic aborts the test process) and `order::std_barrier` (the
//! host mock taking turns would hang for the harness's 120 s timeout); see
//! docs/FIDELITY.md.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

/// How a tasklet's cross-target test ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caught {
    /// It passed.
    Passes,
    /// A report whose `why:` blames the lane order.
    Order,
    /// A report whose `why:` says the two targets compute differently.
    Targets,
    /// A report whose `why:` blames lanes running at the same time.
    Threads,
    /// A report whose `why:` says one side ran out of fuel and the other
    /// did not (a budget that fits one target only, or a spin-wait).
    Fuel,
    /// The refusal of a tasklet that failed alike on every input.
    EveryInputFailed,
    /// Any other panic (a hang reported by the harness, a build failure,
    /// a harness bug).
    Other,
    /// Expected only: caught as [`Caught::Order`], [`Caught::Targets`] or
    /// [`Caught::Threads`], which one depending on the state of the host's
    /// heap (a program whose output follows host addresses).
    AnyDifference,
}

impl Caught {
    /// Whether `got` is what this expectation accepts.
    fn accepts(self, got: Caught) -> bool {
        match self {
            Caught::AnyDifference => {
                matches!(got, Caught::Order | Caught::Targets | Caught::Threads)
            }
            expected => expected == got,
        }
    }
}

/// One tasklet and how its test must end.
struct Entry {
    name: &'static str,
    expect: Caught,
    run: fn(),
}

/// An [`Entry`] for tasklet module `$m` (a path in `grafos_fidelity`),
/// optionally with the tasklet's own inputs.
macro_rules! entry {
    ($($m:ident)::+ => $expect:ident $(, inputs = $($inputs:ident)::+)?) => {{
        fn run() {
            use grafos_fidelity::$($m)::+ as m;
            static T: grafos::TaskletInfo = m::INFO;
            let inputs: Option<fn() -> Vec<Vec<u8>>> = None $(.or(Some(grafos_fidelity::$($inputs)::+)))?;
            grafos::__private::cross_target_test(grafos::__private::Suite {
                info: &T,
                manifest_dir: env!("CARGO_MANIFEST_DIR"),
                release: !cfg!(debug_assertions),
                builder: m::builder,
                run: m::run_host_with,
                inputs,
                cross_target: true,
                not_in_library: None,
            });
        }
        Entry {
            name: stringify!($($m)::+),
            expect: Caught::$expect,
            run,
        }
    }};
}

/// What a panic's message says about its cause.
fn classify(message: &str) -> Caught {
    let why = message
        .lines()
        .find(|l| l.trim_start().starts_with("why:"))
        .unwrap_or("");
    if message.contains("failed on every input of its cross-target test") {
        Caught::EveryInputFailed
    } else if why.contains("depends on the order in which lanes run") {
        Caught::Order
    } else if why.contains("the two targets compute differently") {
        Caught::Targets
    } else if why.contains("changes when lanes run at the same time") {
        Caught::Threads
    } else if why.contains("one side ran out of fuel and the other did not") {
        Caught::Fuel
    } else {
        Caught::Other
    }
}

/// Runs one entry's cross-target test: how it ended, and the report.
fn outcome(entry: &Entry) -> (Caught, String) {
    match catch_unwind(AssertUnwindSafe(entry.run)) {
        Ok(()) => (Caught::Passes, String::new()),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "(a panic without a message)".to_owned());
            (classify(&message), message)
        }
    }
}

/// Runs a table; fails listing every entry that ended otherwise than
/// expected, with its report.
fn check(table: &[Entry]) {
    let mut wrong = Vec::new();
    for entry in table {
        let started = Instant::now();
        let (got, report) = outcome(entry);
        eprintln!("{:<50} {:?} in {:.2?}", entry.name, got, started.elapsed());
        if std::env::var_os("REDTEAM_REPORTS").is_some() {
            eprintln!("{report}");
        }
        if !entry.expect.accepts(got) {
            wrong.push(format!(
                "{}: expected {:?}, got {:?}\n{report}",
                entry.name, entry.expect, got
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} tasklets ended otherwise than expected:\n\n{}",
        wrong.len(),
        table.len(),
        wrong.join("\n")
    );
}

#[test]
fn diverging_tasklets_are_caught_as_targets_computing_differently() {
    check(&[
        entry!(width::len_bytes => Targets),
        entry!(width::max_sentinel => Targets),
        entry!(width::truncating_cast => Targets),
        entry!(width::size_of_types => Targets),
        entry!(width::align_padding => Targets),
        entry!(width::hash_slice => Targets),
        entry!(width::sort_unstable_ties => Targets),
        entry!(width::arena_len => Targets),
        entry!(width::usize_wrapping => Targets),
        entry!(width::leading_zeros => Targets),
        entry!(width::checked_capacity => Targets),
        entry!(width::framed_len_reached => Targets, inputs = width::framed_inputs),
        entry!(profile::usize_mul_overflow => Targets),
        entry!(floats::sin64 => Targets),
        entry!(floats::exp64 => Targets),
        entry!(floats::ln64 => Targets),
        entry!(floats::pow64 => Targets),
        entry!(floats::tanh64 => Targets),
        entry!(floats::atan2_64 => Targets),
        entry!(floats::hypot64 => Targets),
        entry!(floats::sin32 => Targets),
        entry!(floats::exp32 => Targets),
        entry!(floats::pow32 => Targets),
        entry!(floats::tanh32 => Targets),
        entry!(floats::nan_mean => Targets),
        entry!(floats::nan_inf_minus_inf => Targets),
        entry!(floats::sqrt_of_negative => Targets),
        entry!(floats::signed_zero_max => Targets),
        entry!(hashing::map_usize_keys => Targets),
        entry!(hashing::map_slice_keys => Targets),
        entry!(hashing::map_u32_keys => Targets),
        entry!(hashing::set_of_strings => Targets),
        entry!(hashing::random_map_alias => Targets),
        entry!(addresses::fn_pointer => Targets),
        entry!(addresses::type_id_hash => Targets),
        // Host addresses depend on the heap's history: the host mock may
        // agree with the runtime while lanes take turns and differ on free
        // threads, or the other way round.
        entry!(addresses::sort_by_address => AnyDifference),
        // The runtime's lane orders differ too (its allocator hands out
        // addresses in the order lanes run), but the targets, compared
        // first under one order, already do.
        entry!(addresses::heap_address => Targets),
        entry!(state::static_counter => Targets),
        entry!(state::once_lock_config => Targets),
        entry!(state::lazy_lock_history => Targets),
        entry!(panics::catch_unwind_in_coordinator => Targets),
        entry!(panics::own_panic_hook_in_coordinator => Targets),
        entry!(limits::deep_recursion => Targets),
        entry!(limits::huge_allocation => Targets),
        entry!(limits::try_reserve_huge => Targets),
        entry!(lintblind::instant_in_helper => Targets),
        entry!(lintblind::system_time_in_helper => Targets),
        entry!(lintblind::pointer_width_in_helper => Targets),
        entry!(lintblind::parallelism_in_helper => Targets),
        entry!(lintblind::env_args_in_helper => Targets),
        entry!(lintblind::fs_in_helper => Targets),
        entry!(lintblind::hashmap_in_macro => Targets),
    ]);
}

#[test]
fn diverging_tasklets_are_caught_as_depending_on_the_lane_order() {
    check(&[
        entry!(order::fetch_add_claiming => Order),
        entry!(order::compare_exchange_first_wins => Order),
        entry!(order::read_without_barrier => Order),
        entry!(order::non_commutative_atomic => Order),
        entry!(order::float_atomic_sum => Order),
        entry!(order::mutex_log => Order),
    ]);
}

#[test]
fn failures_of_every_lane_are_caught_as_target_differences() {
    // Every lane fails alike on the runtime, and the error names the first
    // lane to run, which the lane order decides; the targets are compared
    // under one order first, and lane orders with the failing lane set
    // aside, so the report names the real cause.
    check(&[
        entry!(panics::catch_unwind_fallback => Targets),
        entry!(panics::own_panic_hook => Targets),
        entry!(limits::big_stack_array => Targets),
        entry!(lintblind::thread_spawn_in_helper => Targets),
    ]);
}

#[test]
fn diverging_tasklets_are_caught_as_running_out_of_fuel_on_one_side() {
    check(&[
        // Host threads see the flag; the runtime spins until its fuel ends.
        entry!(order::spin_wait_flag => Fuel),
        // A budget that fits the host mock's checkpoints only.
        entry!(limits::small_fuel => Fuel),
    ]);
}

#[test]
fn tasklets_failing_alike_on_every_input_are_refused() {
    check(&[
        entry!(width::framed_len_unreached => EveryInputFailed),
        entry!(lintblind::env_var_in_helper => EveryInputFailed),
    ]);
}

#[test]
fn portable_controls_pass() {
    check(&[
        entry!(controls::histogram_atomics => Passes),
        entry!(controls::wrapping_checksums => Passes),
        entry!(controls::btreemap_word_count => Passes),
        entry!(controls::hashmap_sorted_output => Passes),
        entry!(controls::sorted_merge => Passes),
        entry!(controls::float_stats => Passes),
        entry!(controls::mul_add_horner => Passes),
        entry!(controls::barrier_scan => Passes),
        entry!(controls::crc32_table => Passes),
        entry!(controls::fixed_width_hashing => Passes),
        entry!(controls::width_done_right => Passes),
        entry!(controls::portable_math => Passes),
    ]);
}

/// Programs that differ somewhere — from the deployed build, in a side
/// effect, or on inputs the test does not try — and pass the cross-target
/// test anyway. Each entry's docs say why.
#[test]
fn still_gets_through() {
    check(&[
        entry!(profile::plain_add_overflow => Passes),
        entry!(profile::debug_assertions_flag => Passes),
        entry!(profile::debug_assert_input => Passes),
        entry!(floats::cbrt64 => Passes),
        entry!(floats::nan_payload => Passes),
        entry!(state::memo_table => Passes),
        entry!(panics::plain_panic => Passes),
        entry!(lintblind::println_progress => Passes),
    ]);
}
