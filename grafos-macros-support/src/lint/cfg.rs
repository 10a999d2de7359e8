//! Target `cfg`s: `cfg!(target_..)`, `#[cfg(target_..)]` and
//! `#[cfg_attr(target_.., ..)]` inside a tasklet need `#[target_specific]`.

use syn::Ident;

use super::{Linter, table};
use crate::diag::format_err;

impl Linter<'_> {
    /// Judges the options of a `cfg` predicate in `tokens`, written as
    /// `what` (`cfg!`, `#[cfg]`, `#[cfg_attr]`): a target's is an error,
    /// `debug_assertions` a warning. Reports once per predicate.
    pub(super) fn check_cfg(&mut self, what: &str, tokens: proc_macro2::TokenStream) {
        let mut found: Option<(Ident, bool)> = None;
        cfg_options(tokens, &mut |ident| {
            let name = ident.to_string();
            if table::is_target_cfg(&name) {
                found = Some((ident.clone(), true));
            } else if name == "debug_assertions" && found.is_none() {
                found = Some((ident.clone(), false));
            }
        });
        match found {
            Some((option, true)) => self.error(format_err!(
                &option,
                "`{what}` on `{option}` {}",
                table::TARGET_CFG.explain("it")
            )),
            Some((option, false)) => self.warn(
                option.span(),
                format!("`{what}` on `{option}` {}", table::DEBUG_CFG.explain("it")),
            ),
            None => {}
        }
    }
}

/// Calls `f` with every option name of a `cfg` predicate: the idents not
/// followed by a parenthesised group (`all(..)`, `not(..)` are operators).
fn cfg_options(tokens: proc_macro2::TokenStream, f: &mut impl FnMut(&Ident)) {
    let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            proc_macro2::TokenTree::Group(g) => cfg_options(g.stream(), f),
            proc_macro2::TokenTree::Ident(ident)
                if !matches!(tokens.get(i + 1), Some(proc_macro2::TokenTree::Group(_))) =>
            {
                f(ident)
            }
            _ => {}
        }
    }
}

/// The predicate of `cfg_attr(predicate, attrs..)`: its tokens before the
/// first top-level comma.
pub(super) fn cfg_attr_predicate(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    tokens
        .into_iter()
        .take_while(|t| !matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == ','))
        .collect()
}

/// `cfg!` or `std::cfg!`/`core::cfg!`.
pub(super) fn is_cfg_macro(idents: &[&Ident]) -> bool {
    match idents {
        [cfg] => *cfg == "cfg",
        [krate, cfg] => (*krate == "std" || *krate == "core") && *cfg == "cfg",
        _ => false,
    }
}
