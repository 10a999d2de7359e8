//! Modules that break ABI `grafos_worker_v0`, written by hand in WAT: each
//! is refused at load with a precise [`LoadError`], or fails its launch with
//! a specific [`TaskletError`]; none makes the runtime panic.

mod common;

use std::sync::{Arc, Mutex};

use grafos_abi::TaskletInfo;
use grafos_abi::{self as abi, ValType};
use grafos_abi::{Limit, TaskletError};
use grafos_runtime::{LoadError, RunOptions, TaskletModule};

/// `records` as the ABI's custom section appended to a module.
fn with_records(mut wasm: Vec<u8>, records: &[u8]) -> Vec<u8> {
    use wasm_encoder::{CustomSection, Section};
    CustomSection {
        name: abi::TASKLETS_SECTION.into(),
        data: records.into(),
    }
    .append_to(&mut wasm);
    wasm
}

fn record(name: &str, workers: u32) -> Vec<u8> {
    let info = TaskletInfo {
        name: name.to_owned().into(),
        workers,
        shared_bytes: 0,
        scratch_bytes: 0,
        fuel: 10_000_000,
        worker_names: Vec::new().into(),
        shared_owns_data: false,
    };
    abi::encode_record_vec(&info)
}

/// A module with tasklet `t` (3 lanes unless `workers` says otherwise):
/// `imports` declared, `entry` as the coordinator's body and `lane` as
/// `grafos_v0_run_lane`'s (`$job`, `$lane` in scope). A bump allocator
/// serves `grafos_v0_alloc`; global 0 is the stack pointer, not exported.
fn module_wat(imports: &str, entry: &str, lane: &str, alloc_extra: &str) -> String {
    format!(
        r#"(module
  {imports}
  (memory (export "memory") 64)
  (global $sp (mut i32) (i32.const 65536))
  (global $heap (mut i32) (i32.const 131072))
  (func (export "grafos_v0_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    {alloc_extra}
    global.get $heap
    local.set $p
    global.get $heap
    local.get $size
    i32.add
    global.set $heap
    local.get $p)
  (func (export "grafos_v0_run_lane") (param $job i32) (param $lane i32) (result i32)
    {lane})
  (func (export "grafos_v0_tasklet_t") (result i32)
    {entry})
)"#
    )
}

fn build(imports: &str, entry: &str, lane: &str) -> Vec<u8> {
    build_with(imports, entry, lane, "", 3)
}

fn build_with(imports: &str, entry: &str, lane: &str, alloc_extra: &str, workers: u32) -> Vec<u8> {
    let wasm = wat::parse_str(module_wat(imports, entry, lane, alloc_extra)).expect("valid WAT");
    with_records(wasm, &record("t", workers))
}

fn load(wasm: &[u8]) -> Result<TaskletModule, LoadError> {
    common::runtime().load(wasm)
}

fn run(wasm: &[u8], input: &[u8]) -> Result<Vec<u8>, TaskletError> {
    load(wasm)
        .expect("the module loads")
        .run("t", input, RunOptions::default())
        .map(|r| r.into_output())
}

fn abi_message(result: Result<Vec<u8>, TaskletError>) -> String {
    match result {
        Err(TaskletError::Abi { message }) => message,
        other => panic!("expected an ABI violation, got {other:?}"),
    }
}

