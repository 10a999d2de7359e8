//! The SDK's collectives on both targets: `collectives_all` (every
//! collective, on integers and on floats whose sums depend on the order of
//! the additions) at 2, 3, 5 and 9 data lanes, in several lane orders, on
//! the host mock (taking turns and on free threads) and built for wasm32 in
//! the runtime, each run equal byte for byte to the sequential reference
//! that folds in lane order; and failures inside a collective (a panicking
//! lane, lanes that disagree, a cancelled launch) ending the launch with the
//! right error on both targets, never hanging.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use grafos::cpu::{CancelToken, LaneOrder, SharedTaskletResult, TaskletError};
use grafos::fidelity::{self, BuildOptions, TaskletModule};
use grafos_fidelity::collectives::{
    self, collective_lane_panics, collective_mismatch, collective_waits_for_cancel,
    collectives_all, lane_values,
};
use grafos_runtime::RunOptions;

/// This crate's library for wasm32, built and loaded once.
fn wasm() -> &'static TaskletModule {
    static MODULE: OnceLock<TaskletModule> = OnceLock::new();
    MODULE.get_or_init(|| {
        let options = BuildOptions {
            manifest_path: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")),
            ..BuildOptions::default()
        };
        fidelity::build_and_load(&options).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Data lanes of every check.
const DATA_LANES: [usize; 4] = [2, 3, 5, 9];

const ORDERS: [LaneOrder; 4] = [
    LaneOrder::InOrder,
    LaneOrder::Reversed,
    LaneOrder::Seeded(1),
    LaneOrder::Seeded(0xC0FFEE),
];

fn inputs() -> Vec<Vec<u8>> {
    vec![
        Vec::new(),
        b"a".to_vec(),
        b"collectives".to_vec(),
        (0..1021u32).map(|i| (i * 7 + 3) as u8).collect(),
    ]
}

/// Runs `f` on a thread and fails the test if it takes more than a minute:
/// a hang shows as a failure, not as a test that never ends.
fn within_a_minute<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what} did not end within a minute"))
}

/// Runs a tasklet on the host mock: lanes, input, lane order (`None`: free threads).
type HostRun = fn(usize, &[u8], Option<LaneOrder>) -> Result<SharedTaskletResult, TaskletError>;

/// Every run of a tasklet: the runtime in each order, the host mock taking
/// turns in each order, and the host mock on free threads.
fn every_run(
    name: &'static str,
    input: &[u8],
    workers: usize,
    host: HostRun,
) -> Vec<(String, Result<Vec<u8>, TaskletError>)> {
    let mut runs = Vec::new();
    for order in ORDERS {
        let options = RunOptions {
            workers: Some(workers as u32),
            lane_order: order,
            ..RunOptions::default()
        };
        let wasm = wasm()
            .run(name, input, options)
            .map(|r| r.output().to_vec());
        runs.push((format!("runtime, {order:?}"), wasm));
        let host_run = host(workers, input, Some(order)).map(|r| r.output().to_vec());
        runs.push((format!("host mock, {order:?}"), host_run));
    }
    let free = host(workers, input, None).map(|r| r.output().to_vec());
    runs.push(("host mock, free threads".to_owned(), free));
    runs
}

fn run_all(
    workers: usize,
    input: &[u8],
    order: Option<LaneOrder>,
) -> Result<SharedTaskletResult, TaskletError> {
    let builder = collectives_all::builder().workers(workers).input(input);
    match order {
        Some(order) => collectives_all::run_host_with(builder.lane_order(order)),
        None => collectives_all::run_host_with(builder),
    }
}

#[test]
fn every_collective_matches_the_lane_order_fold_on_both_targets() {
    for input in inputs() {
        for lanes in DATA_LANES {
            let expected = collectives::reference(&input, lanes);
            for (run, output) in every_run("collectives_all", &input, lanes + 1, run_all) {
                assert_eq!(
                    output.as_ref(),
                    Ok(&expected),
                    "{run}, {lanes} data lanes, {} input bytes",
                    input.len()
                );
            }
        }
    }
}

/// The check above could not tell a lane-order fold from another order if
/// the floats summed alike in every order: they do not.
#[test]
fn the_float_values_sum_differently_in_another_order() {
    let mut differs = 0;
    for input in inputs() {
        for lanes in DATA_LANES {
            let values: Vec<f64> = (0..lanes).map(|l| lane_values(&input, l).1).collect();
            let in_order = values[1..].iter().fold(values[0], |a, v| a + v);
            let reversed = values[..lanes - 1]
                .iter()
                .rev()
                .fold(values[lanes - 1], |a, v| a + v);
            differs += usize::from(in_order.to_bits() != reversed.to_bits());
        }
    }
    // Two values sum alike in either order; of the 12 other cases, most
    // must differ.
    assert!(differs >= 8, "only {differs} sums depend on the order");
}

/// The harness every tasklet's generated test runs: generated inputs, two
/// lane counts, every schedule.
#[test]
fn the_cross_target_harness_passes() {
    static T: grafos::TaskletInfo = collectives_all::INFO;
    grafos::__private::cross_target_test(grafos::__private::Suite {
        info: &T,
        manifest_dir: env!("CARGO_MANIFEST_DIR"),
        release: !cfg!(debug_assertions),
        builder: collectives_all::builder,
        run: collectives_all::run_host_with,
        inputs: None,
        cross_target: true,
        not_in_library: None,
    });
}

