//! The hand-written `dot` that `examples/src/dot.rs` replaced with an
//! `all_reduce`: per-lane partials in each lane's scratch, added in lane
//! order by the coordinator. Kept to show both give the same bytes, on
//! every test size and several lane counts (host mock: a tasklet of an
//! integration test is not built for wasm32; the new `dot` is compared with
//! the runtime by the fidelity suite).

use grafos::prelude::*;
use grafos_examples::catalog::{self, test_sizes};
use grafos_examples::dot;

/// A lane's partial results.
#[derive(Default, Debug)]
pub struct Partial {
    sum: i64,
    dot: i64,
}
fn element(input: &[u8], i: usize) -> i64 {
    let b = &input[4 * i..4 * i + 4];
    i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

#[grafos::tasklet(name = "dot_by_hand", workers = 4, scratch = Partial, cross_target = false)]
mod by_hand {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(partials)?;
        let (mut sum, mut dot) = (0i64, 0i64);
        for lane in 0..coord.data_worker_count() {
            let p = coord.data_scratch(lane);
            sum = sum.wrapping_add(p.sum);
            dot = dot.wrapping_add(p.dot);
        }
        Ok([sum.to_le_bytes(), dot.to_le_bytes()].concat())
    }

    #[worker]
    fn partials(partial: &mut Partial, input: &[u8], lane: Lane) {
        let elements = input.len() / 4;
        let half = elements / 2;
        let (mut sum, mut dot) = (0i64, 0i64);
        for i in lane.partition(elements) {
            sum = sum.wrapping_add(element(input, i));
        }
        for i in lane.partition(half) {
            dot = dot.wrapping_add(element(input, i).wrapping_mul(element(input, half + i)));
        }
        *partial = Partial { sum, dot };
    }
}

#[test]
fn the_all_reduce_dot_gives_the_hand_written_bytes() {
    let example = catalog::find("dot").unwrap();
    let mut sizes = test_sizes(example).to_vec();
    sizes.extend([3, 7, 31, 127]);
    for (seed, elements) in sizes.into_iter().enumerate() {
        let mut input = (example.input)(elements, 77 + seed as u64);
        input.extend(&b"xy"[..seed % 3]); // trailing bytes, ignored by both
        for workers in [2, 3, 4, 6, 10, 17] {
            let old = by_hand::run_host_with(by_hand::builder().workers(workers).input(&input));
            let new =
                dot::tasklet::run_host_with(dot::tasklet::builder().workers(workers).input(&input));
            let (old, new) = (old.unwrap(), new.unwrap());
            assert_eq!(
                old.output(),
                new.output(),
                "{elements} elements, {workers} lanes"
            );
            assert_eq!(new.output(), dot::reference(&input));
        }
    }
}
