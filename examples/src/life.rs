//! # Conway's life — lanes write their part of the next board
//!
//! The input's first `w²` bytes, `w = ⌊√n⌋` for `n` input bytes, are the
//! cells of a `w × w` board, row by row; a cell is alive if its byte is odd. The board wraps around at its edges (a torus).
//! After [`GENERATIONS`] generations of the usual rule (a live cell with 2
//! or 3 live neighbours lives, a dead one with 3 is born) the output is the
//! board, one byte per cell, 0 or 1.
//!
//! Each generation is one region. The board is a
//! [`DoubleBuffer`](grafos::cpu::DoubleBuffer): every lane reads the current
//! board whole and writes its own block of the next one, as rayon's
//! `par_iter_mut` over the cells would; the coordinator flips them between
//! regions. No atomics, no copy-back, and integer counts only, so
//! the bytes are the same for any lane count and on both targets.

use grafos::prelude::*;

/// Generations per launch.
pub const GENERATIONS: usize = 16;

/// The board's cells (0 or 1) from the input.
pub fn board(input: &[u8]) -> Vec<u8> {
    let width = input.len().isqrt();
    input[..width * width].iter().map(|b| b & 1).collect()
}

/// Cell `i`'s state in the next generation of the square board `cells`.
pub fn next_state(cells: &[u8], i: usize) -> u8 {
    let width = cells.len().isqrt();
    let (row, col) = (i / width, i % width);
    let mut neighbours = 0;
    for dr in [width - 1, 0, 1] {
        for dc in [width - 1, 0, 1] {
            if (dr, dc) != (0, 0) {
                neighbours += cells[(row + dr) % width * width + (col + dc) % width];
            }
        }
    }
    u8::from(neighbours == 3 || (neighbours == 2 && cells[i] == 1))
}

#[grafos::tasklet(name = "life", workers = 4, shared = DoubleBuffer<u8>)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        *coord.shared_mut() = DoubleBuffer::new(board(coord.input()));
        for _ in 0..GENERATIONS {
            coord.parallel_for_workers(step)?;
            coord.shared_mut().flip();
        }
        Ok(coord.shared_mut().current_mut().to_vec())
    }

    #[worker]
    fn step(board: &DoubleBuffer<u8>, lane: Lane) -> Result<(), TaskletError> {
        let (now, mut next) = board.step(lane)?;
        for (i, cell) in next.range().zip(next.iter_mut()) {
            *cell = next_state(&now, i);
        }
        Ok(())
    }
}

/// The sequential reference.
pub fn reference(input: &[u8]) -> Vec<u8> {
    let mut now = board(input);
    let mut next = now.clone();
    for _ in 0..GENERATIONS {
        for (i, cell) in next.iter_mut().enumerate() {
            *cell = next_state(&now, i);
        }
        std::mem::swap(&mut now, &mut next);
    }
    now
}
