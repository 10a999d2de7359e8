//! The `grafos` program as a user runs it: `build`, `inspect` and `run` on
//! the test guest, their output, and the exit code of every error class.

/// The test guest's wasm module (`grafos-runtime/tests/guest`), built once
/// per test binary.
fn guest_wasm() -> &'static [u8] {
    static WASM: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    WASM.get_or_init(|| {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../grafos-runtime/tests/guest/Cargo.toml");
        let built = grafos_build::build(&grafos_build::BuildOptions {
            manifest_path: Some(manifest),
            ..grafos_build::BuildOptions::default()
        })
        .unwrap_or_else(|e| panic!("building the test guest for wasm32 failed: {e}"));
        std::fs::read(&built.module).expect("the built module is readable")
    })
}

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

const GRAFOS: &str = env!("CARGO_BIN_EXE_grafos");

/// The built test guest, written where a user's build would put it.
///
/// Written once per test binary: the tests run in parallel, and rewriting
/// the file in one test truncates it under another test's `grafos run`.
fn module_path() -> &'static Path {
    static MODULE: OnceLock<PathBuf> = OnceLock::new();
    MODULE.get_or_init(|| {
        let path = scratch_dir("module").join("guest.wasm");
        std::fs::write(&path, guest_wasm()).unwrap();
        path
    })
}

