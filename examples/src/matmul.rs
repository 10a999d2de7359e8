//! # Dense matrix multiply — floats in a fixed evaluation order
//!
//! The input bytes define two `n × n` matrices of `f32`, with `n` the
//! largest size for which `2n²` bytes fit: `A` from the first `n²` bytes,
//! `B` from the next `n²`, each byte `b` standing for `(b − 128) / 16`
//! (finite values only, so no NaN payload can differ between targets).
//! Output: `C = A·B`, row-major, as little-endian `f32`s.
//!
//! Floating-point addition is not associative, so the result depends on the
//! order of the additions. Each data lane computes whole rows of `C`
//! (its [`partition`](grafos::cpu::Lane::partition) of the row indices),
//! each element as `Σ_k A[i][k]·B[k][j]` in increasing `k` — one order on
//! every target, whatever the lane count. The coordinator stages `A` and
//! `Bᵀ` in the shared region before the region and concatenates the rows in
//! lane order after it. (Rust never contracts `a * b + c` into a fused
//! multiply-add on its own, and wasm `f32` arithmetic is IEEE 754, so the
//! products and sums round the same on both targets.)

use grafos::prelude::*;

/// The operands, staged by the coordinator.
#[derive(Default, Debug)]
pub struct Shared {
    n: usize,
    a: Vec<f32>,
    /// `B` transposed, so a dot product walks two rows.
    b_t: Vec<f32>,
}

/// A lane's rows of `C`.
#[derive(Default, Debug)]
pub struct Rows {
    c: Vec<f32>,
}

/// The matrix size the input defines.
pub fn size(input: &[u8]) -> usize {
    let mut n = ((input.len() / 2) as f64).sqrt() as usize;
    while 2 * (n + 1) * (n + 1) <= input.len() {
        n += 1;
    }
    while n > 0 && 2 * n * n > input.len() {
        n -= 1;
    }
    n
}

fn value(b: u8) -> f32 {
    (f32::from(b) - 127.5) / 13.7
}

fn operands(input: &[u8]) -> (usize, Vec<f32>, Vec<f32>) {
    let n = size(input);
    let a = input[..n * n].iter().map(|&b| value(b)).collect();
    let mut b_t = vec![0.0; n * n];
    for (idx, &b) in input[n * n..2 * n * n].iter().enumerate() {
        let (k, j) = (idx / n, idx % n);
        b_t[j * n + k] = value(b);
    }
    (n, a, b_t)
}

fn dot(row: &[f32], col: &[f32]) -> f32 {
    let mut acc = 0.0f32;
    for (x, y) in row.iter().zip(col) {
        acc += x * y;
    }
    acc
}

#[grafos::tasklet(name = "matmul", workers = 4, shared = Shared, scratch = Rows)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let (n, a, b_t) = operands(coord.input());
        *coord.shared_mut() = Shared { n, a, b_t };
        coord.parallel_for_workers(rows)?;
        let mut out = Vec::with_capacity(4 * n * n);
        for lane in 0..coord.data_worker_count() {
            out.extend(
                coord
                    .data_scratch(lane)
                    .c
                    .iter()
                    .flat_map(|v| v.to_le_bytes()),
            );
        }
        Ok(out)
    }

    #[worker]
    fn rows(shared: &Shared, rows: &mut Rows, lane: Lane) {
        let n = shared.n;
        rows.c.clear();
        for i in lane.partition(n) {
            let row = &shared.a[i * n..(i + 1) * n];
            for j in 0..n {
                rows.c.push(dot(row, &shared.b_t[j * n..(j + 1) * n]));
            }
        }
    }
}

/// The sequential reference.
pub fn reference(input: &[u8]) -> Vec<u8> {
    let (n, a, b_t) = operands(input);
    let mut out = Vec::with_capacity(4 * n * n);
    for i in 0..n {
        for j in 0..n {
            out.extend(dot(&a[i * n..(i + 1) * n], &b_t[j * n..(j + 1) * n]).to_le_bytes());
        }
    }
    out
}
