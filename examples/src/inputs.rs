//! Deterministic inputs for tests, benches and `grafos demo`.

/// `len` pseudo-random bytes from `seed` (SplitMix64): the same bytes on every
/// machine and target.
///
/// ```
/// let a = grafos_examples::inputs::bytes(7, 1);
/// assert_eq!(a, grafos_examples::inputs::bytes(7, 1));
/// assert_ne!(a, grafos_examples::inputs::bytes(7, 2));
/// ```
pub fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// `len` bytes of UTF-8 text with words, spaces, newlines, tabs and
/// multi-byte characters (some of them Unicode whitespace), from `seed`.
pub fn text(len: usize, seed: u64) -> Vec<u8> {
    const PIECES: &[&str] = &[
        "grafos",
        " ",
        "tasklet",
        "  ",
        "\n",
        "lane",
        "\t",
        "région",
        " ",
        "データ",
        "\u{3000}",
        "barrier",
        "\u{a0}",
        "ß",
        " ",
        "\r\n",
        "x",
        "🦀",
        " ",
        "a",
    ];
    let mut out = Vec::with_capacity(len + 16);
    for b in bytes(len, seed) {
        if out.len() >= len {
            break;
        }
        out.extend_from_slice(PIECES[b as usize % PIECES.len()].as_bytes());
    }
    out
}

/// The bytes of `values` as little-endian `u32`s.
pub fn u32s(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The little-endian `u32`s in `bytes`; trailing bytes are ignored.
pub fn read_u32s(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}
