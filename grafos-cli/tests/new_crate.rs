//! The README's "Start here": `grafos new`, `cargo test` in the new crate,
//! `grafos build` and `grafos run`, as a new user types them. The commands
//! are read from the project README and run by a shell, so the README
//! cannot drift from what works; only `cargo install` is left out (the
//! test puts this build's `grafos` on `PATH` instead).
//!
//! The new crate builds in `<target>/tmp/grafos-new-target`, kept between
//! runs, so only the first run builds its dependencies.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GRAFOS: &str = env!("CARGO_BIN_EXE_grafos");

/// The first ```sh block after the heading that starts with `heading`.
fn sh_block(markdown: &str, heading: &str) -> String {
    let section = markdown
        .split("\n## ")
        .find(|s| s.starts_with(heading))
        .unwrap_or_else(|| panic!("no section `## {heading}` in the README"));
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_else(|| panic!("no ```sh block in `## {heading}`"));
    block.to_owned()
}

/// Runs `script` with `sh -e` in `dir`, this build's `grafos` first on
/// `PATH`, and the variables cargo set for this test removed (the inner
/// cargo must see a user's environment, not a test's: `CARGO_TARGET_TMPDIR`
/// would tell the macro it expands in an integration test).
fn shell(script: &str, dir: &Path, target: &Path) -> Output {
    let bin = Path::new(GRAFOS).parent().unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let mut command = Command::new("sh");
    command.arg("-ec").arg(script).current_dir(dir);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let keep = matches!(&*key, "CARGO_HOME" | "CARGO_TERM_COLOR")
            || key.starts_with("CARGO_REGISTRIES")
            || key.starts_with("CARGO_NET");
        if (key.starts_with("CARGO") || key.starts_with("__CARGO") || key == "RUSTFLAGS") && !keep {
            command.env_remove(&*key);
        }
    }
    command
        .env("PATH", std::env::join_paths(paths).unwrap())
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("sh runs")
}

#[test]
fn the_readme_takes_a_new_user_from_nothing_to_a_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let block = sh_block(&readme, "Start here");
    let commands: Vec<&str> = block
        .lines()
        .map(|l| l.split("  #").next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert!(commands.len() <= 5, "{commands:?}");
    assert!(commands[0].starts_with("cargo install --path grafos-cli"));
    let script = commands[1..].join("\n");

    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let work = tmp.join(format!("grafos-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let target = tmp.join("grafos-new-target");
    // The workspace's lock file, so the new crate resolves to the versions
    // this workspace is tested with, without asking the registry. `grafos
    // new` runs first; the lock is copied before `cargo test`.
    let lock = root.join("Cargo.lock").canonicalize().unwrap();
    let script = script.replacen(
        "\ncargo test",
        &format!("\ncp '{}' Cargo.lock\ncargo test", lock.display()),
        1,
    );
    let out = shell(&script, &work, &target);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the README's commands failed:\n{script}\n--- stderr ---\n{stderr}"
    );
    // `cargo test` ran the generated test and the cross-target test.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("matches_the_sequential_reference ... ok"),
        "{stdout}"
    );
    assert!(
        stdout.contains("grafos_tasklet_matches_wasm ... ok"),
        "{stdout}"
    );
    // `grafos run` wrote the sum of Cargo.toml's bytes.
    let krate = work.join("my-tasklet");
    let input = std::fs::read(krate.join("Cargo.toml")).unwrap();
    let sum: u64 = input.iter().map(|&b| u64::from(b)).sum();
    let output = std::fs::read(krate.join("out.bin")).unwrap();
    assert_eq!(output, sum.to_le_bytes());

    // The new crate's own README: its three commands work there too.
    let own = std::fs::read_to_string(krate.join("README.md")).unwrap();
    let own_block = sh_block(&own, "Run it");
    let own_commands: Vec<&str> = own_block.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(own_commands.len(), 3, "{own_block}");
    let out = shell(&own_block, &krate, &target);
    assert!(
        out.status.success(),
        "the new crate's README failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // GRAFOS_TRACE traces the host-mock launches of a test run, in files
    // `grafos timeline` draws.
    let traces = krate.join("traces");
    let out = shell(
        &format!("GRAFOS_TRACE='{}' cargo test", traces.display()),
        &krate,
        &target,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<PathBuf> = std::fs::read_dir(&traces)
        .expect("GRAFOS_TRACE wrote its directory")
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!files.is_empty());
    assert!(
        files.iter().all(|f| f
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("my_tasklet-host-")),
        "{files:?}"
    );
    let out = Command::new(GRAFOS)
        .arg("timeline")
        .arg(&files[0])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn new_refuses_bad_names_and_existing_directories() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("grafos-new-errors-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let run = |args: &[&str]| {
        Command::new(GRAFOS)
            .args(args)
            .current_dir(&tmp)
            .output()
            .unwrap()
    };
    let one_line = |out: &Output, code: i32, needle: &str| {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "`{needle}` in {err}");
    };
    one_line(
        &run(&["new", "9lives"]),
        2,
        "must start with an ASCII letter",
    );
    one_line(&run(&["new", "a.b"]), 2, "not `.`");
    one_line(&run(&["new", "fn"]), 2, "Rust keyword");
    std::fs::create_dir_all(tmp.join("taken")).unwrap();
    one_line(&run(&["new", "taken"]), 3, "already exists");
    one_line(
        &run(&["new", "x", "--grafos-path", "/nonexistent"]),
        2,
        "no Cargo.toml there",
    );
    one_line(
        &run(&["new", "x", "--path", "/dev/null/x"]),
        3,
        "cannot create /dev/null/x",
    );
    let out = run(&["new", "fresh"]);
    assert!(out.status.success());
    assert!(tmp.join("fresh/src/lib.rs").is_file());
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn cargo_grafos_new_is_grafos_new() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cargo-grafos-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    // Through cargo itself, which finds `cargo-grafos` on PATH.
    let bin = Path::new(env!("CARGO_BIN_EXE_cargo-grafos"))
        .parent()
        .unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["grafos", "new", "via-cargo"])
        .current_dir(&tmp)
        .env("PATH", std::env::join_paths(paths).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tmp.join("via-cargo/src/lib.rs").is_file());
    // Its errors are grafos's, with grafos's exit codes.
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-grafos"))
        .args(["grafos", "new", "via-cargo"])
        .current_dir(&tmp)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    // Alone, without `grafos` beside it: one line, exit code 3.
    let alone = tmp.join("alone");
    std::fs::create_dir_all(&alone).unwrap();
    let copy = alone.join("cargo-grafos");
    std::fs::copy(env!("CARGO_BIN_EXE_cargo-grafos"), &copy).unwrap();
    let out = Command::new(&copy)
        .args(["grafos", "new", "x"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no `grafos` program beside this one"), "{err}");
    let _ = std::fs::remove_dir_all(&tmp);
}
