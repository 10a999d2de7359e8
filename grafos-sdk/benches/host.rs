//! The host mock's two hot paths against the obvious alternatives, in one run:
//!
//! - `region_start/*`: one empty region on 2 data lanes — grafos reuses the
//!   lanes' threads; `thread_scope` spawns 2 threads per region (the seed's
//!   design); `rayon_broadcast` runs on a 2-thread rayon pool.
//! - `barrier_round/*`: one barrier round of 2 data lanes — grafos's
//!   cancellable spin-then-park barrier against `std::sync::Barrier`, and
//!   grafos with a trace recorded (`grafos_traced`: what tracing costs);
//!   and the same two on one data lane (`grafos_1_lane*`), which never
//!   waits: the cost of the barrier's bookkeeping and of tracing alone.
//!
//! `cargo bench -p grafos-sdk --bench host`; the figures are in
//! `docs/PERFORMANCE.md`.

use std::hint::black_box;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use grafos::cpu::{CpuBuilder, SharedTaskletBuilder, TaskletError};
use grafos::trace::TraceSink;

/// Data lanes of every case.
const LANES: usize = 2;

fn tasklet(cores: usize) -> SharedTaskletBuilder<'static, (), ()> {
    CpuBuilder::new()
        .cores(cores)
        .acquire()
        .unwrap()
        .cpu()
        .shared_memory_tasklet()
        .workers(LANES + 1)
        .cores(cores)
}

fn region_start(c: &mut Criterion) {
    let mut group = c.benchmark_group("region_start");
    group.bench_function("grafos", |b| {
        tasklet(LANES + 1)
            .launch(|coord| {
                b.iter(|| {
                    coord.parallel_for_workers(|w| {
                        black_box(w.data_worker_index());
                    })
                });
                Ok(())
            })
            .unwrap();
    });
    group.bench_function("thread_scope", |b| {
        b.iter(|| {
            thread::scope(|s| {
                for lane in 0..LANES {
                    s.spawn(move || black_box(lane));
                }
            })
        });
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(LANES)
        .build()
        .unwrap();
    group.bench_function("rayon_broadcast", |b| {
        b.iter(|| pool.broadcast(|ctx| black_box(ctx.index())));
    });
    group.finish();
}

/// Most barrier rounds in one launch: a traced launch keeps every span.
const ROUNDS_PER_LAUNCH: u64 = 100_000;

/// `rounds` barrier rounds, in launches of at most [`ROUNDS_PER_LAUNCH`],
/// traced into `sink` if given; the time of the regions alone.
fn time_rounds(lanes: usize, rounds: u64, sink: Option<&TraceSink>) -> Duration {
    let mut elapsed = Duration::ZERO;
    let mut left = rounds;
    while left > 0 {
        let n = left.min(ROUNDS_PER_LAUNCH);
        left -= n;
        let mut builder = tasklet(LANES + 1).workers(lanes + 1);
        if let Some(sink) = sink {
            builder = builder.trace(sink.clone());
        }
        builder
            .launch(|coord| {
                let start = Instant::now();
                coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                    for _ in 0..n {
                        w.barrier()?;
                    }
                    Ok(())
                })?;
                elapsed += start.elapsed();
                Ok(())
            })
            .unwrap();
        if let Some(sink) = sink {
            drop(sink.take());
        }
    }
    elapsed
}

fn barrier_round(c: &mut Criterion) {
    let mut group = c.benchmark_group("barrier_round");
    group.bench_function("grafos", |b| {
        b.iter_custom(|rounds| time_rounds(LANES, rounds, None))
    });
    let sink = TraceSink::new();
    group.bench_function("grafos_traced", |b| {
        b.iter_custom(|rounds| time_rounds(LANES, rounds, Some(&sink)))
    });
    // One data lane, which runs on the caller's thread and never waits: the
    // barrier's own bookkeeping, and what tracing adds to it, without the
    // hand-off between threads that a busy machine's scheduler dominates.
    group.bench_function("grafos_1_lane", |b| {
        b.iter_custom(|rounds| time_rounds(1, rounds, None))
    });
    group.bench_function("grafos_1_lane_traced", |b| {
        b.iter_custom(|rounds| time_rounds(1, rounds, Some(&sink)))
    });
    group.bench_function("std_barrier", |b| {
        b.iter_custom(|rounds| {
            let barrier = Barrier::new(LANES);
            let start = Instant::now();
            thread::scope(|s| {
                for _ in 0..LANES {
                    s.spawn(|| {
                        for _ in 0..rounds {
                            barrier.wait();
                        }
                    });
                }
            });
            start.elapsed()
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = region_start, barrier_round
}
criterion_main!(benches);