/// Every import of the ABI as WAT, each function named after its field
/// (`$barrier`), made from [`abi::IMPORTS`] so it is the ABI by
/// construction.
fn import_all() -> String {
    let types = |types: &[ValType]| {
        types
            .iter()
            .map(|t| match t {
                ValType::I32 => "i32",
                ValType::I64 => "i64",
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    abi::IMPORTS
        .iter()
        .map(|import| {
            let (params, results) = (
                types(import.signature.params),
                types(import.signature.results),
            );
            let mut decl = format!(
                "(import \"{}\" \"{}\" (func ${}",
                abi::IMPORT_MODULE,
                import.name,
                import.name
            );
            if !params.is_empty() {
                decl += &format!(" (param {params})");
            }
            if !results.is_empty() {
                decl += &format!(" (result {results})");
            }
            decl + "))\n"
        })
        .collect()
}

#[test]
fn a_module_importing_every_abi_function_links_and_runs() {
    // The entry writes "ok" as output, after a region in which each lane
    // calls a barrier, a checkpoint and the cancellation query.
    let wasm = build(
        &import_all(),
        r#"(i32.store16 (i32.const 1024) (i32.const 0x6b6f))
           (drop (call $parallel_for (i32.const 0) (call $workers)))
           (drop (call $fuel_remaining))
           (call $output_set (i32.const 1024) (i32.const 2))
           (i32.const 0)"#,
        r#"(drop (call $barrier))
           (drop (call $fuel_checkpoint))
           (drop (call $is_cancelled))
           (i32.const 0)"#,
    );
    assert_eq!(run(&wasm, b"").unwrap(), b"ok");
    let module = load(&wasm).unwrap();
    assert_eq!(module.imports().len(), abi::IMPORTS.len());
    let result = module.run("t", b"", RunOptions::default()).unwrap();
    assert_eq!((result.regions(), result.barrier_rounds()), (1, 1));
}

#[test]
fn debug_lines_reach_the_log_with_their_lane() {
    let wasm = build(
        &import_all(),
        r#"(i32.store (i32.const 1024) (i32.const 0x6f6c6568))
           (call $debug_log (i32.const 1024) (i32.const 4))
           (drop (call $parallel_for (i32.const 0) (i32.const 3)))
           (i32.const 0)"#,
        r#"(i32.store (i32.const 2048) (i32.add (i32.const 0x30) (local.get $lane)))
           (call $debug_log (i32.const 2048) (i32.const 1))
           (i32.const 0)"#,
    );
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    let options = RunOptions {
        debug_log: Some(Arc::new(move |lane, line: &str| {
            sink.lock().unwrap().push((lane, line.to_owned()));
        })),
        ..RunOptions::default()
    };
    load(&wasm).unwrap().run("t", b"", options).unwrap();
    assert_eq!(
        *lines.lock().unwrap(),
        vec![(0, "helo".into()), (1, "1".into()), (2, "2".into())]
    );
}

#[test]
fn out_of_bounds_pointers_are_abi_violations() {
    let wasm = build(
        &import_all(),
        "(call $output_set (i32.const 0x3ffff0) (i32.const 64)) (i32.const 0)",
        "(i32.const 0)",
    );
    let message = abi_message(run(&wasm, b""));
    assert!(
        message.contains("`output_set`: 64 bytes at address 4194288"),
        "{message}"
    );
    assert!(message.contains("4194304-byte guest memory"), "{message}");

    for call in [
        "(call $panic (i32.const -8) (i32.const 16))",
        "(call $fail (i32.const 0x400000) (i32.const 1))",
        "(drop (call $error_read (i32.const 0x3fffff) (i32.const 2)))",
        "(call $debug_log (i32.const 0) (i32.const 0x400001))",
    ] {
        let wasm = build(
            &import_all(),
            &format!("{call} (i32.const 0)"),
            "(i32.const 0)",
        );
        let message = abi_message(run(&wasm, b""));
        assert!(
            message.contains("outside the 4194304-byte guest memory"),
            "{call}: {message}"
        );
    }
}

#[test]
fn huge_lengths_are_abi_violations() {
    let wasm = build(
        &import_all(),
        "(call $input_read (i32.const 0) (i32.const 0) (i32.const -1)) (i32.const 0)",
        "(i32.const 0)",
    );
    let message = abi_message(run(&wasm, b"abc"));
    assert!(
        message.contains("`input_read` of 4294967295 bytes at offset 0 but the input has 3 bytes"),
        "{message}"
    );
    // In-bounds for the input but not for the memory.
    let wasm = build(
        &import_all(),
        "(call $input_read (i32.const 0x3fffff) (i32.const 0) (i32.const 3)) (i32.const 0)",
        "(i32.const 0)",
    );
    assert!(abi_message(run(&wasm, b"abc")).contains("`input_read`: 3 bytes at address 4194303"));
}

#[test]
fn reentrant_parallel_for_is_an_abi_violation() {
    let wasm = build(
        &import_all(),
        "(call $parallel_for (i32.const 0) (i32.const 3))",
        "(call $parallel_for (i32.const 0) (i32.const 3))",
    );
    let message = abi_message(run(&wasm, b""));
    assert!(
        message.contains("`parallel_for` called on data lane 1"),
        "{message}"
    );
}

#[test]
fn a_lane_count_other_than_the_launchs_is_an_abi_violation() {
    // The launch has the record's 3 lanes; the coordinator asks for 5
    // without asking `workers` (the lane ids would not match).
    let wasm = build(
        &import_all(),
        "(call $parallel_for (i32.const 0) (i32.const 5))",
        "(i32.const 0)",
    );
    let message = abi_message(run(&wasm, b""));
    assert!(
        message.contains("asked for 5 lanes but the launch has 3"),
        "{message}"
    );
}

#[test]
fn imports_called_outside_any_lane_are_abi_violations() {
    // `grafos_v0_alloc` runs before any lane: a barrier there is outside
    // every region.
    let wasm = build_with(
        &import_all(),
        "(i32.const 0)",
        "(i32.const 0)",
        "(drop (call $barrier))",
        3,
    );
    let message = abi_message(run(&wasm, b""));
    assert!(
        message.contains("`barrier` called outside any lane"),
        "{message}"
    );
}

#[test]
fn the_coordinators_barrier_is_a_cancellation_point_not_an_error() {
    let wasm = build(&import_all(), "(call $barrier)", "(i32.const 0)");
    assert_eq!(run(&wasm, b"").unwrap(), b"");
}

#[test]
fn bad_statuses_and_undecodable_errors_are_abi_violations() {
    for (entry, lane, needle) in [
        (
            "(i32.const 42)",
            "(i32.const 0)",
            "entry returned status 42",
        ),
        (
            "(i32.const 3)",
            "(i32.const 0)",
            "entry returned FAILED without reporting",
        ),
        (
            "(call $parallel_for (i32.const 0) (i32.const 3))",
            "(i32.const 7)",
            "lane 1 returned status 7",
        ),
        (
            "(call $parallel_for (i32.const 0) (i32.const 3))",
            "(i32.const 3)",
            "lane 1 returned FAILED without reporting",
        ),
        (
            "(call $fail (i32.const 0) (i32.const 4)) (i32.const 3)",
            "(i32.const 0)",
            "does not decode",
        ),
    ] {
        let wasm = build(&import_all(), entry, lane);
        let message = abi_message(run(&wasm, b""));
        assert!(message.contains(needle), "{entry} / {lane}: {message}");
    }
}

#[test]
fn a_failed_region_reports_its_cause_through_error_read() {
    // Lane 2 traps; the coordinator gets FAILED, reads the cause with
    // `error_read` and logs the encoded bytes.
    let wasm = build(
        &import_all(),
        r#"(local $n i32)
           (if (i32.ne (call $parallel_for (i32.const 0) (i32.const 3)) (i32.const 3))
             (then unreachable))
           ;; Too small a buffer: nothing is copied, the length is returned.
           (if (i32.ne (call $error_read (i32.const 4096) (i32.const 2)) (i32.const 0))
             (then (local.set $n (call $error_read (i32.const 4096) (i32.const 256)))))
           (call $debug_log (i32.const 4096) (local.get $n))
           (i32.const 0)"#,
        r#"(if (i32.eq (local.get $lane) (i32.const 2))
             (then (drop (i32.div_u (i32.const 1) (i32.const 0)))))
           (i32.const 0)"#,
    );
    let logged = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&logged);
    let options = RunOptions {
        debug_log: Some(Arc::new(move |_, line: &str| {
            sink.lock().unwrap().push(line.as_bytes().to_vec());
        })),
        ..RunOptions::default()
    };
    let err = load(&wasm).unwrap().run("t", b"", options).unwrap_err();
    match &err {
        TaskletError::Trap { lane: 2, message } => {
            assert!(message.contains("divide by zero"), "{message}")
        }
        other => panic!("expected lane 2's trap, got {other:?}"),
    }
    // The coordinator saw the same error the launch returns.
    let logged = logged.lock().unwrap();
    assert_eq!(abi::decode_error(&logged[0]), Ok(err.clone()));
}

#[test]
fn once_failed_every_sdk_call_reports_it_and_no_region_runs() {
    // Region 1: lane 2 traps. Then the coordinator logs what fuel_checkpoint,
    // is_cancelled, barrier and a second parallel_for return.
    let wasm = build(
        &import_all(),
        r#"(drop (call $parallel_for (i32.const 0) (i32.const 3)))
           (i32.store8 (i32.const 4096) (call $fuel_checkpoint))
           (i32.store8 (i32.const 4097) (call $is_cancelled))
           (i32.store8 (i32.const 4098) (call $barrier))
           (i32.store8 (i32.const 4099) (call $parallel_for (i32.const 0) (i32.const 3)))
           (call $debug_log (i32.const 4096) (i32.const 4))
           (i32.const 0)"#,
        r#"(call $debug_log (i32.const 0) (i32.const 0))
           (if (i32.eq (local.get $lane) (i32.const 2)) (then unreachable))
           (i32.const 0)"#,
    );
    let logged = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&logged);
    let options = RunOptions {
        debug_log: Some(Arc::new(move |lane, line: &str| {
            sink.lock().unwrap().push((lane, line.as_bytes().to_vec()));
        })),
        ..RunOptions::default()
    };
    let err = load(&wasm).unwrap().run("t", b"", options).unwrap_err();
    assert!(matches!(err, TaskletError::Trap { lane: 2, .. }), "{err:?}");
    let status = |s: i32| s as u8;
    assert_eq!(
        *logged.lock().unwrap(),
        vec![
            (1, vec![]),
            (2, vec![]),
            (
                0,
                vec![
                    status(abi::status::FUEL_EXHAUSTED),
                    1,
                    status(abi::status::CANCELLED),
                    status(abi::status::FAILED)
                ]
            ),
        ]
    );
}

