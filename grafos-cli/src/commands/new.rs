//! `grafos new NAME`: a tasklet crate that builds, tests and runs as is.
//!
//! The crate has the dependency line (`grafos = { package = "grafos-sdk",
//! path = .. }`, what `cargo add grafos-sdk --rename grafos --path ..`
//! writes), the profile settings that keep the runtime side of `cargo test`
//! fast, one example tasklet with its sequential reference and a test, and
//! a README of three commands.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{CliError, ErrorClass, print_line};

#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The crate's name (a cargo package name: letters, digits, `-`, `_`);
    /// also its directory unless `--path` is given.
    name: String,
    /// Where to create the crate. Default: `./NAME`.
    #[arg(long, value_name = "DIR")]
    path: Option<PathBuf>,
    /// The grafos-sdk crate to depend on (its directory). Default: the
    /// checkout this program was built from, if it is still there, else
    /// the published `grafos-sdk` of this version.
    #[arg(long, value_name = "DIR")]
    grafos_path: Option<PathBuf>,
}

/// The SDK next to the sources this program was built from.
fn default_sdk() -> Option<PathBuf> {
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).join("../grafos-sdk");
    let sdk = sdk.canonicalize().ok()?;
    sdk.join("Cargo.toml").is_file().then_some(sdk)
}

/// Rust keywords a package name may not be (the crate name would not parse).
const KEYWORDS: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "try",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "test",
    "core",
    "std",
    "alloc",
    "proc_macro",
    "grafos",
];

/// Checks `name` as a package name; the tasklet's name (`-` as `_`).
fn tasklet_name(name: &str) -> Result<String, CliError> {
    let usage = |why: String| CliError::new(ErrorClass::Usage, why);
    let first = name
        .chars()
        .next()
        .ok_or_else(|| usage("the crate's name is empty".into()))?;
    if !first.is_ascii_alphabetic() {
        return Err(usage(format!(
            "`{name}` cannot name a crate: it must start with an ASCII letter"
        )));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(usage(format!(
            "`{name}` cannot name a crate: use ASCII letters, digits, `-` and `_`, not `{bad}`"
        )));
    }
    let snake = name.replace('-', "_");
    if KEYWORDS.contains(&snake.as_str()) || snake.starts_with("grafos_v0") {
        return Err(usage(format!(
            "`{name}` cannot name a crate: it is a Rust keyword or a name grafos uses"
        )));
    }
    Ok(snake)
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The files of the new crate, as (path relative to the crate, contents).
fn files(name: &str, tasklet: &str, sdk: Option<&Path>) -> Vec<(&'static str, String)> {
    let dependency = match sdk {
        Some(sdk) => format!(
            "grafos = {{ package = \"grafos-sdk\", path = {} }}",
            toml_string(&sdk.display().to_string())
        ),
        None => format!(
            "grafos = {{ package = \"grafos-sdk\", version = \"{}\" }}",
            env!("CARGO_PKG_VERSION")
        ),
    };
    let cargo_toml = format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"

[dependencies]
# The SDK's package is `grafos-sdk`, its library `grafos`; this is the line
# `cargo add grafos-sdk --rename grafos --path <grafos checkout>/grafos-sdk`
# writes.
{dependency}

# A workspace of its own: the profile settings below apply only at a
# workspace's root. In a workspace of yours, delete this line and move the
# profile sections to the workspace's Cargo.toml.
[workspace]

# `cargo test` also runs each tasklet in the wasm runtime, on the wasmi
# interpreter. Unoptimised, it runs about a hundred times slower (and its
# dispatch may nest native frames): build it optimised even in dev and
# test builds.
[profile.dev.package.wasmi]
opt-level = 3
debug-assertions = false
overflow-checks = false
[profile.dev.package.wasmi_core]
opt-level = 3
debug-assertions = false
overflow-checks = false
[profile.dev.package.wasmi_ir]
opt-level = 3
debug-assertions = false
overflow-checks = false
[profile.dev.package.wasmi_collections]
opt-level = 3
[profile.dev.package.wasmparser]
opt-level = 3
"#
    );
    let lib = format!(
        r#"//! `{tasklet}`: the sum of the input's bytes, as a little-endian `u64`,
//! computed by every data lane on its block of the input.
//!
//! `cargo test` runs it on the host mock and in the wasm runtime and
//! compares the bytes; `grafos build` and `grafos run` deploy it.

use std::sync::atomic::{{AtomicU64, Ordering::Relaxed}};

use grafos::prelude::*;

/// What every lane shares: one total. Lanes add to it atomically; addition
/// commutes, so the order lanes add in cannot change the result.
#[derive(Debug, Default)]
pub struct Shared {{
    total: AtomicU64,
}}

#[grafos::tasklet(name = "{tasklet}", workers = 4, shared = Shared)]
pub mod tasklet {{
    use super::*;

    /// Lane 0: runs one region on every data lane, then returns the total.
    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {{
        coord.parallel_for_workers(add)?;
        Ok(coord.shared().total.load(Relaxed).to_le_bytes().to_vec())
    }}

    /// A data lane: adds up its block of the input.
    #[worker]
    fn add(shared: &Shared, input: &[u8], lane: Lane) {{
        let block = &input[lane.partition(input.len())];
        let sum: u64 = block.iter().map(|&b| u64::from(b)).sum();
        shared.total.fetch_add(sum, Relaxed);
    }}
}}

/// The sequential reference: the same output in plain Rust.
pub fn reference(input: &[u8]) -> Vec<u8> {{
    let sum: u64 = input.iter().map(|&b| u64::from(b)).sum();
    sum.to_le_bytes().to_vec()
}}

#[cfg(test)]
mod tests {{
    use super::*;

    #[test]
    fn matches_the_sequential_reference() {{
        let input: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let result = tasklet::run_host(&input).unwrap();
        assert_eq!(result.output(), reference(&input));
    }}
}}
"#
    );
    let readme = format!(
        r#"# {name}

## Run it

A grafos tasklet crate: `src/lib.rs` holds the tasklet `{tasklet}`, its
sequential reference and a test.

```sh
cargo test                                      # host mock and wasm runtime, byte for byte
grafos build                                    # the wasm32 module; prints its path
grafos run "$(grafos build)" --input Cargo.toml --output out.bin
```

`cargo test` runs the tasklet on the host mock (real threads) and, built
for wasm32, in the grafos runtime, and fails at the first byte that differs.
`grafos run` takes `--trace FILE` (a trace for Perfetto or `grafos
timeline`), `--profile` and `--json`; see `grafos run --help`.
"#
    );
    vec![
        ("Cargo.toml", cargo_toml),
        ("src/lib.rs", lib),
        ("README.md", readme),
        (".gitignore", "/target\n".into()),
    ]
}

