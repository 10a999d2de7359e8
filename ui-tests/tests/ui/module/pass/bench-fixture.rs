//! The 200-line tasklet the expansion bench measures compiles, runs, and
//! counts what it should.
use grafos::prelude::*;

include!("../../../../../grafos-macros-support/benches/fixtures/tasklet.rs");

fn main() {
    let out = word_stats::run_host(b"the quick brown fox, jumps.").unwrap();
    let out = out.output();
    assert_eq!(out[0..4], 5u32.to_le_bytes()); // words
    assert_eq!(out[4..8], 5u32.to_le_bytes()); // longest
    assert_eq!(out[8..12], 4u32.to_le_bytes()); // spaces
    let lengths: Vec<u32> = out[20..20 + 4 * 32]
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(lengths[..6], [0, 0, 2, 0, 3, 0]);
    assert_eq!(out[out.len() - 9..out.len() - 1], 27u64.to_le_bytes()); // bytes
    assert_eq!(word_stats::INFO.worker_names[..], ["histogram", "summarise", "reset"]);
}