#[test]
fn a_lane_arriving_at_a_barrier_after_another_returned_is_a_mismatch() {
    // Lane 1 returns at once; lane 2 then arrives at a barrier nobody else
    // will reach, and ignores the CANCELLED it gets by calling it again.
    let wasm = build(
        &import_all(),
        "(call $parallel_for (i32.const 0) (i32.const 3))",
        r#"(if (i32.eq (local.get $lane) (i32.const 2))
             (then (drop (call $barrier)) (drop (call $barrier))))
           (i32.const 0)"#,
    );
    assert_eq!(
        run(&wasm, b""),
        Err(TaskletError::BarrierMismatch {
            lane: 1,
            reached: 0,
            expected: 2
        })
    );
}

#[test]
fn a_coordinator_trap_is_a_trap_of_lane_0() {
    let wasm = build(&import_all(), "unreachable", "(i32.const 0)");
    assert!(matches!(
        run(&wasm, b""),
        Err(TaskletError::Trap { lane: 0, .. })
    ));
}

#[test]
fn a_lane_that_moves_its_stack_pointer_off_its_stack_is_a_stack_overflow() {
    // Lane 1 points its stack pointer into lane 0's stack: the instrumented
    // write traps before anything is stored there.
    let wasm = build(
        &import_all(),
        "(call $parallel_for (i32.const 0) (i32.const 3))",
        r#"(if (i32.eq (local.get $lane) (i32.const 1))
             (then (global.set $sp (i32.const 4096))))
           (drop (call $barrier))
           (i32.const 0)"#,
    );
    assert_eq!(
        run(&wasm, b""),
        Err(TaskletError::StackOverflow { lane: 1 })
    );
}