/// A directory of the test's own, so that no two tests share a file.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grafos-cli-test-{}/{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn grafos(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(GRAFOS)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the grafos binary runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Fails unless the program failed with `code` and one line on stderr.
fn assert_fails(out: &Output, code: i32, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line, got: {err}");
    assert!(err.starts_with("grafos: "), "{err}");
    assert!(err.contains(needle), "expected `{needle}` in: {err}");
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn inspect_lists_tasklets_sizes_fuel_workers_and_imports() {
    let module = module_path();
    let out = grafos(&["inspect", p(module)], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("15 tasklet(s):"), "{text}");
    assert!(
        text.contains("  histogram\n    lanes    5 (coordinator + 4 data lanes)"),
        "{text}"
    );
    assert!(
        text.contains("  kernel\n    lanes    2 (coordinator + 1 data lane)"),
        "{text}"
    );
    assert!(text.contains("    workers  count, scale"), "{text}");
    assert!(text.contains("    scratch  1 KiB per lane"), "{text}");
    // `partition`'s shared type holds two `Partitioned` arrays (on the heap);
    // `histogram`'s holds atomics only.
    assert!(
        text.contains(
            "  partition\n    lanes    5 (coordinator + 4 data lanes)\n    shared   256 B + data on \
             the heap (the shared type owns a Vec, Box or the like)\n"
        ),
        "{text}"
    );
    assert_eq!(text.matches("+ data on the heap").count(), 1, "{text}");
    assert!(
        text.ends_with("data they keep on the heap (in a Vec or Box, allocated in the guest's memory) is not counted\n"),
        "{text}"
    );
    assert!(
        text.contains("imports: ") && text.contains("parallel_for"),
        "{text}"
    );

    let out = grafos(&["inspect", p(module), "--json"], b"");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["tasklets"].as_array().unwrap().len(), 15);
    let owning: Vec<&str> = report["tasklets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["shared_owns_data"] == true)
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(owning, ["partition"]);
    let sum = report["tasklets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "sum")
        .unwrap();
    assert_eq!(sum["workers"], 4);
    assert_eq!(sum["fuel"], 100_000_000);
}

#[test]
fn run_prints_the_output_the_host_mock_computes() {
    let module = module_path();
    let input = b"the same bytes on both targets".to_vec();
    let input_file = scratch_dir("run_prints").join("input.bin");
    std::fs::write(&input_file, &input).unwrap();
    let expected = grafos_test_guest::run_host("histogram", &input).unwrap();

    let out = grafos(
        &["run", p(module), "histogram", "--input", p(&input_file)],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(out.stdout, expected.output());

    // Standard input, and --output.
    let output_file = scratch_dir("run_prints").join("output.bin");
    let out = grafos(
        &[
            "run",
            p(module),
            "histogram",
            "--input",
            "-",
            "--output",
            p(&output_file),
        ],
        &input,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read(&output_file).unwrap(), expected.output());
}

#[test]
fn run_json_reports_the_launch() {
    let module = module_path();
    let out = grafos(
        &["run", p(module), "barriers7", "--input", "-", "--json"],
        b"ab",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let host = grafos_test_guest::run_host("barriers7", b"ab").unwrap();
    assert_eq!(report["tasklet"], "barriers7");
    assert_eq!(report["input_bytes"], 2);
    assert_eq!(report["output_bytes"], host.output().len());
    assert_eq!(report["regions"], 1);
    assert_eq!(report["barrier_rounds"], 13);
    assert!(report["fuel_used"].as_u64().unwrap() > 0);
    assert!(report["wall_time_ms"].as_f64().unwrap() > 0.0);
    let hex: String = host.output().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(report["output_hex"], hex);
}

#[test]
fn a_failing_tasklet_exits_5_with_one_line() {
    let module = module_path();
    let out = grafos(&["run", p(module), "panic_lane", "--input", "-"], b"xy");
    assert_fails(
        &out,
        5,
        "tasklet `panic_lane` failed: worker lane 2 panicked: lane 2 gives up after 2 input bytes",
    );
    let out = grafos(
        &[
            "run",
            p(module),
            "spin",
            "--timeout",
            "200ms",
            "--fuel",
            "999999999999",
        ],
        b"",
    );
    assert_fails(&out, 5, "deadline exceeded");
    let out = grafos(
        &["run", p(module), "spin", "--fuel", "100000", "--json"],
        b"",
    );
    assert_fails(&out, 5, "fuel exhausted");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["tasklet"], "spin");
    let error = report["error"].as_str().unwrap();
    assert!(
        error.starts_with(
            "fuel exhausted: lane 1 was running when the launch's budget of 100000 ran out"
        ),
        "{error}"
    );
    assert!(error.contains("`--fuel N`"), "{error}");
}

#[test]
fn io_errors_exit_3() {
    let module = module_path();
    let out = grafos(&["run", "/nonexistent/m.wasm", "sum"], b"");
    assert_fails(&out, 3, "cannot read /nonexistent/m.wasm");
    let out = grafos(
        &["run", p(module), "sum", "--input", "/nonexistent/input"],
        b"",
    );
    assert_fails(&out, 3, "cannot read input /nonexistent/input");
    let out = grafos(
        &["run", p(module), "sum", "--output", "/nonexistent/dir/out"],
        b"",
    );
    assert_fails(&out, 3, "cannot write output /nonexistent/dir/out");
}

#[test]
fn modules_that_do_not_load_exit_4() {
    let not_wasm = scratch_dir("do_not_load").join("not.wasm");
    std::fs::write(&not_wasm, b"plain text").unwrap();
    let out = grafos(&["inspect", p(&not_wasm)], b"");
    assert_fails(&out, 4, "not a valid wasm module");
    let truncated = scratch_dir("do_not_load").join("truncated.wasm");
    let guest = guest_wasm();
    std::fs::write(&truncated, &guest[..guest.len() / 3]).unwrap();
    let out = grafos(&["run", p(&truncated), "sum"], b"");
    assert_fails(&out, 4, "cannot load");
}

#[test]
fn usage_errors_exit_2() {
    let module = module_path();
    let out = grafos(&["run", p(module)], b"");
    assert_fails(&out, 2, "the module has 15 tasklets; name one: ");
    let out = grafos(&["run", p(module), "nope"], b"");
    assert_fails(&out, 2, "no tasklet `nope`");
    let out = grafos(&["run", p(module), "sum", "--timeout", "soon"], b"");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = grafos(&["frobnicate"], b"");
    assert_eq!(out.status.code(), Some(2));
    let out = grafos(&["--help"], b"");
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for sub in ["build", "inspect", "run"] {
        assert!(help.contains(sub), "{help}");
    }
}

#[test]
fn build_compiles_a_crate_and_prints_the_module_path() {
    let manifest =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../grafos-runtime/tests/guest/Cargo.toml");
    // The test guest is built already (by `guest_wasm`), so this is quick.
    guest_wasm();
    let out = grafos(&["build", "--manifest-path", p(&manifest)], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let path = String::from_utf8(out.stdout.clone()).unwrap();
    let path = Path::new(path.trim());
    assert!(path.ends_with("grafos-wasm/wasm32-unknown-unknown/release/grafos_test_guest.wasm"));
    assert_eq!(std::fs::read(path).unwrap(), guest_wasm());
    assert!(
        stderr(&out).contains("with 15 tasklet(s): "),
        "{}",
        stderr(&out)
    );

    let out = grafos(
        &["build", "--manifest-path", "/nonexistent/Cargo.toml"],
        b"",
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}

#[test]
fn demo_builds_the_examples_and_shows_identical_outputs() {
    let svg = scratch_dir("demo-svg");
    let out = grafos(
        &[
            "demo",
            "--only",
            "histogram",
            "--only",
            "scan",
            "--workers",
            "3",
            "--svg",
            p(&svg),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let table = String::from_utf8(out.stdout).unwrap();
    let header = table.lines().next().unwrap();
    for column in [
        "tasklet",
        "input (B)",
        "output (B)",
        "host (ms)",
        "wasm (ms)",
        "fuel used",
        "identical",
    ] {
        assert!(header.contains(column), "{header}");
    }
    for name in ["histogram", "scan"] {
        let row = table
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{table}"));
        assert!(row.contains(" yes "), "{row}");
        // One unit style: bytes with separators, milliseconds without a unit.
        assert!(row.contains(" 1,048,576 ") || name != "histogram", "{row}");
        assert!(!row.contains("MiB") && !row.contains("ms"), "{row}");
        // --svg: the trace and its timeline, a row per lane.
        let timeline = std::fs::read_to_string(svg.join(format!("{name}.svg"))).unwrap();
        assert_eq!(timeline.matches("class=\"lane\"").count(), 3, "{name}");
        assert!(svg.join(format!("{name}.json")).is_file());
    }
    assert!(
        table.contains("all 2 example(s) gave identical bytes"),
        "{table}"
    );
}

#[test]
fn demo_json_reports_every_field() {
    let out = grafos(&["demo", "--only", "dot", "--json"], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = &report[0];
    assert_eq!(row["tasklet"], "dot");
    assert_eq!(row["identical"], true);
    assert_eq!(row["matches_reference"], true);
    assert_eq!(row["workers"], 4);
    assert!(row["fuel_used"].as_u64().unwrap() > 0);
    assert!(row["wasm_seconds"].as_f64().unwrap() > 0.0);
}

#[test]
fn demo_refuses_bad_arguments_in_one_line() {
    assert_fails(
        &grafos(&["demo", "--only", "histogramm"], b""),
        2,
        "no example `histogramm`",
    );
    assert_fails(
        &grafos(&["demo", "--workers", "1"], b""),
        2,
        "is not a lane count from 2 to 256",
    );
    assert_fails(
        &grafos(&["demo", "--manifest-path", "/nonexistent/Cargo.toml"], b""),
        3,
        "pass --manifest-path",
    );
    assert_fails(
        &grafos(&["demo", "--only", "dot", "--svg", "/dev/null/traces"], b""),
        3,
        "cannot create /dev/null/traces",
    );
}

#[test]
fn bad_arguments_are_one_line_and_exit_2() {
    for (args, needle) in [
        (
            &["run", "m.wasm", "--fuel", "0"][..],
            "invalid value '0' for '--fuel <N>'",
        ),
        (
            &["run", "m.wasm", "--max-memory", "12Q"],
            "`12Q` is not a size",
        ),
        (&["run", "m.wasm", "--timeout", "soon"], "not a duration"),
        (&["run"], "required arguments were not provided: <MODULE>"),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
        (
            &[],
            "no subcommand given; use one of new, build, inspect, run, timeline",
        ),
    ] {
        assert_fails(&grafos(args, b""), 2, needle);
    }
}

#[test]
fn every_bad_input_of_run_has_its_own_line_and_class() {
    let module = module_path();
    let dir = scratch_dir("bad_input");
    let not_wasm = dir.join("not.wasm");
    std::fs::write(&not_wasm, b"definitely not wasm").unwrap();
    let unreadable = dir.join("a-directory");
    std::fs::create_dir_all(&unreadable).unwrap();
    let cases: [(&[&str], i32, &str); 6] = [
        (
            &["run", "/nonexistent/m.wasm", "sum"],
            3,
            "cannot read /nonexistent/m.wasm",
        ),
        (&["run", p(&not_wasm), "sum"], 4, "cannot load"),
        (
            &["run", p(module), "no_such_tasklet"],
            2,
            "no tasklet `no_such_tasklet`",
        ),
        (
            &["run", p(module), "sum", "--input", p(&unreadable)],
            3,
            "cannot read input",
        ),
        (
            &["run", p(module), "sum", "--output", "/nonexistent/dir/out"],
            3,
            "cannot write output",
        ),
        (
            &["run", p(module), "sum", "--max-output", "4"],
            5,
            "output size limit exceeded",
        ),
    ];
    for (args, code, needle) in cases {
        assert_fails(&grafos(args, b""), code, needle);
    }
}

#[test]
fn lane_counts_out_of_range_are_usage_errors() {
    let module = module_path();
    for workers in ["1", "257", "many"] {
        let out = grafos(&["run", p(module), "sum", "--workers", workers], b"");
        assert_fails(&out, 2, "is not a lane count from 2 to 256");
    }
}

#[test]
fn a_missing_manifest_is_named() {
    let out = grafos(
        &["build", "--manifest-path", "/missing/dir/Cargo.toml"],
        b"",
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no manifest at /missing/dir/Cargo.toml"),
        "{}",
        stderr(&out)
    );
}

/// wasmi 2.0's compiler panics on this function (an `i32.store16` whose
/// address and value are one local holding `memory.size`, at an offset above
/// 16 bits); the runtime catches the panic and reports a load error. That
/// recovery must work inside the binary too, whose panic hook once exited
/// the process before any `catch_unwind` could run.
#[test]
fn a_panic_caught_inside_the_binary_is_recovered_from() {
    let wat = r#"(module
      (memory (export "memory") 2)
      (global (mut i32) (i32.const 65536))
      (func (export "grafos_v0_alloc") (param i32 i32) (result i32) (i32.const 0))
      (func (export "grafos_v0_run_lane") (param i32 i32) (result i32) (i32.const 0))
      (func (export "grafos_v0_tasklet_t") (result i32) (local i32)
        memory.size
        local.set 0
        local.get 0
        local.get 0
        i32.store16 offset=2909806
        (i32.const 0)))"#;
    let mut wasm = wat::parse_str(wat).unwrap();
    let info = grafos_abi::TaskletInfo::new("t", 2, 0, 0, 1000, &[]);
    use wasm_encoder::Section;
    wasm_encoder::CustomSection {
        name: grafos_abi::TASKLETS_SECTION.into(),
        data: grafos_abi::encode_record_vec(&info).into(),
    }
    .append_to(&mut wasm);
    let path = scratch_dir("translator-panic").join("panics-wasmi.wasm");
    std::fs::write(&path, wasm).unwrap();
    let out = grafos(&["run", p(&path)], b"");
    let err = stderr(&out);
    if out.status.success() {
        return; // a later wasmi compiles it: nothing panicked
    }
    assert_fails(&out, 4, "wasmi");
    assert!(!err.starts_with("grafos: internal error"), "{err}");
}

#[test]
fn build_warns_about_calls_outside_the_tasklet_that_wasm32_cannot_serve() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest = root.join("grafos-build/tests/fixtures/lintblind/Cargo.toml");
    // The fixture is a workspace of its own: build in this workspace's
    // target directory, where the wasm artifacts of grafos exist already.
    let build = |strip: bool| {
        let mut command = Command::new(GRAFOS);
        command
            .args(["build", "--manifest-path", p(&manifest)])
            .env("CARGO_TARGET_DIR", root.join("target"));
        if strip {
            command.env("CARGO_PROFILE_RELEASE_STRIP", "symbols");
        }
        command.output().expect("the grafos binary runs")
    };
    let out = build(false);
    let err = stderr(&out);
    assert!(out.status.success(), "warnings keep exit code 0: {err}");
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("grafos: warning: "))
        .collect();
    assert!(
        warnings.contains(
            &"grafos: warning: tasklet `clocked`: `grafos_scan_fixture::started` calls \
              `std::time::Instant::now`, which panics: it reads a clock, and there is none on \
              wasm32-unknown-unknown (via grafos_scan_fixture::clocked::run -> \
              grafos_scan_fixture::started)"
        ),
        "{err}"
    );
    for tasklet in ["clocked", "threaded", "files"] {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(&format!("tasklet `{tasklet}`: "))),
            "no warning for `{tasklet}`: {err}"
        );
    }
    assert!(!err.contains("tasklet `portable`"), "{err}");
    let path = String::from_utf8(out.stdout).unwrap();
    assert!(path.trim().ends_with("grafos_scan_fixture.wasm"), "{path}");

    // A stripped module has no names to report: one warning, still exit 0.
    let out = build(true);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("grafos: warning: could not scan the module")
            && err.contains("no `name` section"),
        "{err}"
    );
}
