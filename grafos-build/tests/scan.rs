//! `grafos_build::scan` on real modules: the fixture crate's helpers and
//! the red-team suite's are found and named; the examples, the runtime's
//! test guest and the suite's portable controls give no finding.
//!
//! Each crate is built once per test binary, as `grafos build` builds it
//! (release, overflow checks on), in the workspace's `target/grafos-wasm`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use grafos_build::scan::{Finding, scan};
use grafos_build::{BuildOptions, build};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The findings of the crate at `manifest` (relative to the workspace).
fn findings_of(manifest: &str) -> Vec<Finding> {
    let built = build(&BuildOptions {
        manifest_path: Some(root().join(manifest)),
        // The fixture is a workspace of its own: share the grafos
        // workspace's wasm artifacts rather than build them again.
        target_dir: Some(root().join("target").join(grafos_build::TARGET_SUBDIR)),
        ..BuildOptions::default()
    })
    .unwrap_or_else(|e| panic!("building {manifest}: {e}"));
    let bytes = std::fs::read(&built.module).unwrap();
    scan(&bytes).unwrap_or_else(|e| panic!("scanning {}: {e}", built.module.display()))
}

macro_rules! once {
    ($name:ident, $manifest:expr) => {
        fn $name() -> &'static [Finding] {
            static FINDINGS: OnceLock<Vec<Finding>> = OnceLock::new();
            FINDINGS.get_or_init(|| findings_of($manifest))
        }
    };
}

once!(fixture, "grafos-build/tests/fixtures/lintblind/Cargo.toml");
once!(examples, "examples/Cargo.toml");
once!(guest, "grafos-runtime/tests/guest/Cargo.toml");
once!(fidelity, "fidelity/Cargo.toml");

fn report(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("\n  {f}")).collect()
}

/// The tasklets with findings.
fn tasklets(findings: &[Finding]) -> BTreeSet<&str> {
    findings
        .iter()
        .filter_map(|f| f.tasklet.as_deref())
        .collect()
}

/// The names of the tasklet modules declared in a source file of the
/// workspace: each `pub mod NAME {` after a `#[grafos::tasklet` line.
fn tasklets_in(file: &str) -> Vec<String> {
    let source = std::fs::read_to_string(root().join(file)).unwrap();
    let mut names = Vec::new();
    let mut after_attribute = false;
    for line in source.lines() {
        let line = line.trim();
        if line.starts_with("#[grafos::tasklet") {
            after_attribute = true;
        } else if after_attribute && let Some(rest) = line.strip_prefix("pub mod ") {
            names.push(rest.trim_end_matches(" {").to_owned());
            after_attribute = false;
        }
    }
    assert!(!names.is_empty(), "no tasklets found in {file}");
    names
}

#[test]
fn the_fixture_names_each_helper_and_the_std_function_it_calls() {
    let findings = fixture();
    let has = |tasklet: &str, caller: &str, callee: &str| {
        findings.iter().any(|f| {
            f.tasklet.as_deref() == Some(tasklet)
                && f.caller == caller
                && f.callee.starts_with(callee)
        })
    };
    let all = report(findings);
    assert!(
        has(
            "clocked",
            "grafos_scan_fixture::started",
            "std::time::Instant::now"
        ),
        "{all}"
    );
    assert!(
        has(
            "threaded",
            "grafos_scan_fixture::on_a_thread",
            "std::thread::"
        ),
        "{all}"
    );
    // `std::fs::metadata` is inlined down to the platform layer, whose
    // identical "unsupported" functions are merged under one name.
    assert!(
        has("files", "grafos_scan_fixture::config_exists", "std::"),
        "{all}"
    );
    assert_eq!(
        tasklets(findings),
        BTreeSet::from(["clocked", "files", "threaded"]),
        "the portable tasklet (OnceLock, thread_local!, HashMap) must give none:{all}"
    );
    assert!(findings.iter().all(|f| f.tasklet.is_some()), "{all}");
    // The chain leads from the tasklet to the helper.
    let spawn = findings
        .iter()
        .find(|f| f.caller == "grafos_scan_fixture::on_a_thread")
        .unwrap();
    assert_eq!(
        spawn.via,
        [
            "grafos_scan_fixture::threaded::sum",
            "grafos_scan_fixture::on_a_thread"
        ]
    );
    assert!(spawn.to_string().contains("there are none"), "{spawn}");
}

#[test]
fn the_examples_give_no_finding() {
    let findings = examples();
    assert!(findings.is_empty(), "{}", report(findings));
}

#[test]
fn the_runtime_test_guest_gives_no_finding() {
    let findings = guest();
    assert!(findings.is_empty(), "{}", report(findings));
}

#[test]
fn the_red_team_helpers_are_found_and_the_controls_are_clean() {
    let findings = fidelity();
    let all = report(findings);
    for control in tasklets_in("fidelity/src/controls.rs") {
        assert!(
            findings
                .iter()
                .all(|f| f.tasklet.as_deref() != Some(&*control)),
            "control `{control}` has findings:{all}"
        );
    }
    // Exactly these: the others in lintblind.rs reach std functions that
    // return an error or nothing on wasm32 and are inlined away entirely
    // (`env::args`, `env::var`, `available_parallelism`), or are not
    // std services at all (`cfg!`, `HashMap`, `println!`). The
    // cross-target test catches those by running them.
    let lintblind: BTreeSet<String> = tasklets_in("fidelity/src/lintblind.rs")
        .into_iter()
        .collect();
    let found: BTreeSet<&str> = tasklets(findings);
    assert_eq!(
        found,
        BTreeSet::from([
            "fs_in_helper",
            "instant_in_helper",
            "system_time_in_helper",
            "thread_spawn_in_helper"
        ]),
        "{all}"
    );
    assert!(found.iter().all(|t| lintblind.contains(*t)));
    let has = |tasklet: &str, caller: &str, callee: &str| {
        findings.iter().any(|f| {
            f.tasklet.as_deref() == Some(tasklet)
                && f.caller == caller
                && f.callee.starts_with(callee)
        })
    };
    assert!(
        has(
            "thread_spawn_in_helper",
            "grafos_fidelity::lintblind::checksum_on_a_thread",
            "std::thread::"
        ),
        "{all}"
    );
    // The helpers `now` and `clock_seed` are inlined into the coordinator,
    // which is named instead.
    assert!(
        has(
            "instant_in_helper",
            "grafos_fidelity::lintblind::instant_in_helper::run",
            "std::time::Instant::now"
        ),
        "{all}"
    );
    assert!(
        has(
            "system_time_in_helper",
            "grafos_fidelity::lintblind::system_time_in_helper::run",
            "std::time::SystemTime::now"
        ),
        "{all}"
    );
    // `order::std_barrier`'s worker waits at a `std::sync::Barrier`; it is
    // inlined into the closure grafos calls through a function pointer, so
    // no tasklet reaches it directly, but the call is still reported.
    let unattributed: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.tasklet.is_none())
        .map(|f| f.callee.as_str())
        .collect();
    assert_eq!(
        unattributed,
        BTreeSet::from(["std::sync::barrier::Barrier::wait"]),
        "{all}"
    );
}
