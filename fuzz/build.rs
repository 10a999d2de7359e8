//! Collects the seed sources of `macro_expand`: every ui-test case (pass
//! and fail), the bench fixture and the examples, so a new case becomes a
//! seed without touching the target.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in [
        "ui-tests/tests/ui",
        "grafos-macros-support/benches/fixtures",
        "examples/src",
    ] {
        let dir = root.join(dir);
        println!("cargo::rerun-if-changed={}", dir.display());
        collect(&dir, &mut files);
    }
    files.sort();
    let mut code = String::from(
        "/// Sources with `#[grafos::tasklet]` modules.\npub static SOURCES: &[&str] = &[\n",
    );
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if text.contains("tasklet") {
            let path = file.canonicalize().unwrap_or(file);
            writeln!(code, "    include_str!({:?}),", path.display().to_string()).unwrap();
        }
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("seed_sources.rs");
    std::fs::write(out, code).unwrap();
}
