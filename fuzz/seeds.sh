#!/usr/bin/env bash
# Seeds the corpora of the fuzz targets that start from real modules:
# `load_module` gets the built examples and the small test guest (real
# Rust tasklets, as `grafos build` makes them). The other targets generate
# their inputs and need no seeds. Run from anywhere; builds with the
# workspace's pinned toolchain.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
corpus="$root/fuzz/corpus/load_module"
mkdir -p "$corpus"
for manifest in examples/Cargo.toml grafos-runtime/tests/guest-small/Cargo.toml; do
    module=$(cargo run -q -p grafos-cli -- build --manifest-path "$manifest" | tail -n 1)
    cp "$module" "$corpus/"
done
ls -l "$corpus"
