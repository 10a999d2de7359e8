//! The expansions, on `proc_macro2` tokens so plain `#[test]`s and benches
//! can run them: parse, check (arguments, IR, portability lint), generate.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::Item;

use crate::args::Config;
use crate::codegen;
use crate::diag::{Diagnostics, WarningKind};
use crate::ir::{self, Tasklet};
use crate::lint;
use crate::markers::{self, Marker};

/// `#[grafos::tasklet(attr)] item`.
///
/// Whatever goes wrong, the user's items come back out (with the macro's
/// markers stripped) next to every error, so the editor keeps resolving and
/// completing them.
pub fn tasklet(attr: TokenStream, item: TokenStream) -> TokenStream {
    let (config, mut diag) = Config::parse(attr);
    let item = match syn::parse2::<Item>(item.clone()) {
        Ok(item) => item,
        // rustc parses an attribute's item before expanding it, and has
        // reported this error in its own words already; syn's would only
        // repeat it. Parsing the passed-through tokens again, rustc finds
        // the same error at the same span, and reports it once.
        Err(_) => return passthrough(item, &config, diag),
    };
    let module = match ir::ensure_inline_module(item) {
        Ok(module) => module,
        Err((item, error)) => {
            diag.error(error);
            return passthrough(item.into_token_stream(), &config, diag);
        }
    };
    let mut lints = lint::check(&module, &config.krate);
    match Tasklet::try_from((config, module)) {
        // With broken arguments too: their defaults stand in, the errors
        // stop the build, and the user's code still finds `run_host` and
        // `INFO` instead of failing to resolve them as well.
        Ok(tasklet) => {
            if tasklet.config.cross_target
                && let Some(place) = codegen::outside_the_library()
            {
                diag.warn(
                    Span::call_site(),
                    WarningKind::HostOnlyTest,
                    format!(
                        "this tasklet is in {place}, not in the package's library, so the test \
                         `cargo test` generates for it cannot build it for wasm32: it compares \
                         the host mock with itself only. Move it into the library (src/), or \
                         say so with `cross_target = false`"
                    ),
                );
            }
            diag.extend(lints.diag);
            lints.diag = diag;
            codegen::tasklet(&tasklet, &lints)
        }
        Err(rejected) => {
            diag.extend(rejected.diag);
            diag.extend(lints.diag);
            codegen::rejected(&rejected.module, &rejected.config, &diag)
        }
    }
}

/// The item as it came, markers stripped, with the errors. A module gets
/// the context aliases too: a module that does not parse is what an editor
/// sees on most keystrokes, and `Coordinator` and `Worker` should still
/// resolve in it.
fn passthrough(item: TokenStream, config: &Config, diag: Diagnostics) -> TokenStream {
    let mut tokens: Vec<TokenTree> = markers::strip(item, &config.krate).into_iter().collect();
    if let [
        ..,
        TokenTree::Ident(keyword),
        TokenTree::Ident(_),
        TokenTree::Group(body),
    ] = tokens.as_mut_slice()
        && keyword == "mod"
        && body.delimiter() == Delimiter::Brace
    {
        let mut items = body.stream();
        items.extend(codegen::aliases(config));
        let mut with_aliases = Group::new(Delimiter::Brace, items);
        with_aliases.set_span(body.span());
        *body = with_aliases;
    }
    let mut out = diag.into_token_stream();
    out.extend(tokens);
    out
}

/// `#[coordinator]`, `#[worker]` or `#[target_specific]` where no tasklet
/// module removed it: the item as it came, and an error at the attribute.
pub fn misplaced(marker: Marker, item: TokenStream) -> TokenStream {
    let purpose = match marker {
        Marker::Coordinator => "marks the fn that runs on lane 0 of a tasklet",
        Marker::Worker => "marks a fn that runs on a tasklet's data lanes",
        Marker::TargetSpecific => "silences the portability checks of a tasklet",
    };
    let message = format!(
        "`#[{}]` is only valid inside a `#[grafos::tasklet]` module, where it {purpose}",
        marker.name()
    );
    let mut out = syn::Error::new(Span::call_site(), message).into_compile_error();
    out.extend(item);
    out
}

#[cfg(test)]
mod tests;