macro_rules! host_runner {
    ($m:ident) => {
        |workers: usize, input: &[u8], order: Option<LaneOrder>| {
            let builder = $m::builder().workers(workers).input(input);
            match order {
                Some(order) => $m::run_host_with(builder.lane_order(order)),
                None => $m::run_host_with(builder),
            }
        }
    };
}

#[test]
fn a_lane_that_panics_inside_a_collective_fails_the_launch() {
    for lanes in DATA_LANES {
        let runs = within_a_minute("the panicking lane's launches", move || {
            every_run(
                "collective_lane_panics",
                b"",
                lanes + 1,
                host_runner!(collective_lane_panics),
            )
        });
        for (run, outcome) in runs {
            assert_eq!(
                outcome.map_err(|e| e.kind_and_message()),
                Err(TaskletError::WorkerPanicked {
                    lane: 0,
                    message: "data lane 1 gives up inside a collective".into()
                }),
                "{run}, {lanes} data lanes"
            );
        }
    }
}

#[test]
fn lanes_that_call_different_collectives_fail_the_launch_alike() {
    for lanes in DATA_LANES {
        let runs = within_a_minute("the mismatched launches", move || {
            every_run(
                "collective_mismatch",
                b"",
                lanes + 1,
                host_runner!(collective_mismatch),
            )
        });
        for (run, outcome) in runs {
            let expected = TaskletError::failed(
                "collective mismatch: at one barrier round data lane 0 was at broadcast from \
                 data lane 0 of a 4-byte value (its collective #2), but data lane 1 at \
                 all_reduce of a 4-byte value (its collective #2); every data lane of a region \
                 must call the same collectives in the same order, with the same value type \
                 (and source lane)",
            );
            assert_eq!(outcome, Err(expected), "{run}, {lanes} data lanes");
        }
    }
}

#[test]
fn cancelling_a_launch_releases_lanes_waiting_in_a_collective() {
    for lanes in [2, 9] {
        for order in [None, Some(LaneOrder::InOrder)] {
            let token = CancelToken::new();
            let canceller = token.clone();
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(50));
                canceller.cancel();
            });
            let host = within_a_minute("the host launch", move || {
                let builder = collective_waits_for_cancel::builder()
                    .workers(lanes + 1)
                    .cancel_token(token);
                let builder = match order {
                    Some(order) => builder.lane_order(order),
                    None => builder,
                };
                collective_waits_for_cancel::run_host_with(builder)
            });
            assert_eq!(host, Err(TaskletError::Cancelled), "host mock, {order:?}");
        }
        let token = CancelToken::new();
        let canceller = token.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            canceller.cancel();
        });
        let wasm = within_a_minute("the runtime launch", move || {
            let options = RunOptions {
                workers: Some(lanes as u32 + 1),
                cancel: Some(token),
                ..RunOptions::default()
            };
            wasm()
                .run("collective_waits_for_cancel", b"", options)
                .map(|r| r.output().to_vec())
        });
        assert_eq!(
            wasm,
            Err(TaskletError::Cancelled),
            "runtime, {lanes} data lanes"
        );
    }
}

/// The benchmark's two reductions compute the same thing, so that
/// `benches/collectives.rs` compares like with like.
#[test]
fn the_benchmarked_reductions_agree_with_the_hand_written_ones() {
    use grafos_fidelity::collectives::{
        bench_all_reduce_f64, bench_all_reduce_u64, bench_hand_f64, bench_hand_u64,
    };
    for lanes in [3usize, 9] {
        let input = 25u32.to_le_bytes();
        let host = |r: Result<SharedTaskletResult, TaskletError>| r.unwrap().output().to_vec();
        let u = host(bench_all_reduce_u64::run_host_with(
            bench_all_reduce_u64::builder()
                .workers(lanes + 1)
                .input(&input),
        ));
        let hu = host(bench_hand_u64::run_host_with(
            bench_hand_u64::builder().workers(lanes + 1).input(&input),
        ));
        let f = host(bench_all_reduce_f64::run_host_with(
            bench_all_reduce_f64::builder()
                .workers(lanes + 1)
                .input(&input),
        ));
        let hf = host(bench_hand_f64::run_host_with(
            bench_hand_f64::builder().workers(lanes + 1).input(&input),
        ));
        assert_eq!(u, hu, "u64, {lanes} lanes");
        assert_eq!(f, hf, "f64, {lanes} lanes");
        assert_ne!(u, 0u64.to_le_bytes(), "u64, {lanes} lanes");
        let options = || RunOptions {
            workers: Some(lanes as u32 + 1),
            ..RunOptions::default()
        };
        let wasm = |name| {
            wasm()
                .run(name, &input, options())
                .unwrap()
                .output()
                .to_vec()
        };
        assert_eq!(wasm("bench_all_reduce_u64"), u);
        assert_eq!(wasm("bench_hand_f64"), f);
    }
}
