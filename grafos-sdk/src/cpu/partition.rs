//! Splitting `len` items among data lanes: one formula on every target.
//!
//! [`even`] gives each lane one contiguous block; [`chunked`] deals fixed-size
//! chunks round-robin, which balances uneven per-item cost. Both are pure
//! integer arithmetic, so a lane gets the same items on the host mock and on
//! the runtime.

use std::ops::Range;

/// The block of `0..len` that part `index` of `parts` owns.
///
/// The first `len % parts` parts get `len / parts + 1` items, the rest
/// `len / parts`; the blocks are in order, disjoint, and cover `0..len`.
///
/// # Panics
///
/// If `parts == 0` or `index >= parts`: both are bugs in the caller.
///
/// ```
/// use grafos::cpu::partition::even;
/// assert_eq!(even(10, 3, 0), 0..4);
/// assert_eq!(even(10, 3, 1), 4..7);
/// assert_eq!(even(10, 3, 2), 7..10);
/// assert_eq!(even(2, 3, 2), 2..2); // fewer items than parts: empty blocks last
/// ```
pub fn even(len: usize, parts: usize, index: usize) -> Range<usize> {
    assert!(
        index < parts,
        "partition::even: index {index} out of range for {parts} part(s)"
    );
    let base = len / parts;
    let extra = len % parts;
    // index * base <= len, so neither this nor the sum can overflow.
    let start = index * base + index.min(extra);
    let end = start + base + usize::from(index < extra);
    start..end
}

/// The chunks of `0..len` that part `index` of `parts` owns when chunks of
/// `chunk` items are dealt round-robin: chunk `k` goes to part `k % parts`.
/// The last chunk may be shorter.
///
/// # Panics
///
/// If `chunk == 0`, `parts == 0` or `index >= parts`.
///
/// ```
/// use grafos::cpu::partition::chunked;
/// let mine: Vec<_> = chunked(10, 3, 2, 1).collect();
/// assert_eq!(mine, vec![3..6, 9..10]);
/// ```
pub fn chunked(
    len: usize,
    chunk: usize,
    parts: usize,
    index: usize,
) -> impl Iterator<Item = Range<usize>> + Clone + Send + Sync + 'static {
    assert!(
        chunk > 0,
        "partition::chunked: chunk size must be at least 1"
    );
    assert!(
        index < parts,
        "partition::chunked: index {index} out of range for {parts} part(s)"
    );
    let chunks = len.div_ceil(chunk);
    (index..chunks).step_by(parts).map(move |k| {
        let start = k * chunk;
        start..len.min(start + chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn even_covers_every_index_once_exhaustively_for_small_cases() {
        for len in 0..=200 {
            for parts in 1..=17 {
                let mut next = 0;
                for index in 0..parts {
                    let r = even(len, parts, index);
                    assert_eq!(r.start, next, "len {len} parts {parts} index {index}");
                    next = r.end;
                }
                assert_eq!(next, len);
            }
        }
    }

    #[test]
    #[should_panic(expected = "index 3 out of range for 3 part(s)")]
    fn even_rejects_an_index_past_the_parts() {
        let _ = even(10, 3, 3);
    }

    #[test]
    #[should_panic(expected = "chunk size must be at least 1")]
    fn chunked_rejects_empty_chunks() {
        let _ = chunked(10, 0, 3, 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn even_blocks_tile_the_range(len in 0usize..=10_000, parts in 1usize..=64) {
            let blocks: Vec<_> = (0..parts).map(|i| even(len, parts, i)).collect();
            let mut seen = vec![0u8; len];
            for b in &blocks {
                for i in b.clone() { seen[i] += 1; }
            }
            prop_assert!(seen.iter().all(|&n| n == 1), "every index exactly once");
            let sizes: Vec<_> = blocks.iter().map(|b| b.len()).collect();
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            prop_assert!(hi - lo <= 1, "sizes differ by at most 1: {sizes:?}");
            prop_assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "larger blocks first");
        }

        #[test]
        fn chunked_parts_tile_the_range(len in 0usize..=10_000, chunk in 1usize..=300, parts in 1usize..=64) {
            let mut seen = vec![0u8; len];
            for index in 0..parts {
                for r in chunked(len, chunk, parts, index) {
                    prop_assert!(r.len() <= chunk && !r.is_empty());
                    prop_assert_eq!((r.start / chunk) % parts, index);
                    for i in r { seen[i] += 1; }
                }
            }
            prop_assert!(seen.iter().all(|&n| n == 1));
        }
    }
}
