//! Macro arguments are plain tokens to syn. The lint scans them for the
//! method calls and paths it judges in parsed code, so that
//! `println!("{}", w.worker_index())` or `assert!(std::env::var(..).is_ok())`
//! are caught too. The scan is lexical: a receiver is placed only when it is
//! a single identifier, and arguments are counted by top-level commas.

use proc_macro2::{Delimiter, Ident, Spacing, TokenStream, TokenTree};

use super::Linter;

/// Scans `tokens`, and the groups inside them, for calls and paths.
pub(super) fn scan(linter: &mut Linter<'_>, tokens: TokenStream) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        i += match &tokens[i] {
            TokenTree::Group(group) => {
                scan(linter, group.stream());
                1
            }
            TokenTree::Punct(p) if p.as_char() == '.' => {
                method_call(linter, &tokens, i);
                // A method's or field's name is not a path.
                1 + usize::from(matches!(tokens.get(i + 1), Some(TokenTree::Ident(_))))
            }
            TokenTree::Ident(_) => path(linter, &tokens, i, false),
            TokenTree::Punct(_) if is_path_sep(&tokens, i) => {
                path(linter, &tokens, i + 2, true) + 2
            }
            _ => 1,
        };
    }
}

/// `tokens[at..]` starts with `::`.
fn is_path_sep(tokens: &[TokenTree], at: usize) -> bool {
    matches!(
        (tokens.get(at), tokens.get(at + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
    )
}

/// Judges `.name(..)` or `.name::<..>(..)` at the `.` at `dot`.
fn method_call(linter: &mut Linter<'_>, tokens: &[TokenTree], dot: usize) {
    let Some(TokenTree::Ident(method)) = tokens.get(dot + 1) else {
        return;
    };
    let mut at = dot + 2;
    if is_path_sep(tokens, at) {
        at = skip_generics(tokens, at + 2);
    }
    let Some(TokenTree::Group(args)) = tokens.get(at) else {
        return;
    };
    if args.delimiter() != Delimiter::Parenthesis {
        return;
    }
    let receiver = match (
        dot.checked_sub(1).map(|i| &tokens[i]),
        dot.checked_sub(2).map(|i| &tokens[i]),
    ) {
        (Some(TokenTree::Ident(name)), before) if !matches!(before, Some(TokenTree::Punct(p)) if p.as_char() == '.') => {
            linter.binding(&name.to_string())
        }
        _ => None,
    };
    let context = receiver.or_else(|| linter.scopes.last().and_then(|s| s.context));
    linter.check_method(context, method, arity(args.stream()));
}

/// The index after `<..>` starting at `at`, or `at` if there is none.
fn skip_generics(tokens: &[TokenTree], at: usize) -> usize {
    let mut depth = 0usize;
    let mut i = at;
    while let Some(token) = tokens.get(i) {
        if let TokenTree::Punct(p) = token {
            match p.as_char() {
                '<' => depth += 1,
                '>' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
        }
        if depth == 0 {
            return at;
        }
        i += 1;
    }
    at
}

/// Arguments in a call's parentheses: top-level commas, a trailing one not counted.
fn arity(args: TokenStream) -> usize {
    let tokens: Vec<TokenTree> = args.into_iter().collect();
    if tokens.is_empty() {
        return 0;
    }
    let commas = tokens
        .iter()
        .filter(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
        .count();
    let trailing = matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.as_char() == ',');
    commas + 1 - usize::from(trailing)
}

/// Judges the path `a::b::c` starting at `start`; returns its length in tokens.
fn path(linter: &mut Linter<'_>, tokens: &[TokenTree], start: usize, leading_colon: bool) -> usize {
    let mut idents: Vec<&Ident> = Vec::new();
    let mut at = start;
    while let Some(TokenTree::Ident(ident)) = tokens.get(at) {
        idents.push(ident);
        if is_path_sep(tokens, at + 1) && matches!(tokens.get(at + 3), Some(TokenTree::Ident(_))) {
            at += 3;
        } else {
            at += 1;
            break;
        }
    }
    if idents.is_empty() {
        return 1;
    }
    if matches!(tokens.get(at), Some(TokenTree::Punct(p)) if p.as_char() == '!') {
        linter.check_macro_path(&idents);
        if super::is_cfg_macro(&idents)
            && let Some(TokenTree::Group(args)) = tokens.get(at + 1)
        {
            linter.check_cfg("cfg!(..)", args.stream());
        }
    }
    linter.check_path(&idents, leading_colon);
    linter.check_hasher(&idents, leading_colon, &[]);
    // `Worker::worker_index` as a value, or `WorkerCtx::worker_index(w)`.
    if let [.., ty, method] = idents.as_slice()
        && let Some(context) = super::Context::of_name(&ty.to_string())
    {
        let arity = match tokens.get(at) {
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                Some(arity(g.stream()).saturating_sub(1))
            }
            _ => None,
        };
        linter.check_method_use(Some(context), method, arity);
    }
    at - start
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn arity_counts_top_level_commas() {
        assert_eq!(arity(quote!()), 0);
        assert_eq!(arity(quote!(a)), 1);
        assert_eq!(arity(quote!(a, f(b, c))), 2);
        assert_eq!(arity(quote!(a, b,)), 2);
    }

    #[test]
    fn generics_are_skipped() {
        let tokens: Vec<TokenTree> = quote!(<Vec<u8>, u32>(x)).into_iter().collect();
        assert!(matches!(
            &tokens[skip_generics(&tokens, 0)],
            TokenTree::Group(_)
        ));
        let tokens: Vec<TokenTree> = quote!((x)).into_iter().collect();
        assert_eq!(skip_generics(&tokens, 0), 0);
    }
}
