//! `cargo grafos ..`: cargo runs `cargo-grafos grafos ..` for it; this
//! runs the `grafos` program installed beside it with the same arguments
//! (`cargo grafos new NAME` is `grafos new NAME`). A tiny program of its
//! own, so the command line is compiled once.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1).peekable();
    // Cargo passes the subcommand's name first; run directly, it is absent.
    if args.peek().is_some_and(|a| a == "grafos") {
        args.next();
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            Some(
                exe.parent()?
                    .join(format!("grafos{}", std::env::consts::EXE_SUFFIX)),
            )
        })
        .filter(|path| path.is_file());
    let Some(grafos) = beside else {
        eprintln!(
            "cargo-grafos: no `grafos` program beside this one; install both with `cargo install --path grafos-cli`"
        );
        return ExitCode::from(3);
    };
    match Command::new(&grafos).args(args).status() {
        Ok(status) => match status.code() {
            Some(code) => ExitCode::from(code.clamp(0, 255) as u8),
            // Killed by a signal: the internal-error code.
            None => ExitCode::from(70),
        },
        Err(e) => {
            eprintln!("cargo-grafos: cannot run {}: {e}", grafos.display());
            ExitCode::from(3)
        }
    }
}
