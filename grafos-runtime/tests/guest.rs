//! The test guest (`tests/guest`), built for wasm32 and run in the runtime:
//! the same output and the same failures as the host mock, determinism,
//! fuel, deadlines, cancellation, stacks, memory and parallel launches.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use grafos_abi::{CancelToken, Limit, TaskletError};
use grafos_runtime::{RunOptions, SharedTaskletResult};

fn run(name: &str, input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    common::guest().run(name, input, RunOptions::default())
}

fn host(name: &str, input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    grafos_test_guest::run_host(name, input)
}

/// Inputs every output comparison runs on: empty, one byte, not divisible
/// by the lane counts, large.
fn inputs() -> Vec<Vec<u8>> {
    vec![
        Vec::new(),
        vec![42],
        (0..1001u32).map(|i| (i * 7 + i / 13) as u8).collect(),
        (0..50_000u32).map(|i| (i ^ (i >> 5)) as u8).collect(),
    ]
}

/// Output, regions and barrier rounds agree with the host mock's.
fn assert_same_as_host(name: &str, input: &[u8]) {
    let wasm = run(name, input).unwrap_or_else(|e| panic!("{name} on wasm: {e}"));
    let host = host(name, input).unwrap_or_else(|e| panic!("{name} on host: {e}"));
    assert_eq!(
        wasm.output(),
        host.output(),
        "{name}, {} input bytes",
        input.len()
    );
    assert_eq!(wasm.regions(), host.regions(), "{name} regions");
    assert_eq!(
        wasm.barrier_rounds(),
        host.barrier_rounds(),
        "{name} rounds"
    );
    assert!(wasm.fuel_used() > 0);
}

#[test]
fn closures_with_captures_give_the_host_mocks_output() {
    for input in inputs() {
        assert_same_as_host("sum", &input);
    }
}

#[test]
fn named_workers_over_two_regions_give_the_host_mocks_output() {
    for input in inputs() {
        assert_same_as_host("histogram", &input);
    }
    assert_eq!(run("histogram", b"abc").unwrap().regions(), 2);
}

#[test]
fn barriers_across_2_and_7_data_lanes_give_the_host_mocks_output() {
    for input in [&b""[..], b"x", b"three"] {
        assert_same_as_host("barriers2", input);
        assert_same_as_host("barriers7", input);
    }
    // 1 + 2 * 3 * len rounds, every one completed by all lanes.
    assert_eq!(run("barriers7", b"ab").unwrap().barrier_rounds(), 13);
}

#[test]
fn the_kernel_and_barrier_bench_tasklets_agree_with_the_host() {
    assert_same_as_host("kernel", &inputs()[2]);
    assert_same_as_host("barrier_rounds", &10u32.to_le_bytes());
    assert_same_as_host("recurse", &20u32.to_le_bytes());
}

#[test]
fn same_input_gives_same_output_and_fuel_every_run() {
    for (name, input) in [
        ("sum", inputs()[2].clone()),
        ("histogram", inputs()[3].clone()),
        ("barriers7", b"abcd".to_vec()),
    ] {
        let first = run(name, &input).unwrap();
        for _ in 0..3 {
            let again = run(name, &input).unwrap();
            assert_eq!(again.output(), first.output(), "{name}");
            assert_eq!(again.fuel_used(), first.fuel_used(), "{name} fuel_used");
        }
    }
}

#[test]
fn a_panicking_lane_reports_the_host_mocks_message() {
    let wasm = run("panic_lane", b"abc").unwrap_err();
    assert_eq!(
        wasm,
        TaskletError::WorkerPanicked {
            lane: 2,
            message: "lane 2 gives up after 3 input bytes".into()
        }
    );
    assert_eq!(host("panic_lane", b"abc").unwrap_err(), wasm);
}

#[test]
fn a_panicking_coordinator_reports_its_message() {
    let wasm = run("coordinator_panic", b"xy").unwrap_err();
    assert_eq!(
        wasm,
        TaskletError::CoordinatorPanicked {
            message: "coordinator saw 2 bytes".into()
        }
    );
    assert_eq!(host("coordinator_panic", b"xy").unwrap_err(), wasm);
}

#[test]
fn errors_returned_by_lanes_and_the_coordinator_match_the_host() {
    for input in [&b"q"[..], b""] {
        let wasm = run("fail", input).unwrap_err();
        assert!(matches!(wasm, TaskletError::Failed { .. }), "{wasm:?}");
        assert_eq!(host("fail", input).unwrap_err(), wasm);
    }
}

