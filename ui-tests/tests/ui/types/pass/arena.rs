//! `shared_bytes` beyond the shared type's size is an arena of `Pod` values.
use grafos::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

#[derive(Default)]
pub struct Header {
    filled: AtomicU32,
}

#[grafos::tasklet(workers = 3, shared = Header, shared_bytes = 64)]
mod arena {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let squares = coord.shared_region_mut().arena_mut::<u32>();
        for (i, v) in squares.iter_mut().enumerate() {
            *v = (i * i) as u32;
        }
        coord.parallel_for_workers(read)?;
        let mut out = (coord.shared_region().arena::<u32>().len() as u32).to_le_bytes().to_vec();
        out.extend(coord.shared().filled.load(Relaxed).to_le_bytes());
        Ok(out)
    }

    #[worker]
    fn read(w: &mut Worker) {
        let arena = w.shared_region().arena::<u32>();
        let mine = w.partition(arena.len());
        let sum: u32 = arena[mine].iter().sum();
        w.shared().filled.fetch_add(sum, Relaxed);
    }
}

fn main() {
    // 64 bytes: the 4-byte header padded to 16, then 12 `u32`s.
    let out = arena::run_host(b"").unwrap();
    assert_eq!(out.output()[..4], 12u32.to_le_bytes());
    assert_eq!(out.output()[4..], (0..12).map(|i| i * i).sum::<u32>().to_le_bytes());
    assert_eq!(arena::INFO.shared_bytes, 64);
}