pub(crate) fn run(args: NewArgs) -> Result<(), CliError> {
    let tasklet = tasklet_name(&args.name)?;
    let dir = args.path.unwrap_or_else(|| PathBuf::from(&args.name));
    if dir.exists() {
        return Err(CliError::new(
            ErrorClass::Io,
            format!(
                "{} already exists: choose another name, or --path DIR",
                dir.display()
            ),
        ));
    }
    let sdk = match args.grafos_path {
        Some(path) => {
            if !path.join("Cargo.toml").is_file() {
                return Err(CliError::new(
                    ErrorClass::Usage,
                    format!(
                        "--grafos-path {}: no Cargo.toml there (give the grafos-sdk directory)",
                        path.display()
                    ),
                ));
            }
            Some(
                path.canonicalize()
                    .map_err(|e| CliError::io("cannot resolve", &path, &e))?,
            )
        }
        None => default_sdk(),
    };
    for (file, contents) in files(&args.name, &tasklet, sdk.as_deref()) {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| CliError::io("cannot create", parent, &e))?;
        }
        std::fs::write(&path, contents).map_err(|e| CliError::io("cannot write", &path, &e))?;
    }
    eprintln!(
        "grafos: created {} with tasklet `{tasklet}`; next: cd {} && cargo test",
        dir.display(),
        dir.display()
    );
    print_line(dir.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_are_checked() {
        assert_eq!(tasklet_name("my-tasklet").unwrap(), "my_tasklet");
        for bad in ["", "1st", "a b", "é", "fn", "grafos", "core"] {
            let e = tasklet_name(bad).unwrap_err();
            assert_eq!(e.class, ErrorClass::Usage, "{bad}");
        }
    }

    #[test]
    fn the_dependency_line_is_toml() {
        let files = files("x", "x", Some(Path::new("/a \"b\"/grafos-sdk")));
        assert!(
            files[0]
                .1
                .contains(r#"grafos = { package = "grafos-sdk", path = "/a \"b\"/grafos-sdk" }"#),
            "{}",
            files[0].1
        );
        let published = files_without_sdk();
        assert!(published.contains("version = \""), "{published}");
    }

    fn files_without_sdk() -> String {
        files("x", "x", None).remove(0).1
    }
}
