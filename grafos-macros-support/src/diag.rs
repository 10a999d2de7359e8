//! Diagnostics: every one spanned at the user's tokens, reported all at once.
//!
//! Errors become `compile_error!` invocations. Warnings, which a proc macro
//! cannot emit on stable Rust, use the deprecated-item trick: a
//! `#[deprecated(note = "..")]` constant used at the offending span makes
//! rustc print the note as a `deprecated` warning there (and `#![deny(deprecated)]`
//! turns it into an error, which is how the ui-tests check it).

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};

/// `format_err!(tokens, "..", args)`: a [`syn::Error`] spanned from the first
/// to the last token of `tokens`.
macro_rules! format_err {
    ($tokens:expr, $($fmt:tt)+) => {
        ::syn::Error::new_spanned($tokens, ::std::format!($($fmt)+))
    };
}
pub(crate) use format_err;

/// Tokens as a person writes them, for messages: `&mut Vec<u8>` rather
/// than `& mut Vec < u8 >`.
pub(crate) fn pretty(tokens: &impl ToTokens) -> String {
    let spaced = tokens.to_token_stream().to_string();
    let chars: Vec<char> = spaced.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '\'' || c == '"';
    let mut out = String::with_capacity(spaced.len());
    for (i, &c) in chars.iter().enumerate() {
        if c != ' ' {
            out.push(c);
            continue;
        }
        let prev = chars[..i].iter().rev().copied().find(|&c| c != ' ');
        let next = chars.get(i + 1).copied();
        let prev_word: String = chars[..i]
            .iter()
            .rev()
            .take_while(|&&c| word(c))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let keyword = matches!(prev_word.as_str(), "mut" | "dyn" | "impl" | "as" | "const");
        let keep = match (prev, next) {
            (Some(p), Some(n)) if word(p) && word(n) => true,
            (Some(_), Some(_)) if keyword => true,
            (Some(',' | ';' | '='), _) | (_, Some('=')) => true,
            // `-> T`
            (_, Some('-')) => true,
            (Some('>'), _) => i >= 2 && chars[i - 2] == '-',
            _ => false,
        };
        if keep {
            out.push(' ');
        }
    }
    out
}

/// What a warning is about; names the deprecated constant rustc mentions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WarningKind {
    /// A call whose behaviour differs between the host mock and the runtime.
    Diverges,
    /// A `#[target_specific]` that silences nothing.
    UnusedTargetSpecific,
    /// A tasklet whose generated test cannot run it in the wasm runtime.
    HostOnlyTest,
    /// std's transcendental float functions, whose last bit may differ.
    FloatMath,
}

impl WarningKind {
    /// The constant's name, which rustc prints as
    /// "use of deprecated constant `module::_::<name>`".
    fn constant(self) -> &'static str {
        match self {
            WarningKind::Diverges => "diverges_across_targets",
            WarningKind::UnusedTargetSpecific => "unused_target_specific",
            WarningKind::HostOnlyTest => "tested_on_the_host_mock_only",
            WarningKind::FloatMath => "float_math_differs_across_targets",
        }
    }
}

/// A warning: where, what kind, and the sentence rustc shows.
#[derive(Clone, Debug)]
pub(crate) struct Warning {
    pub(crate) span: Span,
    pub(crate) kind: WarningKind,
    pub(crate) message: String,
}

/// A check left to the compiler: whether the path the user wrote names the
/// same type as a banned one, which only name resolution can tell (a name
/// a glob import brings in). An error at the user's tokens if it does.
#[derive(Clone, Debug)]
pub(crate) struct Probe {
    /// The path as written, its idents carrying the user's spans.
    pub(crate) written: TokenStream,
    /// The first and last tokens' spans, which the error covers.
    pub(crate) spans: (Span, Span),
    /// The banned type, as a full path (`::std::time::Instant`).
    pub(crate) banned: TokenStream,
    /// The error's message.
    pub(crate) message: String,
}

impl ToTokens for Probe {
    /// Autoref specialisation: the inherent `probe` of `Probe<Banned>`
    /// returns `()`, which does not implement the check's trait; for any
    /// other type the trait's `probe` returns `u8`, which does. The trait's
    /// `on_unimplemented` message is the error.
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let Probe {
            written,
            spans: (first, last),
            banned,
            message,
        } = self;
        let start = quote_spanned!(*first=> &Probe::<);
        let end = quote_spanned!(*last=> >(::core::marker::PhantomData).probe());
        tokens.extend(quote! {
            #[allow(dead_code, clippy::all)]
            const _: () = {
                #[diagnostic::on_unimplemented(message = #message, label = "here")]
                trait PortableName {}
                #[diagnostic::do_not_recommend]
                impl PortableName for u8 {}
                struct Probe<T: ?::core::marker::Sized>(::core::marker::PhantomData<T>);
                impl Probe<#banned> {
                    fn probe(&self) {}
                }
                trait Fallback {
                    fn probe(&self) -> u8 {
                        0
                    }
                }
                impl<T: ?::core::marker::Sized> Fallback for Probe<T> {}
                fn check() {
                    let _: &dyn PortableName = #start #written #end;
                }
            };
        });
    }
}

