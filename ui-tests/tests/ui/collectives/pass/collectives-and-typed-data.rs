//! Every collective, `map_workers` with value-returning workers, a `&[T]`
//! input parameter and a typed output.

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u32>, TaskletError> {
        let sums = coord.map_workers(sum)?;
        let lens = coord.map_workers(block_len)?;
        let mut out = sums;
        out.extend(lens);
        Ok(out)
    }

    /// Returns `Result<T, TaskletError>`: the `?`s work.
    #[worker]
    fn sum(w: &Worker) -> Result<u32, TaskletError> {
        let block = &w.input_as::<u32>()[w.partition(w.input_as::<u32>().len())];
        let mine = block.iter().fold(0u32, |a, &v| a.wrapping_add(v));
        let total = w.all_reduce(mine, u32::wrapping_add)?;
        let before = w.exclusive_scan(mine, 0, u32::wrapping_add)?;
        let upto = w.inclusive_scan(mine, u32::wrapping_add)?;
        assert_eq!(upto, before.wrapping_add(mine));
        Ok(w.broadcast(2, total)?)
    }

    /// Returns a plain value, from plain parameters.
    #[worker]
    fn block_len(values: &[u32], lane: Lane) -> u32 {
        values[lane.partition(values.len())].len() as u32
    }
}

fn main() {
    let input: Vec<u8> = (1..=10u32).flat_map(|v| v.to_le_bytes()).collect();
    let out = tasklet::run_host(&input).unwrap();
    let expected: Vec<u8> = [55u32, 55, 55, 4, 3, 3]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    assert_eq!(out.output(), expected);
}