#[test]
fn a_start_function_is_refused() {
    let wat = module_wat("", "(i32.const 0)", "(i32.const 0)", "").replace(
        "(memory (export \"memory\") 64)",
        "(memory (export \"memory\") 64) (func $init) (start $init)",
    );
    let wasm = with_records(wat::parse_str(wat).unwrap(), &record("t", 3));
    assert_eq!(load(&wasm).unwrap_err(), LoadError::StartFunction);
}

#[test]
fn initial_memory_beyond_the_cap_is_a_memory_limit() {
    let wasm = build("", "(i32.const 0)", "(i32.const 0)");
    let options = RunOptions {
        max_memory_bytes: Some(1 << 20),
        ..RunOptions::default()
    };
    let err = load(&wasm).unwrap().run("t", b"", options).unwrap_err();
    assert_eq!(
        err,
        TaskletError::LimitExceeded {
            limit: Limit::Memory,
            max: 1 << 20,
            requested: 4 << 20
        }
    );
}

#[test]
fn an_allocator_that_returns_nonsense_is_an_abi_violation() {
    for (extra, needle) in [
        ("(return (i32.const 0))", "returned 0 for"),
        (
            "(return (i32.const 3))",
            "returned 3, not a 16-aligned block",
        ),
        ("(return (i32.const 0x3ffff0))", "not a 16-aligned block"),
    ] {
        let wasm = build_with("", "(i32.const 0)", "(i32.const 0)", extra, 3);
        let message = abi_message(run(&wasm, b""));
        assert!(message.contains(needle), "{extra}: {message}");
    }
}

