//! # Word and line count over UTF-8 — words across partition boundaries
//!
//! Counts bytes, characters, words and lines of UTF-8 text, like `wc`.
//! A character starts at every byte that is not a UTF-8 continuation byte
//! (`0b10xx_xxxx`); a line ends at every `'\n'`; a word starts at a
//! character that is not whitespace (Unicode `White_Space`) whose previous
//! character is whitespace or that is the first. An invalid sequence counts
//! as one non-whitespace character per start byte.
//!
//! Each data lane takes a block of **byte** positions and counts the
//! characters that *start* in it. Blocks split words and even multi-byte
//! characters; that is harmless because every test looks at a single start
//! position, and the input is shared: a lane decodes a character that runs
//! past its block, and looks back before its block for the character
//! preceding its first. So a word crossing a boundary is counted once, by
//! the lane where it starts. An
//! [`all_reduce`](grafos::cpu::WorkerCtx::all_reduce) adds the partial
//! counts in lane order.
//!
//! Output: bytes, characters, words, lines as little-endian `u64`s.

use grafos::prelude::*;

/// A lane's partial counts.
#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Counts {
    chars: u64,
    words: u64,
    lines: u64,
}

fn is_char_start(b: u8) -> bool {
    b & 0b1100_0000 != 0b1000_0000
}

/// Whether the character starting at `i` is whitespace (invalid sequences
/// are not).
fn is_space_at(text: &[u8], i: usize) -> bool {
    let len = match text[i] {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return false,
    };
    let end = (i + len).min(text.len());
    match std::str::from_utf8(&text[i..end]) {
        Ok(s) => s.chars().next().is_some_and(char::is_whitespace),
        Err(_) => false,
    }
}

/// The start of the character before position `i`, if any.
fn previous_start(text: &[u8], i: usize) -> Option<usize> {
    (0..i).rev().find(|&j| is_char_start(text[j]))
}

/// Counts of the characters that start in `range`.
fn count(text: &[u8], range: std::ops::Range<usize>) -> Counts {
    let mut counts = Counts::default();
    let mut previous_is_space =
        previous_start(text, range.start).is_none_or(|p| is_space_at(text, p));
    for i in range {
        if !is_char_start(text[i]) {
            continue;
        }
        let space = is_space_at(text, i);
        counts.chars += 1;
        counts.lines += u64::from(text[i] == b'\n');
        counts.words += u64::from(!space && previous_is_space);
        previous_is_space = space;
    }
    counts
}

/// Bytes, then the counts: the output's `u64`s.
fn fields(bytes: usize, c: Counts) -> [u64; 4] {
    [bytes as u64, c.chars, c.words, c.lines]
}

fn encode(bytes: usize, c: Counts) -> Vec<u8> {
    fields(bytes, c)
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect()
}

#[grafos::tasklet(name = "wordcount", workers = 4)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<[u64; 4]>, TaskletError> {
        Ok(coord.map_workers(count_block)?[..1].to_vec()) // every lane has the totals
    }

    #[worker]
    fn count_block(w: &Worker) -> Result<[u64; 4], TaskletError> {
        let input = w.input();
        let counts = fields(input.len(), count(input, w.partition(input.len())));
        // The byte count is every lane's; the others add up.
        w.all_reduce(counts, |a, b| [a[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]])
    }
}

/// The sequential reference: one pass over the whole text.
pub fn reference(input: &[u8]) -> Vec<u8> {
    encode(input.len(), count(input, 0..input.len()))
}

/// A second, independent reference through `str::split_whitespace` and
/// `str::chars`, for valid UTF-8.
pub fn reference_via_str(text: &str) -> Vec<u8> {
    let counts = Counts {
        chars: text.chars().count() as u64,
        words: text.split_whitespace().count() as u64,
        lines: text.matches('\n').count() as u64,
    };
    encode(text.len(), counts)
}
