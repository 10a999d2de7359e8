//! Procedural macros of grafos: `#[grafos::tasklet]` and the attributes it
//! reads inside a tasklet module. Use them through the `grafos` crate, which
//! documents them with runnable examples.
//!
//! This crate is a thin shim: each macro converts its tokens and calls
//! [`expand`], which works on `proc_macro2` so that tests and benches run it
//! directly. The expansion goes through layers:
//!
//! - [`args`]: the attribute's arguments (darling), range-checked;
//! - [`ir`]: the module taken apart into a checked `Tasklet`;
//! - [`lint`]: the portability checks, over every item of the module;
//! - [`codegen`]: one generator per output (aliases, workers, metadata,
//!   host harness, wasm export);
//! - [`diag`]: errors as `compile_error!`s and warnings as deprecation
//!   notes, all spanned at the user's tokens.

mod args;
mod codegen;
mod diag;
mod expand;
mod ir;
mod lint;
mod markers;

use proc_macro::TokenStream;

use markers::Marker;

/// Turns an inline module into a shared-memory tasklet that runs on the host
/// mock and, compiled to `wasm32-unknown-unknown`, on grafos-runtime with
/// byte-identical output.
///
/// ```text
/// #[grafos::tasklet(workers = 4, shared = Shared, scratch = Scratch)]
/// pub mod histogram { .. }
/// ```
///
/// See `grafos::tasklet` for the arguments, what the module may contain,
/// what is generated, the portability checks, and an example.
#[proc_macro_attribute]
pub fn tasklet(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::tasklet(attr.into(), item.into()).into()
}

/// Marks the fn of a `#[grafos::tasklet]` module that runs on lane 0. Only
/// valid inside such a module, which removes it; see `grafos::tasklet`.
#[proc_macro_attribute]
pub fn coordinator(_attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::misplaced(Marker::Coordinator, item.into()).into()
}

/// Marks a fn of a `#[grafos::tasklet]` module that runs on every data lane.
/// Only valid inside such a module, which removes it; see `grafos::tasklet`.
#[proc_macro_attribute]
pub fn worker(_attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::misplaced(Marker::Worker, item.into()).into()
}

/// Silences the portability checks of `#[grafos::tasklet]` for a fn, block,
/// statement or expression whose behaviour is meant to differ between
/// targets. Only valid inside a tasklet module, which removes it; see
/// `grafos::tasklet`.
#[proc_macro_attribute]
pub fn target_specific(_attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::misplaced(Marker::TargetSpecific, item.into()).into()
}