#[test]
fn an_allocator_that_never_returns_is_stopped_by_the_deadline_and_fuel() {
    let wasm = build_with(
        "",
        "(i32.const 0)",
        "(i32.const 0)",
        "(loop $forever (br $forever))",
        3,
    );
    let module = load(&wasm).unwrap();
    let options = RunOptions {
        fuel: Some(u64::MAX / 2),
        deadline: Some(std::time::Instant::now() + std::time::Duration::from_millis(100)),
        ..RunOptions::default()
    };
    assert_eq!(
        module.run("t", b"", options).unwrap_err(),
        TaskletError::DeadlineExceeded
    );
    let options = RunOptions {
        fuel: Some(1_000_000),
        ..RunOptions::default()
    };
    let error = module.run("t", b"", options).unwrap_err();
    assert!(
        matches!(
            error,
            TaskletError::FuelExhausted {
                budget: 1_000_000,
                lane: 0,
                ..
            }
        ),
        "{error:?}"
    );
}

// ---------------------------------------------------------------------------
// Load errors.
// ---------------------------------------------------------------------------

#[test]
fn unknown_imports_are_refused() {
    for (imports, module, name) in [
        (
            r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#,
            "wasi_snapshot_preview1",
            "fd_write",
        ),
        (
            r#"(import "grafos_worker_v0" "clock_now" (func (result i64)))"#,
            "grafos_worker_v0",
            "clock_now",
        ),
    ] {
        let wasm = build(imports, "(i32.const 0)", "(i32.const 0)");
        assert_eq!(
            load(&wasm).unwrap_err(),
            LoadError::UnknownImport {
                module: module.into(),
                name: name.into()
            }
        );
    }
}

#[test]
fn imports_with_the_wrong_signature_are_refused() {
    let wasm = build(
        r#"(import "grafos_worker_v0" "barrier" (func (param i32) (result i32)))"#,
        "(i32.const 0)",
        "(i32.const 0)",
    );
    assert_eq!(
        load(&wasm).unwrap_err(),
        LoadError::ImportSignature {
            name: "barrier".into(),
            expected: "func () -> (i32)".into(),
            found: "func (i32) -> (i32)".into(),
        }
    );
    let wasm = build(
        r#"(import "grafos_worker_v0" "input_len" (global i32))"#,
        "(i32.const 0)",
        "(i32.const 0)",
    );
    assert!(matches!(
        load(&wasm).unwrap_err(),
        LoadError::ImportSignature { .. }
    ));
}

#[test]
fn missing_and_ill_typed_exports_are_refused() {
    let without_lane = module_wat("", "(i32.const 0)", "(i32.const 0)", "")
        .replace("(export \"grafos_v0_run_lane\")", "");
    let wasm = with_records(wat::parse_str(without_lane).unwrap(), &record("t", 3));
    assert_eq!(
        load(&wasm).unwrap_err(),
        LoadError::MissingExport {
            name: "grafos_v0_run_lane".into()
        }
    );
    let bad_alloc = module_wat("", "(i32.const 0)", "(i32.const 0)", "")
        .replace(
            "(param $align i32) (result i32)",
            "(param $align i32) (result i64)",
        )
        .replace("    local.get $p)", "    local.get $p i64.extend_i32_u)");
    let wasm = with_records(wat::parse_str(bad_alloc).unwrap(), &record("t", 3));
    assert_eq!(
        load(&wasm).unwrap_err(),
        LoadError::ExportSignature {
            name: "grafos_v0_alloc".into(),
            expected: "func (i32, i32) -> (i32)".into(),
            found: "func (i32, i32) -> (i64)".into(),
        }
    );
    let no_memory = module_wat("", "(i32.const 0)", "(i32.const 0)", "")
        .replace("(memory (export \"memory\") 64)", "(memory 64)");
    let wasm = with_records(wat::parse_str(no_memory).unwrap(), &record("t", 3));
    assert_eq!(
        load(&wasm).unwrap_err(),
        LoadError::MissingExport {
            name: "memory".into()
        }
    );
}

