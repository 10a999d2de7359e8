//! The implementation of `#[grafos::tasklet]`, on `proc_macro2` tokens, so
//! tests, benches and fuzzers call it like any library (the `grafos-macros`
//! crate is a shim of a few lines over [`tasklet`] and [`misplaced`], as
//! `wasm-bindgen-macro` is over `wasm-bindgen-macro-support`).
//!
//! The expansion goes through layers, each depending only on those above it:
//!
//! - `sdk`: the SDK's names the macro knows (the two context types);
//! - `args`: the attribute's arguments (darling), range-checked;
//! - `markers`: `#[coordinator]`, `#[worker]`, `#[target_specific]`: found,
//!   validated and stripped in one place;
//! - `ir`: the module taken apart into a checked `Tasklet`;
//! - `lint`: the portability checks, over every item of the module;
//! - `codegen`: one generator per output (aliases, workers, metadata, host
//!   harness and cross-target test, wasm export);
//! - `diag`: errors as `compile_error!`s and warnings as deprecation notes,
//!   all spanned at the user's tokens;
//! - `expand`: parse, check, generate; what the entry points call.
//!
//! ```
//! use quote::quote;
//! let out = grafos_macros_support::tasklet(
//!     quote!(workers = 2),
//!     quote!(mod t {
//!         #[coordinator]
//!         fn run(coord: &mut Coordinator) -> Vec<u8> { Vec::new() }
//!     }),
//! );
//! assert!(out.to_string().contains("grafos_v0_tasklet_t"));
//! ```

mod args;
mod codegen;
mod diag;
mod expand;
mod ir;
mod lint;
mod markers;
mod sdk;

pub use expand::{misplaced, tasklet};
pub use markers::Marker;
