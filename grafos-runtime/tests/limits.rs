//! Every limit of a launch, each with a default an operator can change, and
//! each giving its own error when exceeded: memory, lanes, input bytes,
//! output bytes, stack bytes per lane, fuel, deadline.

mod common;

use std::time::Duration;

use grafos_abi::{Limit, TaskletError};
use grafos_runtime::{
    DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_MEMORY_BYTES, DEFAULT_MAX_OUTPUT_BYTES,
    DEFAULT_STACK_BYTES_PER_LANE, RunOptions, Runtime, RuntimeConfig, TaskletModule,
};

fn module_with(config: RuntimeConfig) -> TaskletModule {
    Runtime::new(config).load(common::guest_wasm()).unwrap()
}

fn limit(error: TaskletError) -> (Limit, u64, u64) {
    match error {
        TaskletError::LimitExceeded {
            limit,
            max,
            requested,
        } => (limit, max, requested),
        other => panic!("expected a limit, got {other:?}"),
    }
}

#[test]
fn defaults_are_documented_values() {
    let config = RuntimeConfig::default();
    assert_eq!(config.max_memory_bytes, DEFAULT_MAX_MEMORY_BYTES);
    assert_eq!(config.max_input_bytes, DEFAULT_MAX_INPUT_BYTES);
    assert_eq!(config.max_output_bytes, DEFAULT_MAX_OUTPUT_BYTES);
    assert_eq!(config.stack_bytes_per_lane, DEFAULT_STACK_BYTES_PER_LANE);
    assert_eq!(config.max_workers, 256);
    assert_eq!(config.default_timeout, None);
}

#[test]
fn input_bytes() {
    let options = RunOptions {
        max_input_bytes: Some(10),
        ..RunOptions::default()
    };
    let e = common::guest()
        .run("sum", &[7; 11], options.clone())
        .unwrap_err();
    assert_eq!(limit(e), (Limit::InputBytes, 10, 11));
    assert!(common::guest().run("sum", &[7; 10], options).is_ok());
    // The runtime's default applies when the options set none.
    let small = module_with(RuntimeConfig {
        max_input_bytes: 3,
        ..RuntimeConfig::default()
    });
    let e = small
        .run("sum", b"four", RunOptions::default())
        .unwrap_err();
    assert_eq!(limit(e), (Limit::InputBytes, 3, 4));
}

#[test]
fn output_bytes() {
    // `sum` on 4 lanes writes 12 + 12 * 3 = 48 bytes.
    let options = RunOptions {
        max_output_bytes: Some(47),
        ..RunOptions::default()
    };
    let e = common::guest().run("sum", b"abc", options).unwrap_err();
    assert_eq!(limit(e), (Limit::OutputBytes, 47, 48));
    let options = RunOptions {
        max_output_bytes: Some(48),
        ..RunOptions::default()
    };
    assert_eq!(
        common::guest()
            .run("sum", b"abc", options)
            .unwrap()
            .output()
            .len(),
        48
    );
    let small = module_with(RuntimeConfig {
        max_output_bytes: 8,
        ..RuntimeConfig::default()
    });
    let e = small.run("sum", b"abc", RunOptions::default()).unwrap_err();
    assert_eq!(limit(e), (Limit::OutputBytes, 8, 48));
}

#[test]
fn lanes() {
    let small = module_with(RuntimeConfig {
        max_workers: 4,
        ..RuntimeConfig::default()
    });
    // The record asks for 8 (barriers7), or the options for 5.
    let e = small
        .run("barriers7", b"", RunOptions::default())
        .unwrap_err();
    assert_eq!(limit(e), (Limit::Lanes, 4, 8));
    let options = RunOptions {
        workers: Some(5),
        ..RunOptions::default()
    };
    let e = small.run("sum", b"", options).unwrap_err();
    assert_eq!(limit(e), (Limit::Lanes, 4, 5));
    let options = RunOptions {
        workers: Some(4),
        ..RunOptions::default()
    };
    assert!(small.run("sum", b"", options).is_ok());
}

#[test]
fn memory() {
    let options = RunOptions {
        max_memory_bytes: Some(32 << 20),
        ..RunOptions::default()
    };
    let e = common::guest()
        .run("grow", &(64u32 << 20).to_le_bytes(), options)
        .unwrap_err();
    let (which, max, _) = limit(e);
    assert_eq!((which, max), (Limit::Memory, 32 << 20));
}

#[test]
fn stack_bytes() {
    let options = RunOptions {
        max_memory_bytes: Some(4 << 20),
        stack_bytes_per_lane: Some(1 << 20),
        ..RunOptions::default()
    };
    let e = common::guest().run("barriers7", b"", options).unwrap_err();
    assert_eq!(limit(e), (Limit::StackBytes, 4 << 20, 7 << 20));
}

#[test]
fn fuel() {
    let options = RunOptions {
        fuel: Some(50_000),
        ..RunOptions::default()
    };
    let e = common::guest().run("spin", b"", options).unwrap_err();
    // Lane 1 spins on a flag no lane sets: the error says where the fuel
    // went, how to raise it, and names the spin-wait as the likely cause.
    match &e {
        TaskletError::FuelExhausted {
            budget: 50_000,
            used,
            lane: 1,
            since_sdk_call: Some(since),
        } => assert!(*since * 2 > *used, "{e:?}"),
        other => panic!("expected FuelExhausted on lane 1, got {other:?}"),
    }
    let message = e.to_string();
    for needle in [
        "lane 1 was running when the launch's budget of 50000 ran out",
        "since its last SDK call",
        "`fuel = N`",
        "`--fuel N`",
        "waits in a loop",
    ] {
        assert!(message.contains(needle), "{needle:?} not in {message}");
    }
}

#[test]
fn deadline_from_the_runtimes_default_timeout() {
    let timed = module_with(RuntimeConfig {
        default_timeout: Some(Duration::from_millis(50)),
        ..RuntimeConfig::default()
    });
    // Fuel for hours: only the deadline can stop the spinning lane.
    let options = RunOptions {
        fuel: Some(1 << 50),
        ..RunOptions::default()
    };
    let e = timed.run("spin", b"", options).unwrap_err();
    assert_eq!(e, TaskletError::DeadlineExceeded);
}