#[test]
fn a_record_without_its_entry_export_is_refused() {
    let wasm = wat::parse_str(module_wat("", "(i32.const 0)", "(i32.const 0)", "")).unwrap();
    let mut records = record("t", 3);
    records.extend(record("ghost", 3));
    assert_eq!(
        load(&with_records(wasm, &records)).unwrap_err(),
        LoadError::MissingExport {
            name: "grafos_v0_tasklet_ghost".into()
        }
    );
}

#[test]
fn records_that_cannot_run_are_refused() {
    let wasm = wat::parse_str(module_wat("", "(i32.const 0)", "(i32.const 0)", "")).unwrap();
    for (records, needle) in [
        (record("t", 1), "workers is 1 but must be 2 to 256"),
        (record("t", 257), "workers is 257"),
        (
            [record("t", 3), record("t", 3)].concat(),
            "two records have this name",
        ),
    ] {
        match load(&with_records(wasm.clone(), &records)).unwrap_err() {
            LoadError::InvalidRecord { tasklet, reason } => {
                assert_eq!(tasklet, "t");
                assert!(reason.contains(needle), "{reason}");
            }
            other => panic!("expected InvalidRecord, got {other:?}"),
        }
    }
}

#[test]
fn a_wrong_abi_version_a_bad_record_or_no_records_are_refused() {
    let wasm = wat::parse_str(module_wat("", "(i32.const 0)", "(i32.const 0)", "")).unwrap();
    let mut v1 = record("t", 3);
    v1[4] = 1;
    assert_eq!(
        load(&with_records(wasm.clone(), &v1)).unwrap_err(),
        LoadError::AbiVersion {
            found: 1,
            supported: abi::ABI_VERSION
        }
    );
    let mut bad = record("t", 3);
    bad[0] = b'X';
    assert!(matches!(
        load(&with_records(wasm.clone(), &bad)).unwrap_err(),
        LoadError::BadRecord(abi::DecodeError::BadMagic { at: 0 })
    ));
    assert_eq!(load(&wasm).unwrap_err(), LoadError::MissingTasklets);
    assert_eq!(
        load(&with_records(wasm, &[])).unwrap_err(),
        LoadError::MissingTasklets
    );
}

#[test]
fn an_unusable_stack_pointer_is_refused() {
    let immutable = module_wat("", "(i32.const 0)", "(i32.const 0)", "").replace(
        "(global $sp (mut i32) (i32.const 65536))",
        "(global $sp i32 (i32.const 65536))",
    );
    let wasm = with_records(wat::parse_str(immutable).unwrap(), &record("t", 3));
    match load(&wasm).unwrap_err() {
        LoadError::StackPointer { reason } => {
            assert!(reason.contains("global 0 is immutable i32"), "{reason}")
        }
        other => panic!("expected StackPointer, got {other:?}"),
    }
    let exported_func = module_wat("", "(i32.const 0)", "(i32.const 0)", "").replace(
        "(func (export \"grafos_v0_tasklet_t\")",
        "(func (export \"grafos_v0_tasklet_t\") (export \"__stack_pointer\")",
    );
    let wasm = with_records(wat::parse_str(exported_func).unwrap(), &record("t", 3));
    assert!(matches!(
        load(&wasm).unwrap_err(),
        LoadError::StackPointer { .. }
    ));
}

#[test]
fn truncated_and_garbage_files_are_malformed() {
    let guest = common::guest_wasm();
    for cut in [0, 4, 9, 100, guest.len() / 2, guest.len() - 1] {
        match load(&guest[..cut]) {
            Err(LoadError::Malformed { message }) => assert!(!message.is_empty()),
            other => panic!("a module cut at {cut} bytes: {other:?}"),
        }
    }
    assert!(matches!(
        load(b"MZ\x90\x00 not wasm at all"),
        Err(LoadError::Malformed { .. })
    ));
    // A valid module whose function body does not validate.
    let bad_body = module_wat("", "(i32.const 0)", "(i32.const 0)", "");
    let mut wasm = with_records(wat::parse_str(bad_body).unwrap(), &record("t", 3));
    let at = wasm.windows(2).position(|w| w == [0x41, 0x00]).unwrap();
    wasm[at] = 0x42; // i32.const -> i64.const: the result type no longer matches
    assert!(matches!(load(&wasm), Err(LoadError::Malformed { .. })));
}