#[test]
fn a_lane_returning_while_others_wait_is_a_barrier_mismatch() {
    let wasm = run("mismatch", b"").unwrap_err();
    assert_eq!(
        wasm,
        TaskletError::BarrierMismatch {
            lane: 1,
            reached: 1,
            expected: 2
        }
    );
    assert_eq!(host("mismatch", b"").unwrap_err(), wasm);
}

#[test]
fn an_infinite_loop_is_stopped_by_fuel() {
    let options = RunOptions {
        fuel: Some(2_000_000),
        ..RunOptions::default()
    };
    let err = common::guest().run("spin", b"", options).unwrap_err();
    assert!(
        matches!(
            err,
            TaskletError::FuelExhausted {
                budget: 2_000_000,
                lane: 1,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn fuel_checkpoints_report_exhaustion_once_the_pool_is_dry() {
    let options = RunOptions {
        fuel: Some(300_000),
        ..RunOptions::default()
    };
    let err = common::guest()
        .run("checkpoints", b"", options)
        .unwrap_err();
    // Found at a checkpoint: the lane had just made an SDK call.
    match err {
        TaskletError::FuelExhausted {
            budget: 300_000,
            since_sdk_call: Some(since),
            ..
        } => assert!(since < 1_000, "{err:?}"),
        other => panic!("expected FuelExhausted, got {other:?}"),
    }
}

#[test]
fn a_launch_needs_fuel_for_its_setup() {
    let options = RunOptions {
        fuel: Some(10),
        ..RunOptions::default()
    };
    let err = common::guest().run("sum", b"abc", options).unwrap_err();
    assert!(
        matches!(err, TaskletError::FuelExhausted { budget: 10, .. }),
        "{err:?}"
    );
}

#[test]
fn an_infinite_loop_is_stopped_by_the_deadline() {
    let options = RunOptions {
        fuel: Some(u64::MAX / 2),
        deadline: Some(Instant::now() + Duration::from_millis(200)),
        ..RunOptions::default()
    };
    let err = common::guest().run("spin", b"", options).unwrap_err();
    assert_eq!(err, TaskletError::DeadlineExceeded);
}

#[test]
fn cancellation_from_another_thread_stops_an_infinite_loop() {
    let token = CancelToken::new();
    let options = RunOptions {
        fuel: Some(u64::MAX / 2),
        cancel: Some(token.clone()),
        ..RunOptions::default()
    };
    let finished = Arc::new(AtomicBool::new(false));
    let canceller = {
        let finished = Arc::clone(&finished);
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            assert!(!finished.load(Ordering::SeqCst), "the spin ended by itself");
            token.cancel();
        })
    };
    let err = common::guest().run("spin", b"", options).unwrap_err();
    finished.store(true, Ordering::SeqCst);
    canceller.join().unwrap();
    assert_eq!(err, TaskletError::Cancelled);
}

#[test]
fn a_launch_cancelled_before_it_starts_is_cancelled() {
    let token = CancelToken::new();
    token.cancel();
    let options = RunOptions {
        cancel: Some(token),
        ..RunOptions::default()
    };
    assert_eq!(
        common::guest()
            .run("barriers7", b"abc", options)
            .unwrap_err(),
        TaskletError::Cancelled
    );
}

#[test]
fn deep_recursion_is_a_stack_overflow_not_corrupted_output() {
    for stack in [16 << 10, 64 << 10, 256 << 10] {
        let options = RunOptions {
            stack_bytes_per_lane: Some(stack),
            ..RunOptions::default()
        };
        // 1 KiB frames: 300 of them overflow every one of these stacks.
        let err = common::guest()
            .run("recurse", &300u32.to_le_bytes(), options)
            .unwrap_err();
        assert_eq!(
            err,
            TaskletError::StackOverflow { lane: 1 },
            "{stack}-byte stacks"
        );
    }
    // The coordinator's own stack and wasmi's call depth hold deeper ones.
    let err = run("recurse", &100_000u32.to_le_bytes()).unwrap_err();
    assert!(matches!(err, TaskletError::StackOverflow { .. }), "{err:?}");
}

#[test]
fn growing_memory_past_the_cap_is_a_memory_limit() {
    let options = RunOptions {
        max_memory_bytes: Some(32 << 20),
        ..RunOptions::default()
    };
    let err = common::guest()
        .run("grow", &(64u32 << 20).to_le_bytes(), options.clone())
        .unwrap_err();
    match err {
        TaskletError::LimitExceeded {
            limit: Limit::Memory,
            max,
            requested,
        } => {
            assert_eq!(max, 32 << 20);
            assert!(requested > 64 << 20, "{requested}");
        }
        other => panic!("expected a memory limit, got {other:?}"),
    }
    // Under the cap, the same tasklet runs.
    let ok = common::guest()
        .run("grow", &(8u32 << 20).to_le_bytes(), options)
        .unwrap();
    assert_eq!(ok.output(), &(8u64 << 20).to_le_bytes());
}

#[test]
fn lane_stacks_beyond_the_memory_cap_are_a_stack_limit() {
    let options = RunOptions {
        max_memory_bytes: Some(4 << 20),
        stack_bytes_per_lane: Some(1 << 20),
        ..RunOptions::default()
    };
    let err = common::guest().run("barriers7", b"", options).unwrap_err();
    assert!(
        matches!(
            err,
            TaskletError::LimitExceeded {
                limit: Limit::StackBytes,
                requested,
                ..
            } if requested == 7 << 20
        ),
        "{err:?}"
    );
}

#[test]
fn bad_run_options_and_unknown_tasklets_are_invalid_config() {
    let small_stack = RunOptions {
        stack_bytes_per_lane: Some(1024),
        ..RunOptions::default()
    };
    let no_fuel = RunOptions {
        fuel: Some(0),
        ..RunOptions::default()
    };
    for (name, options, needle) in [
        ("sum", small_stack, "stack_bytes_per_lane"),
        ("sum", no_fuel, "fuel"),
        ("nope", RunOptions::default(), "no tasklet `nope`"),
    ] {
        match common::guest().run(name, b"", options) {
            Err(TaskletError::InvalidConfig { reason }) => {
                assert!(reason.contains(needle), "{reason}")
            }
            other => panic!("expected InvalidConfig, got {other:?}"),
        }
    }
}

#[test]
fn fuel_used_is_what_the_launch_consumed() {
    let input = inputs()[2].clone();
    let default = run("sum", &input).unwrap();
    let options = RunOptions {
        fuel: Some(default.fuel_used()),
        ..RunOptions::default()
    };
    // Exactly enough fuel suffices; the pool size does not change the count.
    let exact = common::guest().run("sum", &input, options).unwrap();
    assert_eq!(exact.fuel_used(), default.fuel_used());
    let short = RunOptions {
        fuel: Some(default.fuel_used() - 1),
        ..RunOptions::default()
    };
    let err = common::guest().run("sum", &input, short).unwrap_err();
    // The pool runs dry when what is left cannot pay for the next block of
    // instructions wasmi meters at once: a little may be left unused.
    let budget = default.fuel_used() - 1;
    assert!(
        matches!(err, TaskletError::FuelExhausted { used, budget: b, .. } if b == budget && used <= budget),
        "{err:?}"
    );
}

#[test]
fn many_launches_run_in_parallel_on_the_pool() {
    let runtime = common::runtime();
    let module = common::guest();
    let inputs: Vec<Vec<u8>> = (0..24u8)
        .map(|i| vec![i; 100 + usize::from(i) * 37])
        .collect();
    let handles: Vec<_> = inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let name = ["sum", "histogram", "barriers7"][i % 3];
            (
                name,
                runtime.spawn(module, name, input.clone(), RunOptions::default()),
            )
        })
        .collect();
    for ((name, handle), input) in handles.into_iter().zip(&inputs) {
        let result = handle.join().unwrap();
        assert_eq!(
            result.output(),
            host(name, input).unwrap().output(),
            "{name}"
        );
    }
    // A failing launch does not disturb the others.
    let bad = runtime.spawn(module, "panic_lane", b"a".to_vec(), RunOptions::default());
    let good = runtime.spawn(module, "sum", b"a".to_vec(), RunOptions::default());
    assert!(matches!(
        bad.join(),
        Err(TaskletError::WorkerPanicked { lane: 2, .. })
    ));
    assert_eq!(
        good.join().unwrap().output(),
        host("sum", b"a").unwrap().output()
    );
}

