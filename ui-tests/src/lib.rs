//! trybuild cases for `#[grafos::tasklet]`; see `tests/`.