#[test]
fn the_built_guest_loads_without_an_exported_stack_pointer_too() {
    // Strip the `__stack_pointer` export the build added: the loader exports
    // global 0 itself, and the tasklets still run.
    let guest = common::guest_wasm();
    let mut module = wasm_encoder::Module::new();
    for payload in wasmparser::Parser::new(0).parse_all(guest) {
        let payload = payload.unwrap();
        match payload {
            wasmparser::Payload::ExportSection(reader) => {
                let mut exports = wasm_encoder::ExportSection::new();
                for e in reader {
                    let e = e.unwrap();
                    if e.name == "__stack_pointer" {
                        continue;
                    }
                    let kind = match e.kind {
                        wasmparser::ExternalKind::Func => wasm_encoder::ExportKind::Func,
                        wasmparser::ExternalKind::Memory => wasm_encoder::ExportKind::Memory,
                        wasmparser::ExternalKind::Global => wasm_encoder::ExportKind::Global,
                        wasmparser::ExternalKind::Table => wasm_encoder::ExportKind::Table,
                        other => panic!("{other:?}"),
                    };
                    exports.export(e.name, kind, e.index);
                }
                module.section(&exports);
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    module.section(&wasm_encoder::RawSection {
                        id,
                        data: &guest[range],
                    });
                }
            }
        }
    }
    let stripped = module.finish();
    assert!(guest.windows(15).any(|w| w == b"__stack_pointer"));
    let module = load(&stripped).unwrap();
    let input = b"stripped";
    let result = module.run("sum", input, RunOptions::default()).unwrap();
    assert_eq!(
        result.output(),
        grafos_test_guest::run_host("sum", input).unwrap().output()
    );
}

/// Runs `t` of `wasm` on another thread and waits at most `limit` for it:
/// a launch that overruns fails the test instead of hanging it.
fn run_within(
    wasm: &[u8],
    input: &[u8],
    options: RunOptions,
    limit: std::time::Duration,
) -> Result<grafos_abi::SharedTaskletResult, TaskletError> {
    let module = load(wasm).unwrap();
    let input = input.to_vec();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(module.run("t", &input, options));
    });
    receive
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("the launch was still running after {limit:?}"))
}

/// Found while fuzzing (issue 6; see docs/RELIABILITY.md): imports copied
/// any number of bytes for the fuel of one call. They now cost what `memory.copy` costs in wasmi, one
/// unit of fuel per 64 bytes.
#[test]
fn bytes_an_import_copies_cost_fuel() {
    // 2 × 4 MiB of output, 1 MiB of input, 1 MiB of log: 163,840 fuel.
    let wasm = build(
        &import_all(),
        r#"(call $output_set (i32.const 0) (i32.const 0x400000))
           (call $output_set (i32.const 0) (i32.const 0x400000))
           (call $input_read (i32.const 0) (i32.const 0) (call $input_len))
           (call $debug_log (i32.const 0) (i32.const 0x100000))
           (i32.const 0)"#,
        "(i32.const 0)",
    );
    let input = vec![7; 1 << 20];
    let result = run_within(
        &wasm,
        &input,
        RunOptions::default(),
        std::time::Duration::from_secs(30),
    )
    .unwrap();
    assert_eq!(result.output().len(), 0x400000);
    assert!(
        (163_840..164_840).contains(&result.fuel_used()),
        "fuel_used {}",
        result.fuel_used()
    );
    // Exactly that fuel is not enough: the charge comes before the copy.
    let short = RunOptions {
        fuel: Some(100_000),
        ..RunOptions::default()
    };
    let result = run_within(&wasm, &input, short, std::time::Duration::from_secs(30));
    assert!(
        matches!(
            result,
            Err(TaskletError::FuelExhausted {
                budget: 100_000,
                lane: 0,
                ..
            })
        ),
        "{result:?}"
    );
}

