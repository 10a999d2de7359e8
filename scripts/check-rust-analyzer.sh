#!/usr/bin/env bash
# Checks that rust-analyzer shows #[grafos::tasklet]'s portability errors
# where the user wrote the call: builds a small crate whose worker calls the
# target-specific `worker_index()`, runs `rust-analyzer diagnostics` on it,
# and expects the macro's error on that call's line (and no error elsewhere
# in the tasklet). Exit status 0 when it does.
#
# Needs the rust-analyzer of the pinned toolchain:
#   rustup component add rust-analyzer
# Takes 10 to 60 seconds on two cores (rust-analyzer builds the fixture's
# proc macros with `cargo check`, then analyses it), so it is not part of
# `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if ! command -v rust-analyzer >/dev/null || ! rust-analyzer --version >/dev/null 2>&1; then
    echo "rust-analyzer is missing: rustup component add rust-analyzer" >&2
    exit 2
fi

fixture="$root/target/ra-fixture"
rm -rf "$fixture"
mkdir -p "$fixture/src"
# The workspace's lockfile, so the fixture resolves the same versions offline.
cp "$root/Cargo.lock" "$fixture/Cargo.lock"
cat >"$fixture/Cargo.toml" <<TOML
[package]
name = "ra-fixture"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
grafos = { package = "grafos-sdk", path = "$root/grafos-sdk" }

# Not a member of the grafos workspace around it.
[workspace]
TOML
cat >"$fixture/src/lib.rs" <<'RUST'
use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
pub mod raw_lanes {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(count)?;
        Ok(())
    }

    #[worker]
    fn count(w: &mut Worker) {
        let first = w.worker_index() == 1; // the target-specific call
        let _ = first;
    }
}
RUST

line=$(grep -n 'the target-specific call' "$fixture/src/lib.rs" | cut -d: -f1)
start=$(date +%s)
# rust-analyzer exits non-zero when it finds an error, which is the point;
# its progress lines end in carriage returns.
out=$(rust-analyzer diagnostics "$fixture" 2>&1 | tr '\r' '\n' || true)
elapsed=$(($(date +%s) - start))

# Diagnostics of the fixture read like:
#   at crate ra_fixture, file .../src/lib.rs: Error Ra("macro-error", Error)
#   from LineCol { line: 14, col: 22 } to LineCol { .. }: `worker_index()` is ..
# with 0-based lines.
mine=$(printf '%s\n' "$out" | sed 's/at crate /\nat crate /g' | grep '^at crate ra_fixture, ' || true)
errors=$(printf '%s\n' "$mine" | grep -E ': Error ' || true)
at_call=$(printf '%s\n' "$errors" | grep "from LineCol { line: $((line - 1)), " | grep -c 'is target-specific' || true)
elsewhere=$(printf '%s\n' "$errors" | grep -vc "from LineCol { line: $((line - 1)), " || true)

printf '%s\n' "$mine" | sed 's/^/  /'
if [ "$at_call" -eq 1 ] && [ "$elsewhere" -eq 0 ]; then
    echo "ok: rust-analyzer reports the target-specific call at src/lib.rs:$line (${elapsed}s)"
else
    echo "FAILED: expected the macro's error at src/lib.rs:$line and no other (${elapsed}s)" >&2
    printf '%s\n' "$out" | tail -40 >&2
    exit 1
fi
