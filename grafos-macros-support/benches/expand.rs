//! How long `#[grafos::tasklet]` takes to expand a 200-line module
//! (`fixtures/tasklet.rs`): rust-analyzer expands it again on every
//! keystroke, so this is the editor's latency budget. Target: at most 1 ms.
//! Beside it, syn's parse of the same module alone: the floor, since the
//! portability lint walks the parsed module.
//!
//! `cargo bench -p grafos-macros-support --bench expand`; the figure is in
//! `docs/PERFORMANCE.md`.

use std::hint::black_box;
use std::str::FromStr;

use criterion::{Criterion, criterion_group, criterion_main};
use proc_macro2::TokenStream;

/// The fixture's attribute arguments and module, as the compiler passes them.
fn fixture() -> (TokenStream, TokenStream) {
    let source = include_str!("fixtures/tasklet.rs");
    let start = source
        .find("#[grafos::tasklet(")
        .expect("the fixture has the attribute");
    let rest = &source[start + "#[grafos::tasklet(".len()..];
    let end = rest.find(")]\n").expect("the attribute ends its line");
    let attr = TokenStream::from_str(&rest[..end]).expect("arguments lex");
    let item = TokenStream::from_str(&rest[end + 3..]).expect("module lexes");
    (attr, item)
}

fn expand(c: &mut Criterion) {
    let (attr, item) = fixture();
    let expanded = grafos_macros_support::tasklet(attr.clone(), item.clone()).to_string();
    assert!(
        expanded.contains("grafos_v0_tasklet_word_stats") && !expanded.contains("compile_error"),
        "the fixture must expand cleanly:\n{expanded}"
    );
    let mut group = c.benchmark_group("tasklet");
    group.bench_function("expand 200-line module", |b| {
        b.iter(|| grafos_macros_support::tasklet(black_box(attr.clone()), black_box(item.clone())))
    });
    // The floor: syn's parse of the same module, which the lint needs.
    group.bench_function("syn parse alone", |b| {
        b.iter(|| syn::parse2::<syn::Item>(black_box(item.clone())))
    });
    group.finish();
}

criterion_group!(benches, expand);
criterion_main!(benches);