#[test]
fn one_module_serves_launches_on_many_threads_at_once() {
    fn shared_across_threads<T: Send + Sync>(_: &T) {}
    let module = common::guest();
    shared_across_threads(module);
    shared_across_threads(common::runtime());
    let expected = host("barriers2", b"xyz").unwrap();
    thread::scope(|scope| {
        let runs: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| module.run("barriers2", b"xyz", RunOptions::default())))
            .collect();
        for run in runs {
            assert_eq!(run.join().unwrap().unwrap().output(), expected.output());
        }
    });
}

#[test]
fn the_built_module_imports_only_the_abi() {
    let module = common::guest();
    assert!(!module.imports().is_empty());
    for name in module.imports() {
        assert!(
            grafos_abi::find_import(name).is_some(),
            "the guest imports `{name}`, which the ABI does not define"
        );
    }
    // The guest backend uses every import but `debug_log`'s caller-less ones.
    for needed in [
        "parallel_for",
        "barrier",
        "panic",
        "fail",
        "error_read",
        "output_set",
    ] {
        assert!(module.imports().iter().any(|i| i == needed), "{needed}");
    }
    let names: Vec<&str> = module.tasklets().iter().map(|t| &*t.name).collect();
    for (info, _) in grafos_test_guest::TASKLETS {
        assert!(names.contains(&&*info.name), "{}", info.name);
        assert_eq!(module.tasklet(&info.name), Some(*info));
    }
}

