//! `grafos run` on a terminal: binary output is refused unless asked for.
//! The binary runs under `script`, which gives it a pseudo-terminal.

use std::path::{Path, PathBuf};
use std::process::Command;

const GRAFOS: &str = env!("CARGO_BIN_EXE_grafos");

/// The crate at `manifest` (relative to this crate), built for wasm32.
fn built(manifest: &str) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(manifest);
    grafos_build::build(&grafos_build::BuildOptions {
        manifest_path: Some(manifest.clone()),
        ..grafos_build::BuildOptions::default()
    })
    .unwrap_or_else(|e| panic!("building {} failed: {e}", manifest.display()))
    .module
}

/// The small test guest (`grafos-runtime/tests/guest-small`), built.
fn small_guest() -> PathBuf {
    built("../grafos-runtime/tests/guest-small/Cargo.toml")
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

/// A reader that stops early (`grafos run .. | head -c 1`) ends the program
/// quietly: exit 0, nothing on standard error; it was a panic (exit 70).
#[test]
fn a_reader_that_closes_the_pipe_ends_the_program_quietly() {
    let module = built("../examples/Cargo.toml");
    let dir = std::env::temp_dir().join(format!("grafos-cli-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("input.bin");
    // `scan` outputs as many bytes as it reads: 4 MiB, far past a pipe's buffer.
    std::fs::write(&input, vec![1u8; 4 << 20]).unwrap();
    let out = Command::new("bash")
        .args([
            "-c",
            &format!(
                "set -o pipefail; {GRAFOS} run {} scan --input {} --output - | head -c 1 >/dev/null",
                module.display(),
                input.display()
            ),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
}

/// A long launch shows its fuel against the budget on a terminal and erases
/// the line when it ends; piped, standard error stays empty.
#[test]
fn long_runs_show_progress_on_a_terminal_only() {
    let module = built("../examples/Cargo.toml");
    let dir = std::env::temp_dir().join(format!("grafos-cli-progress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("text.txt");
    let wordcount = grafos_examples::catalog::find("wordcount").unwrap();
    // About a second of interpretation (0.6 s for 8 MiB on the reference
    // machine): past the 0.3 s before progress shows, on a faster one too.
    std::fs::write(&input, (wordcount.input)(16 << 20, 1)).unwrap();
    let args = format!(
        "run {} wordcount --input {} --output {} --fuel 100000000000",
        module.display(),
        input.display(),
        dir.join("out.bin").display()
    );
    let (code, shown) = on_a_terminal(&args);
    let shown = String::from_utf8_lossy(&shown);
    assert_eq!(code, Some(0), "{shown}");
    assert!(
        shown.contains("grafos: running `wordcount`: ")
            && shown.contains(" of 100,000,000,000 fuel ("),
        "{shown}"
    );
    assert!(
        shown.ends_with("\r\x1b[2K"),
        "the line is erased: {shown:?}"
    );
    let piped = Command::new(GRAFOS).args(args.split(' ')).output().unwrap();
    assert!(piped.status.success());
    assert!(
        piped.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
}
