//! `grafos`: build, inspect and run grafos tasklets compiled to wasm32.
//!
//! ```text
//! grafos build [--manifest-path Cargo.toml] [-p PACKAGE]
//! grafos inspect MODULE.wasm [--json]
//! grafos new NAME [--path DIR]
//! grafos run MODULE.wasm [TASKLET] [--input FILE|-] [--fuel N] [--timeout DUR]
//!            [--output FILE] [--json] [--verbose] [--trace FILE] [--profile]
//! grafos timeline TRACE.json [-o lanes.svg]
//! grafos demo [--only NAME] [--workers N] [--json] [--svg DIR]
//! ```
//!
//! Exit codes: 0 success, 2 usage, 3 input/output, 4 module load or ABI
//! violation, 5 tasklet failure, 6 build failure, 70 internal error.

mod commands;

fn main() -> std::process::ExitCode {
    commands::main()
}