#[test]
fn a_launch_may_run_on_another_lane_count_than_the_records() {
    // `sum` writes the total, the data lanes that ran, then each lane's
    // partial and count: the total is the same on any lane count.
    let input = &inputs()[2];
    let default = run("sum", input).unwrap();
    for workers in [2, 3, 6, 17] {
        let options = RunOptions {
            workers: Some(workers),
            ..RunOptions::default()
        };
        let other = common::guest().run("sum", input, options).unwrap();
        let out = other.output();
        assert_eq!(
            out[..8],
            default.output()[..8],
            "total, workers = {workers}"
        );
        assert_eq!(
            out[8..12],
            (workers - 1).to_le_bytes(),
            "data lanes that ran"
        );
        assert_eq!(out.len(), 12 + 12 * (workers as usize - 1));
    }
    for workers in [0, 1] {
        let options = RunOptions {
            workers: Some(workers),
            ..RunOptions::default()
        };
        let e = common::guest().run("sum", input, options).unwrap_err();
        assert!(
            matches!(&e, TaskletError::InvalidConfig { reason } if reason.contains("workers must be 2 to 256")),
            "workers = {workers}: {e}"
        );
    }
    let options = RunOptions {
        workers: Some(257),
        ..RunOptions::default()
    };
    let e = common::guest().run("sum", input, options).unwrap_err();
    assert_eq!(
        e,
        TaskletError::LimitExceeded {
            limit: Limit::Lanes,
            max: 256,
            requested: 257
        }
    );
}

#[test]
fn partitioned_arrays_give_the_host_mocks_output() {
    let bytes: Vec<u8> = (0..=200u8).collect();
    for len in [0, 1, 4, 5, 64, 200] {
        let mut input = vec![0u8];
        input.extend_from_slice(&bytes[..len]);
        assert_same_as_host("partition", &input);
        let out = run("partition", &input).unwrap();
        let words: Vec<u32> = out
            .output()
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        let expected: Vec<u32> = (0..len as u32)
            .map(|b| 2 * b)
            .chain((0..len as u32).map(|i| i / 3))
            .collect();
        assert_eq!(words, expected, "{len} bytes");
    }
}

#[test]
fn misused_partitioned_arrays_fail_alike_on_both_targets() {
    let cases = [
        (1, "both reads this array whole and writes a part of it"),
        (2, "holds its part of this array already"),
        (3, "the parts belong to the tasks"),
        (4, "lists 2 range(s) for the region's 4 owners"),
        (5, "kept from an earlier region"),
        (6, "belongs to another lane"),
    ];
    for (mode, words) in cases {
        let input = [mode, 1, 2, 3, 4, 5, 6, 7, 8];
        let wasm = run("partition", &input).unwrap_err();
        let host = host("partition", &input).unwrap_err();
        match &wasm {
            TaskletError::PartitionMisuse { message, .. } => {
                assert!(message.contains(words), "mode {mode}: {message}")
            }
            other => panic!("mode {mode}: {other:?}"),
        }
        assert_eq!(
            wasm.kind_and_message(),
            host.kind_and_message(),
            "mode {mode}"
        );
    }
}
