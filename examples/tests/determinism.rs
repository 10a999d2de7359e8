//! Breaking determinism fails loudly. Two broken variants of the examples'
//! patterns, written as a user might, and the check that catches each:
//!
//! - word frequencies emitted in `HashMap` order: the cross-target test
//!   that `#[grafos::tasklet]` generates for every tasklet fails, naming
//!   the first differing byte, even on the host mock alone (`RandomState`
//!   orders every map differently);
//! - a matrix product that splits the dot products across lanes and adds the
//!   partial sums in whatever order lanes finish: it no longer equals the
//!   sequential reference, and its output depends on the lane count.
//!
//! Both use the builder API so the broken tasklet is not itself a
//! `#[grafos::tasklet]` whose generated test would fail the suite.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use grafos::TaskletInfo;
use grafos::cpu::{CpuBuilder, SharedTaskletBuilder, SharedTaskletResult, TaskletError};
use grafos_examples::{catalog, inputs};

fn lease_tasklet<S: Default + Sync, W: Default + Send>(
    workers: usize,
    input: &[u8],
) -> SharedTaskletBuilder<'_, S, W> {
    CpuBuilder::new()
        .cores(4)
        .acquire()
        .unwrap()
        .cpu()
        .shared_memory_tasklet::<S, W>()
        .workers(workers)
        .input(input)
}

type Frequencies = Mutex<HashMap<u8, u32>>;

fn word_frequencies_builder() -> SharedTaskletBuilder<'static, Frequencies, ()> {
    lease_tasklet(4, &[])
}

/// Word frequencies, each lane counting its block, merged in a `HashMap` and
/// written in the map's iteration order — which `RandomState` changes from
/// one map to the next.
fn word_frequencies_in_hash_order(
    builder: SharedTaskletBuilder<'_, Frequencies, ()>,
) -> Result<SharedTaskletResult, TaskletError> {
    builder.launch(|coord| {
        coord.parallel_for_workers(|w| {
            let mut local = HashMap::new();
            for &b in &w.input()[w.partition(w.input().len())] {
                *local.entry(b % 32).or_insert(0u32) += 1;
            }
            let mut shared = w.shared().lock().unwrap();
            for (k, n) in local {
                *shared.entry(k).or_insert(0) += n;
            }
        })?;
        let out: Vec<u8> = coord
            .shared()
            .lock()
            .unwrap()
            .iter()
            .flat_map(|(k, n)| [*k, *n as u8])
            .collect();
        coord.set_output(&out);
        Ok(())
    })
}

#[test]
fn hash_map_order_is_caught_by_the_generated_test() {
    static INFO: TaskletInfo =
        TaskletInfo::new("word_frequencies_in_hash_order", 4, 0, 0, 1_000_000, &[]);
    let check = panic::catch_unwind(AssertUnwindSafe(|| {
        grafos::__private::cross_target_test(grafos::__private::Suite {
            info: &INFO,
            manifest_dir: env!("CARGO_MANIFEST_DIR"),
            release: !cfg!(debug_assertions),
            builder: word_frequencies_builder,
            run: word_frequencies_in_hash_order,
            inputs: None,
            // Not a `#[grafos::tasklet]` of the library: the host mock alone.
            cross_target: false,
            not_in_library: None,
        })
    }));
    let message = match check {
        Ok(()) => panic!("the determinism check passed a tasklet that writes HashMap order"),
        Err(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| "<not a string>".into()),
    };
    assert!(
        message.contains("does not give the same result everywhere"),
        "{message}"
    );
    assert!(message.contains("first difference at byte"), "{message}");
}

/// `C = A·B` as in the `matmul` example, but each lane takes a block of
/// the inner index `k` for every element and adds its partial sums into
/// shared `f32` cells in the order lanes get there.
fn matmul_split_k_unordered(
    workers: usize,
    input: &[u8],
) -> Result<SharedTaskletResult, TaskletError> {
    let n = grafos_examples::matmul::size(input);
    let value = |b: u8| (f32::from(b) - 127.5) / 13.7;
    lease_tasklet::<Vec<AtomicU32>, ()>(workers, input).launch(|coord| {
        *coord.shared_mut() = (0..n * n).map(|_| AtomicU32::new(0f32.to_bits())).collect();
        coord.parallel_for_workers(|w| {
            let input = w.input();
            let ks = w.partition(n);
            for i in 0..n {
                for j in 0..n {
                    let mut partial = 0f32;
                    for k in ks.clone() {
                        partial += value(input[i * n + k]) * value(input[n * n + k * n + j]);
                    }
                    // Unordered: whichever lane comes first adds first.
                    let cell = &w.shared()[i * n + j];
                    let _ = cell.fetch_update(Relaxed, Relaxed, |bits| {
                        Some((f32::from_bits(bits) + partial).to_bits())
                    });
                }
            }
        })?;
        let out: Vec<u8> = coord
            .shared()
            .iter()
            .flat_map(|c| c.load(Relaxed).to_le_bytes())
            .collect();
        coord.set_output(&out);
        Ok(())
    })
}

#[test]
fn an_unordered_float_reduction_shows_up_as_a_difference() {
    let matmul = catalog::find("matmul").unwrap();
    let input = (matmul.input)(24, 7);
    let reference = (matmul.reference)(&input);
    // The example itself, on any lane count: the reference, exactly.
    for workers in [2, 4, 9] {
        assert_eq!(
            (matmul.run_host)(workers, &input).unwrap().output(),
            reference
        );
    }
    // The broken variant, on 2, 4 and 8 data lanes (on one it is the
    // sequential loop again): not the reference, and not even itself across
    // lane counts, since another split rounds differently.
    let split: Vec<Vec<u8>> = [3, 5, 9]
        .into_iter()
        .map(|workers| {
            matmul_split_k_unordered(workers, &input)
                .unwrap()
                .into_output()
        })
        .collect();
    for output in &split {
        assert_eq!(output.len(), reference.len());
        assert!(
            output != &reference,
            "the split-k product equals the reference"
        );
    }
    assert!(
        split[0] != split[1] || split[1] != split[2],
        "the split rounds the same on every lane count"
    );
}

#[test]
fn the_broken_variant_decodes_the_matrices_as_the_example_does() {
    // Guard for the test above: the broken variant decodes the matrices the
    // same way the example does (else its difference would prove nothing).
    let input = inputs::bytes(2 * 5 * 5, 3);
    let split = matmul_split_k_unordered(5, &input).unwrap().into_output();
    let reference = grafos_examples::matmul::reference(&input);
    let close = split
        .chunks_exact(4)
        .zip(reference.chunks_exact(4))
        .all(|(a, b)| {
            let (a, b) = (
                f32::from_le_bytes(a.try_into().unwrap()),
                f32::from_le_bytes(b.try_into().unwrap()),
            );
            (a - b).abs() <= 1e-3 * b.abs().max(1.0)
        });
    assert!(
        close,
        "the split-k product is not even close to the reference: a decoding bug"
    );
}
