//! The trybuild suite of `#[grafos::tasklet]`: one test per feature folder,
//! `tests/ui/<feature>/{pass,fail}/*.rs`. Fail cases compare the compiler's
//! output with the `.stderr` beside them; pass cases are built and run, and
//! their `main` asserts what they produce. See `ui-tests/README.md` to
//! refresh the snapshots.

fn compile_fail(feature: &str) {
    trybuild::TestCases::new().compile_fail(format!("tests/ui/{feature}/fail/*.rs"));
}

fn pass(feature: &str) {
    trybuild::TestCases::new().pass(format!("tests/ui/{feature}/pass/*.rs"));
}

/// The attribute's arguments.
#[test]
fn args_fail() {
    compile_fail("args");
}

#[test]
fn args_pass() {
    pass("args");
}

/// The module's shape: one coordinator, markers on fns, generated names.
#[test]
fn module_fail() {
    compile_fail("module");
}

#[test]
fn module_pass() {
    pass("module");
}

/// `#[coordinator]` signatures and outputs.
#[test]
fn coordinator_fail() {
    compile_fail("coordinator");
}

#[test]
fn coordinator_pass() {
    pass("coordinator");
}

/// `#[worker]` signatures: the context or plain parameters.
#[test]
fn worker_fail() {
    compile_fail("worker");
}

#[test]
fn worker_pass() {
    pass("worker");
}

/// Collectives, `map_workers` and typed input and output.
#[test]
fn collectives_fail() {
    compile_fail("collectives");
}

#[test]
fn collectives_pass() {
    pass("collectives");
}

/// The shared and scratch types: `Default + Sync`, `Default + Send`, sizes.
#[test]
fn types_fail() {
    compile_fail("types");
}

#[test]
fn types_pass() {
    pass("types");
}

/// `Partitioned` arrays: what the compiler refuses (misuse at run time is
/// tested in the SDK and on both targets in grafos-runtime's test guest).
#[test]
fn partition_fail() {
    compile_fail("partition");
}

/// The portability lint and `#[target_specific]`.
#[test]
fn lint_fail() {
    compile_fail("lint");
}

#[test]
fn lint_pass() {
    pass("lint");
}

/// `#[coordinator]`, `#[worker]` and `#[target_specific]` outside a tasklet.
#[test]
fn markers_fail() {
    compile_fail("markers");
}
