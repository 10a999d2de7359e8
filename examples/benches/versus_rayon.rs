//! life, merge sort and an n-body step as tasklets against the rayon
//! programs they were ported from, in one run, on the same inputs: the
//! host mock with 2 data lanes (3 lanes) against rayon on a 2-thread pool,
//! and the same tasklets in the runtime beside them.
//!
//! `cargo bench -p grafos-examples --bench versus_rayon`
//!
//! Both sides run end to end: from the input bytes to the output bytes,
//! with the same kernel functions (`life::next_state`, `sort::merge`,
//! `nbody::advance`); only the parallel structure differs.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use grafos::fidelity::{self, BuildOptions, TaskletModule};
use grafos_examples::inputs::{self, read_u32s, u32s};
use grafos_examples::{life, nbody, sort};
use grafos_runtime::RunOptions;
use rayon::prelude::*;

/// The rayon versions: what a rayon user writes for each.
mod with_rayon {
    use super::*;

    pub(crate) fn life(input: &[u8]) -> Vec<u8> {
        let mut now = life::board(input);
        let mut next = now.clone();
        for _ in 0..life::GENERATIONS {
            next.par_iter_mut()
                .enumerate()
                .for_each(|(i, cell)| *cell = life::next_state(&now, i));
            std::mem::swap(&mut now, &mut next);
        }
        now
    }

    pub(crate) fn sort(input: &[u8]) -> Vec<u8> {
        fn merge_sort(v: &mut [u32], buf: &mut [u32]) {
            if v.len() <= sort::LEAF {
                v.sort_unstable();
                return;
            }
            let mid = v.len() / 2;
            let (a, b) = v.split_at_mut(mid);
            let (buf_a, buf_b) = buf.split_at_mut(mid);
            rayon::join(|| merge_sort(a, buf_a), || merge_sort(b, buf_b));
            sort::merge(a, b, buf);
            v.copy_from_slice(buf);
        }
        let mut values = read_u32s(input);
        let mut buf = vec![0; values.len()];
        merge_sort(&mut values, &mut buf);
        u32s(&values)
    }

    pub(crate) fn nbody(input: &[u8]) -> Vec<u8> {
        let mut now = nbody::bodies(input);
        let mut next = now.clone();
        for _ in 0..nbody::STEPS {
            next.par_iter_mut()
                .enumerate()
                .for_each(|(i, body)| *body = nbody::advance(&now, i));
            std::mem::swap(&mut now, &mut next);
        }
        nbody::output(&now)
    }
}

type Host = fn(&[u8]) -> Vec<u8>;

macro_rules! host_mock {
    ($example:ident) => {
        |input: &[u8]| {
            use grafos_examples::$example::tasklet;
            let builder = tasklet::builder().workers(3).cores(3).input(input);
            tasklet::run_host_with(builder).unwrap().output().to_vec()
        }
    };
}

fn examples_wasm() -> TaskletModule {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let options = BuildOptions {
        manifest_path: Some(manifest.into()),
        ..BuildOptions::default()
    };
    fidelity::build_and_load(&options).unwrap_or_else(|e| panic!("{e}"))
}

fn versus_rayon(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let module = examples_wasm();
    let cases: [(&str, Vec<u8>, Host, Host); 3] = [
        (
            "life",
            inputs::bytes(256 * 256, 1),
            with_rayon::life,
            host_mock!(life),
        ),
        (
            "sort",
            inputs::bytes(4 << 20, 2),
            with_rayon::sort,
            host_mock!(sort),
        ),
        (
            "nbody",
            inputs::bytes(4 * 1024, 3),
            with_rayon::nbody,
            host_mock!(nbody),
        ),
    ];
    for (name, input, rayon_version, host_version) in cases {
        let expected = pool.install(|| rayon_version(&input));
        assert_eq!(host_version(&input), expected, "{name}: host mock vs rayon");
        let mut group = c.benchmark_group(format!("versus_rayon/{name}"));
        group.sample_size(20);
        group.bench_function("rayon_2_threads", |b| {
            b.iter(|| pool.install(|| black_box(rayon_version(black_box(&input)))))
        });
        group.bench_function("host_mock_2_data_lanes", |b| {
            b.iter(|| black_box(host_version(black_box(&input))))
        });
        let options = || RunOptions {
            workers: Some(3),
            ..RunOptions::default()
        };
        let wasm = module.run(name, &input, options()).unwrap();
        assert_eq!(wasm.output(), expected, "{name}: runtime vs rayon");
        group.sample_size(10);
        group.bench_with_input(
            BenchmarkId::new("runtime", "3_lanes"),
            &input,
            |b, input| b.iter(|| black_box(module.run(name, input, options()).unwrap())),
        );
        group.finish();
    }
}

criterion_group!(benches, versus_rayon);
criterion_main!(benches);
