//! Code generation, one file per output; this file stitches them into the
//! module. Every SDK path goes through the `crate = ..` path, and the target
//! is chosen by `cfg(target_arch)` in the generated code: the macro runs on
//! the host and cannot know it.

mod aliases;
mod host;
mod metadata;
mod wasm;
mod workers;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{AttrStyle, ItemMod};

use crate::args::Config;
use crate::diag::Diagnostics;
use crate::ir::{Entry, Module, Tasklet};
use crate::lint::Lints;
use crate::markers;

pub(crate) use host::outside_the_library;

/// The full expansion of a checked tasklet, with the diagnostics of its
/// arguments and of the lint.
pub(crate) fn tasklet(tasklet: &Tasklet, lints: &Lints) -> TokenStream {
    let diag = &lints.diag;
    let aliases = aliases::generate(&tasklet.config);
    let metadata = metadata::generate(tasklet);
    let host = host::generate(tasklet);
    let wasm = wasm::generate(tasklet);
    let generated = quote!(#diag #aliases #metadata #host #wasm);
    module(
        &tasklet.module,
        &tasklet.config,
        lints.markers_to_strip,
        generated,
    )
}

/// The context aliases alone, for a module that does not even parse.
pub(crate) fn aliases(config: &Config) -> TokenStream {
    aliases::generate(config)
}

/// What is emitted when the tasklet has errors: the module's items, its
/// workers rewritten where they are valid, and the context aliases, so the
/// editor keeps resolving and completing; plus every error.
pub(crate) fn rejected(items: &Module, config: &Config, diag: &Diagnostics) -> TokenStream {
    let aliases = aliases::generate(config);
    // A rejected module may hold markers anywhere (a `#[worker]` on a
    // struct, say): strip them all.
    module(items, config, true, quote!(#diag #aliases))
}

/// The module: its attributes, the user's items (workers rewritten, markers
/// stripped if `strip`), then `generated`.
fn module(module: &Module, config: &Config, strip: bool, generated: TokenStream) -> TokenStream {
    let ItemMod {
        attrs,
        vis,
        unsafety,
        mod_token,
        ident,
        content,
        ..
    } = &module.shell;
    let (outer, inner): (Vec<_>, Vec<_>) = attrs
        .iter()
        .partition(|attr| matches!(attr.style, AttrStyle::Outer));
    let mut items = TokenStream::new();
    for entry in &module.entries {
        match entry {
            Entry::Item(item) => item.to_tokens(&mut items),
            Entry::Worker(worker) => items.extend(workers::generate(worker, config)),
            Entry::RejectedWorker(f) => items.extend(workers::rejected(f, config)),
        }
    }
    let items = if strip {
        markers::strip(items, &config.krate)
    } else {
        items
    };
    let mut out = quote!(#(#outer)* #vis #unsafety #mod_token #ident);
    let brace = content
        .as_ref()
        .map(|(brace, _)| *brace)
        .unwrap_or_default();
    brace.surround(&mut out, |body| {
        body.extend(quote!(#(#inner)*));
        body.extend(items);
        body.extend(generated);
    });
    out
}

/// `launch::<Shared, Scratch, _, _>(builder, coordinator)`: runs the
/// coordinator on a builder. The types' spans are the user's, so an unmet
/// `Default + Sync`/`Default + Send` points at them; the coordinator's name
/// takes its return type's span, so an unsupported output points there.
fn launch(tasklet: &Tasklet, builder: TokenStream) -> TokenStream {
    let Config {
        krate,
        shared,
        scratch,
        ..
    } = &tasklet.config;
    let coordinator = &tasklet.coordinator;
    let mut ident = coordinator.ident.clone();
    let output = match &coordinator.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => ident.span(),
    };
    ident.set_span(output);
    let launch = respanned(quote!(#krate::__private::launch), output);
    let call = quote_spanned!(output=> #launch::<#shared, #scratch, _, _>);
    quote!(#call(#builder, #ident))
}

/// `tokens` with every span set to `span`, so that a type error in a
/// generated call is reported at the user's tokens rather than at the
/// attribute (a path mixing spans falls back to the macro's call site).
fn respanned(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respanned(group.stream(), span));
                inner.set_span(span);
                token = proc_macro2::TokenTree::Group(inner);
            }
            token.set_span(span);
            token
        })
        .collect()
}
