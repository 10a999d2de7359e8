//! `grafos run` on a terminal: binary output is refused unless asked for.
//! The binary runs under `script`, which gives it a pseudo-terminal.

use std::path::{Path, PathBuf};
use std::process::Command;

const GRAFOS: &str = env!("CARGO_BIN_EXE_grafos");

/// The small test guest (`grafos-runtime/tests/guest-small`), built.
fn small_guest() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../grafos-runtime/tests/guest-small/Cargo.toml");
    grafos_build::build(&grafos_build::BuildOptions {
        manifest_path: Some(manifest),
        ..grafos_build::BuildOptions::default()
    })
    .unwrap_or_else(|e| panic!("building the small guest failed: {e}"))
    .module
}

/// Runs `grafos ARGS` with a terminal as its standard output; its exit code
/// and everything it wrote there.
fn on_a_terminal(args: &str) -> (Option<i32>, Vec<u8>) {
    let out = Command::new("script")
        .args(["-qec", &format!("{GRAFOS} {args}"), "/dev/null"])
        .output()
        .expect("`script` (util-linux) runs the binary on a pseudo-terminal");
    (out.status.code(), out.stdout)
}

#[test]
fn binary_output_is_not_written_to_a_terminal_unless_asked_for() {
    let module = small_guest();
    let module = module.display();
    let (code, shown) = on_a_terminal(&format!("run {module}"));
    let shown = String::from_utf8_lossy(&shown);
    assert_eq!(code, Some(2), "{shown}");
    assert!(
        shown.contains("standard output is a terminal: pass --output FILE, or --output - to write it here anyway"),
        "{shown}"
    );
    assert_eq!(shown.lines().count(), 1, "one line: {shown}");

    // Asked for: the 8 bytes of the sum of no input, zero.
    let (code, shown) = on_a_terminal(&format!("run {module} --output -"));
    assert_eq!(code, Some(0));
    assert_eq!(shown, [0u8; 8]);
    // A JSON report is text: written, with the output as hex.
    let (code, shown) = on_a_terminal(&format!("run {module} --json"));
    assert_eq!(code, Some(0));
    assert!(
        String::from_utf8_lossy(&shown).contains("\"output_hex\":\"0000000000000000\""),
        "{}",
        String::from_utf8_lossy(&shown)
    );
}
