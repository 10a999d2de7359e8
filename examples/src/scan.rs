//! # Inclusive prefix scan — an `exclusive_scan` of block totals
//!
//! The input is a vector of little-endian `u32`s; the output is its inclusive
//! prefix sum (`out[i] = in[0] + … + in[i]`, wrapping), as little-endian
//! `u32`s.
//!
//! Each data lane adds up its own block; an
//! [`exclusive_scan`](grafos::cpu::WorkerCtx::exclusive_scan) of those
//! totals gives each lane the sum of the blocks before it (in lane order);
//! the lane scans its block from there. The coordinator concatenates the
//! lanes' blocks in lane order ([`map_workers`](grafos::cpu::CoordinatorCtx::map_workers)).

use grafos::prelude::*;

#[grafos::tasklet(name = "scan", workers = 4)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u32>, TaskletError> {
        Ok(coord.map_workers(scan)?.concat())
    }

    #[worker]
    fn scan(w: &Worker) -> Result<Vec<u32>, TaskletError> {
        let input = w.input_as::<u32>();
        let block = &input[w.partition(input.len())];
        let total = block.iter().fold(0, |t: u32, &v| t.wrapping_add(v));
        let mut running = w.exclusive_scan(total, 0, u32::wrapping_add)?;
        Ok(block
            .iter()
            .map(|&v| {
                running = running.wrapping_add(v);
                running
            })
            .collect())
    }
}

/// The sequential reference.
pub fn reference(input: &[u8]) -> Vec<u8> {
    let mut total = 0u32;
    crate::inputs::read_u32s(input)
        .into_iter()
        .flat_map(|v| {
            total = total.wrapping_add(v);
            total.to_le_bytes()
        })
        .collect()
}