/// Errors and warnings collected over one expansion.
#[derive(Default, Debug)]
pub(crate) struct Diagnostics {
    errors: Vec<syn::Error>,
    warnings: Vec<Warning>,
    probes: Vec<Probe>,
}

impl Diagnostics {
    /// Records an error (which may hold several, see [`syn::Error::combine`]).
    pub(crate) fn error(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// Records the error of `result`, if any, and returns its value.
    pub(crate) fn handle<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|error| self.error(error)).ok()
    }

    /// Records a warning at `span`.
    pub(crate) fn warn(&mut self, span: Span, kind: WarningKind, message: impl Into<String>) {
        self.warnings.push(Warning {
            span,
            kind,
            message: message.into(),
        });
    }

    /// Records a check for the compiler; one for the same written path and
    /// banned type is enough.
    pub(crate) fn probe(&mut self, probe: Probe) {
        let key = |p: &Probe| (p.written.to_string(), p.banned.to_string());
        if !self.probes.iter().any(|p| key(p) == key(&probe)) {
            self.probes.push(probe);
        }
    }

    /// Takes over everything `other` recorded.
    pub(crate) fn extend(&mut self, other: Diagnostics) {
        self.errors.extend(other.errors);
        self.warnings.extend(other.warnings);
        self.probes.extend(other.probes);
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// All errors as one [`syn::Error`], or `Ok` when there are none.
    pub(crate) fn into_result(self) -> syn::Result<()> {
        let mut errors = self.errors.into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut first) => {
                errors.for_each(|e| first.combine(e));
                Err(first)
            }
        }
    }

    /// Every message, errors first, each prefixed by its severity (for tests).
    #[cfg(test)]
    pub(crate) fn messages(&self) -> Vec<String> {
        let errors = self
            .errors
            .iter()
            .flat_map(|e| e.clone().into_iter())
            .map(|e| format!("error: {e}"));
        let warnings = self
            .warnings
            .iter()
            .map(|w| format!("warning: {}", w.message));
        let probes = self
            .probes
            .iter()
            .map(|p| format!("probe `{}`: {}", p.written, p.message));
        errors.chain(warnings).chain(probes).collect()
    }
}

impl ToTokens for Diagnostics {
    /// `compile_error!`s for the errors, the probes, then one constant
    /// holding the deprecated-item trick for every warning.
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for error in &self.errors {
            tokens.extend(error.to_compile_error());
        }
        for probe in &self.probes {
            probe.to_tokens(tokens);
        }
        if self.warnings.is_empty() {
            return;
        }
        let warnings = self.warnings.iter().map(|warning| {
            let constant = syn::Ident::new(warning.kind.constant(), Span::call_site());
            let used_at = syn::Ident::new(warning.kind.constant(), warning.span);
            let note = &warning.message;
            // The use carries the user's span, so rustc reports it there.
            let use_site = quote_spanned!(warning.span=> const _: () = #used_at;);
            // Only the test harness cannot build the tasklet for wasm32.
            let only_in_tests =
                (warning.kind == WarningKind::HostOnlyTest).then(|| quote!(#[cfg(test)]));
            quote! {
                #only_in_tests
                {
                    #[deprecated(note = #note)]
                    #[allow(non_upper_case_globals)]
                    const #constant: () = ();
                    #use_site
                }
            }
        });
        tokens.extend(quote! {
            const _: () = { #(#warnings)* };
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_combine_in_order() {
        let mut diag = Diagnostics::default();
        assert!(diag.handle(Ok::<_, syn::Error>(1)).is_some());
        diag.error(syn::Error::new(Span::call_site(), "first"));
        diag.handle::<()>(Err(syn::Error::new(Span::call_site(), "second")));
        assert!(diag.has_errors());
        let combined = diag.into_result().unwrap_err();
        let messages: Vec<_> = combined.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages, ["first", "second"]);
    }

    #[test]
    fn warnings_become_deprecated_constants() {
        let mut diag = Diagnostics::default();
        diag.warn(Span::call_site(), WarningKind::Diverges, "differs");
        let tokens = diag.to_token_stream().to_string();
        assert!(
            tokens.contains("deprecated (note = \"differs\")"),
            "{tokens}"
        );
        assert!(
            tokens.contains("const _ : () = diverges_across_targets"),
            "{tokens}"
        );
        assert!(!tokens.contains("compile_error"));
    }

    #[test]
    fn pretty_prints_like_a_person() {
        let ty: syn::Type = syn::parse_quote!(&'a mut ::std::vec::Vec<[u32; 4]>);
        assert_eq!(pretty(&ty), "&'a mut ::std::vec::Vec<[u32; 4]>");
        let ty: syn::Type = syn::parse_quote!(Box<dyn Fn(u8, u16) -> Result<(), E>>);
        assert_eq!(pretty(&ty), "Box<dyn Fn(u8, u16) -> Result<(), E>>");
        let ty: syn::Type = syn::parse_quote!(Foo<Output = u8>);
        assert_eq!(pretty(&ty), "Foo<Output = u8>");
    }

    #[test]
    fn nothing_to_report_emits_nothing() {
        assert!(Diagnostics::default().to_token_stream().is_empty());
        assert!(Diagnostics::default().into_result().is_ok());
    }
}