/// Found while fuzzing (issue 6): a loop of `output_set` over a 64 MiB memory
/// ran two minutes on 2,000 fuel and minutes past a 100 ms deadline, since
/// the deadline is checked when a fuel slice runs out and the copies spent
/// none. Here on a 4 MiB memory, with a watchdog so the test cannot hang.
#[test]
fn a_loop_of_bulk_copies_stops_at_its_fuel_and_its_deadline() {
    use std::time::{Duration, Instant};
    let wasm = build(
        &import_all(),
        r#"(loop $l (call $output_set (i32.const 0) (i32.const 0x400000)) (br $l))
           (i32.const 0)"#,
        "(i32.const 0)",
    );
    let little_fuel = RunOptions {
        fuel: Some(2_000),
        ..RunOptions::default()
    };
    let result = run_within(&wasm, b"", little_fuel, Duration::from_secs(10));
    // The lane runs out inside an import it calls in a loop: it made an
    // SDK call a moment ago, so no spin-wait is suggested.
    match result {
        Err(
            e @ TaskletError::FuelExhausted {
                budget: 2_000,
                lane: 0,
                since_sdk_call: Some(since),
                ..
            },
        ) => {
            assert!(since < 100, "{e:?}");
            assert!(!e.to_string().contains("waits in a loop"), "{e}");
        }
        other => panic!("expected FuelExhausted, got {other:?}"),
    }

    let started = Instant::now();
    let deadline = RunOptions {
        fuel: Some(u64::MAX),
        deadline: Some(started + Duration::from_millis(100)),
        ..RunOptions::default()
    };
    let result = run_within(&wasm, b"", deadline, Duration::from_secs(10));
    assert_eq!(result, Err(TaskletError::DeadlineExceeded));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// Found by fuzzing (`abi_smith`): wasmi 2.0.0's translator panics on this
/// valid module (a 16-bit store whose address and value are one local
/// holding `memory.size`, at an offset above 16 bits), and `load` unwound
/// into its caller. It is now a `LoadError`.
#[test]
fn a_module_wasmi_cannot_compile_is_a_load_error_not_a_panic() {
    let wasm = build(
        "",
        "(i32.const 0)",
        r#"memory.size
           local.set $job
           local.get $job
           local.get $job
           i32.store16 offset=2909806
           (i32.const 0)"#,
    );
    match load(&wasm) {
        Err(LoadError::Malformed { message }) => assert!(message.contains("wasmi"), "{message}"),
        // A later wasmi may compile it; what matters is that `load` returned.
        Ok(_) => {}
        Err(other) => panic!("expected a malformed-module error, got {other:?}"),
    }
}

/// A guest's deep recursion ends in `CallDepthExceeded` (named as such, not
/// as a stack overflow) without touching the host thread's stack: wasmi keeps wasm frames on its own stack and, in an
/// optimised wasmi (the workspace builds it so even in dev and test, see
/// the root Cargo.toml), its handlers' tail calls are jumps. Fuzzing under
/// ASan showed what happens without that: every wasm call nested a native
/// frame, and a recursing guest overflowed an 8 MiB thread stack. The
/// launch below needs 32 KiB of native stack here, and more than 256 KiB
/// with debug assertions in wasmi (the process aborts); 128 KiB tells the
/// two apart.
#[test]
fn deep_guest_recursion_needs_no_native_stack() {
    // `build` puts its first argument at the top of the module: here a
    // function that calls itself for ever.
    let wasm = build(
        "(func $deep (param i32) (result i32) local.get 0 i32.const 1 i32.add call $deep)",
        "(i32.const 0) (call $deep)",
        "(i32.const 0)",
    );
    let module = load(&wasm).unwrap();
    let launch = std::thread::Builder::new()
        .stack_size(128 << 10)
        .spawn(move || module.run("t", b"", RunOptions::default()))
        .unwrap();
    assert_eq!(
        launch.join().unwrap().map(|r| r.fuel_used()),
        Err(TaskletError::CallDepthExceeded {
            lane: 0,
            max_depth: grafos_runtime::MAX_CALL_DEPTH,
        })
    );
}

/// Recursion a native thread takes, 4000 calls deep, runs in the runtime
/// too: its call-depth limit is four times wasmi's default of 1000.
#[test]
fn recursion_thousands_of_calls_deep_runs() {
    let wasm = build(
        r#"(func $down (param i32) (result i32)
             (if (result i32) (i32.eqz (local.get 0))
               (then (i32.const 0))
               (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))"#,
        "(drop (call $down (i32.const 4000))) (i32.const 0)",
        "(i32.const 0)",
    );
    assert_eq!(run(&wasm, b""), Ok(Vec::new()));
}
