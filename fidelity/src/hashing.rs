//! Hash maps. std's `HashMap` is a hashbrown table: where a key lands, and
//! so the iteration order, depends on its hash *and* on the target — the
//! `Hash` of a `usize` or of a slice's length writes 8 bytes on the host
//! and 4 on wasm32, and the table probes in groups of 16 control bytes
//! with SSE2 on x86_64 and of 4 (a `u32` word) on wasm32. A fixed-key
//! hasher (`BuildHasherDefault<DefaultHasher>`) makes the order
//! deterministic per target, not the same on both. Lookups alone are
//! portable; iterating into the output is not.
//!
//! Inside a tasklet module the lint warns about `HashMap::new()` and
//! `HashMap<K, V>` with the default (random) hasher; it does not warn
//! about a fixed hasher, nor about a type alias declared outside the
//! module. Every tasklet here is caught: targets compute differently.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use grafos::prelude::*;

/// A std hash map with a fixed-key hasher: deterministic on each target.
pub type FixedMap<K, V> = HashMap<K, V, BuildHasherDefault<DefaultHasher>>;

/// A std hash set with a fixed-key hasher.
pub type FixedSet<T> = HashSet<T, BuildHasherDefault<DefaultHasher>>;

/// A std hash map with the default hasher, behind an alias declared
/// outside any tasklet module, where the lint does not look.
pub type RandomMap<K, V> = HashMap<K, V>;

/// Counts byte values in a `FixedMap<usize, u32>` (the key is `b as
/// usize`, as an index would be) and writes `(key, count)` in iteration
/// order. The `usize` keys hash differently on each target. Caught: targets
/// compute differently.
#[grafos::tasklet(workers = 2)]
pub mod map_usize_keys {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut counts: FixedMap<usize, u32> = FixedMap::default();
        for &b in coord.input() {
            *counts.entry(b as usize).or_default() += 1;
        }
        let mut out = Vec::new();
        for (k, n) in &counts {
            out.push(*k as u8);
            out.extend_from_slice(&n.to_le_bytes());
        }
        Ok(out)
    }
}

/// Counts the input's "words" (runs split at bytes below 64) as
/// `FixedMap<Vec<u8>, u32>` keys and writes them in iteration order: a
/// slice's hash includes its length as a `usize`. Caught: targets compute
/// differently.
#[grafos::tasklet(workers = 2)]
pub mod map_slice_keys {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut counts: FixedMap<Vec<u8>, u32> = FixedMap::default();
        for word in coord.input().split(|&b| b < 64).filter(|w| !w.is_empty()) {
            *counts.entry(word.to_vec()).or_default() += 1;
        }
        let mut out = Vec::new();
        for (word, n) in &counts {
            out.extend_from_slice(word);
            out.extend_from_slice(&n.to_le_bytes());
        }
        Ok(out)
    }
}

/// `FixedMap<u32, u32>`: the keys hash to the same 64-bit values on both
/// targets, but the table's probing differs (SSE2 groups of 16 on the host,
/// 4-byte groups on wasm32, and the 7-bit tag taken from the top of a
/// 64-bit or 32-bit hash), so iteration order still differs once keys
/// collide. Written in iteration order. Caught: targets compute
/// differently.
#[grafos::tasklet(workers = 2)]
pub mod map_u32_keys {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut seen: FixedMap<u32, u32> = FixedMap::default();
        for (i, pair) in coord.input().chunks(2).enumerate() {
            let key = pair.iter().fold(0u32, |k, &b| k << 8 | u32::from(b));
            seen.entry(key).or_insert(i as u32);
        }
        Ok(seen
            .iter()
            .flat_map(|(k, v)| [k.to_le_bytes(), v.to_le_bytes()])
            .flatten()
            .collect())
    }
}

/// Deduplicates the input's words in a `FixedSet<String>` and writes them
/// in the set's order (a `String` hashes as a `str`: bytes and a `0xff`,
/// no length — but the table differs as in [`map_u32_keys`]). Caught:
/// targets compute differently.
#[grafos::tasklet(workers = 2)]
pub mod set_of_strings {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut words: FixedSet<String> = FixedSet::default();
        for word in coord.input().split(|&b| b < 96) {
            words.insert(word.iter().map(|&b| char::from(b)).collect());
        }
        let mut out = Vec::new();
        for w in &words {
            out.extend_from_slice(w.as_bytes());
            out.push(b',');
        }
        Ok(out)
    }
}

/// The same counting as [`map_usize_keys`] with `u8` keys, through
/// [`RandomMap`] — std's randomly keyed hasher behind an alias declared
/// outside the module. The host draws new keys for every map; wasm32
/// without a source of randomness uses fixed ones. Caught: targets compute
/// differently (and on the host alone the order changes from run to run).
#[grafos::tasklet(workers = 2)]
pub mod random_map_alias {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut counts: RandomMap<u8, u32> = RandomMap::default();
        for &b in coord.input() {
            *counts.entry(b).or_default() += 1;
        }
        let mut out = Vec::new();
        for (k, n) in &counts {
            out.push(*k);
            out.extend_from_slice(&n.to_le_bytes());
        }
        Ok(out)
    }
}
