//! Procedural macros of grafos: `#[grafos::tasklet]` and the attributes it
//! reads inside a tasklet module. Use them through the `grafos` crate.
//!
//! The tasklet macro is being built in its own change; this crate compiles so
//! the SDK can re-export it.
