//! # Conway's life — lanes write their part of the next board
//!
//! The input's `n` bytes are the cells of a board `width = ⌊√n⌋` wide and
//! `n / width` high, row by row (trailing bytes are not cells); a cell is
//! alive if its byte is odd. The board wraps around at its edges (a torus).
//! After [`GENERATIONS`] generations of the usual rule (a live cell with 2
//! or 3 live neighbours lives, a dead one with 3 is born) the output is the
//! board, one byte per cell, 0 or 1.
//!
//! Each generation is one region. The board is two
//! [`Partitioned`](grafos::cpu::Partitioned) arrays: every lane reads the
//! current one whole and writes its own block of the next one, as rayon's
//! `par_iter_mut` over the cells would; the coordinator flips which is which
//! between regions. No atomics, no copy-back, and integer counts only, so
//! the bytes are the same for any lane count and on both targets.

use grafos::prelude::*;

/// Generations per launch.
pub const GENERATIONS: usize = 16;

/// The two boards, the board's width, and which board is the current one.
#[derive(Default, Debug)]
pub struct Board {
    cells: [Partitioned<u8>; 2],
    width: usize,
    current: usize,
}

/// The board's width and its cells (0 or 1) from the input.
pub fn board(input: &[u8]) -> (usize, Vec<u8>) {
    let width = input.len().isqrt();
    let cells = width * (input.len() / width.max(1));
    (width, input[..cells].iter().map(|b| b & 1).collect())
}

/// Cell `i`'s state in the next generation of `cells`, `width` wide.
pub fn next_state(cells: &[u8], width: usize, i: usize) -> u8 {
    let height = cells.len() / width;
    let (row, col) = (i / width, i % width);
    let mut neighbours = 0;
    for dr in [height - 1, 0, 1] {
        for dc in [width - 1, 0, 1] {
            if (dr, dc) != (0, 0) {
                neighbours += cells[(row + dr) % height * width + (col + dc) % width];
            }
        }
    }
    u8::from(neighbours == 3 || (neighbours == 2 && cells[i] == 1))
}

#[grafos::tasklet(name = "life", workers = 4, shared = Board)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let (width, cells) = board(coord.input());
        let board = coord.shared_mut();
        board.width = width;
        board.cells[1].as_mut_vec().resize(cells.len(), 0);
        *board.cells[0].as_mut_vec() = cells;
        for generation in 0..GENERATIONS {
            coord.shared_mut().current = generation % 2;
            coord.parallel_for_workers(step)?;
        }
        Ok(coord.shared_mut().cells[GENERATIONS % 2]
            .as_mut_slice()
            .to_vec())
    }

    #[worker]
    fn step(board: &Board, lane: Lane) -> Result<(), TaskletError> {
        let now = board.cells[board.current].read(lane)?;
        let mut next = board.cells[1 - board.current].part_mut(lane)?;
        for (i, cell) in next.range().zip(next.iter_mut()) {
            *cell = next_state(&now, board.width, i);
        }
        Ok(())
    }
}

/// The sequential reference.
pub fn reference(input: &[u8]) -> Vec<u8> {
    let (width, mut now) = board(input);
    let mut next = now.clone();
    for _ in 0..GENERATIONS {
        for (i, cell) in next.iter_mut().enumerate() {
            *cell = next_state(&now, width, i);
        }
        std::mem::swap(&mut now, &mut next);
    }
    now
}
