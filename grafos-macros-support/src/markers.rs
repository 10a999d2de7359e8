//! The attributes `#[grafos::tasklet]` reads inside its module and removes
//! before the module reaches the compiler: `#[coordinator]`, `#[worker]` and
//! `#[target_specific]`.

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};
use syn::{Attribute, Path};

/// One of the attributes the tasklet macro reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// `#[coordinator]`: the fn that runs on lane 0.
    Coordinator,
    /// `#[worker]`: a fn that runs on the data lanes.
    Worker,
    /// `#[target_specific]`: silences the portability checks.
    TargetSpecific,
}

impl Marker {
    /// The attribute's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Marker::Coordinator => "coordinator",
            Marker::Worker => "worker",
            Marker::TargetSpecific => "target_specific",
        }
    }

    fn from_name(name: &str) -> Option<Marker> {
        match name {
            "coordinator" => Some(Marker::Coordinator),
            "worker" => Some(Marker::Worker),
            "target_specific" => Some(Marker::TargetSpecific),
            _ => None,
        }
    }

    /// The marker `attr` is: `#[worker]`, `#[grafos::worker]`, or the same
    /// through the `crate = ..` path.
    pub(crate) fn of(attr: &Attribute, krate: &Path) -> Option<Marker> {
        let segments: Vec<String> = attr
            .path()
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        of_segments(&segments, krate)
    }

    /// Checks that the marker attribute `attr` has no arguments.
    pub(crate) fn ensure_bare(attr: &Attribute, marker: Marker) -> syn::Result<()> {
        match &attr.meta {
            syn::Meta::Path(_) => Ok(()),
            _ => Err(syn::Error::new_spanned(
                attr,
                format!("`#[{}]` takes no arguments: write `#[{0}]`", marker.name()),
            )),
        }
    }
}

/// The outer attributes of an item.
pub(crate) fn item_attrs(item: &syn::Item) -> &[Attribute] {
    use syn::Item;
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

fn of_segments(segments: &[String], krate: &Path) -> Option<Marker> {
    let (name, prefix) = segments.split_last()?;
    let marker = Marker::from_name(name)?;
    let krate_segments = krate.segments.iter().map(|s| s.ident.to_string());
    let known_prefix =
        prefix.is_empty() || prefix == ["grafos"] || prefix.iter().cloned().eq(krate_segments);
    known_prefix.then_some(marker)
}

/// Removes every marker attribute, outer (`#[worker]`) or inner
/// (`#![target_specific]`), at any depth of `tokens`. Working on tokens keeps
/// every other token, and its span, exactly as written.
pub(crate) fn strip(tokens: TokenStream, krate: &Path) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if let Some(len) = marker_attribute_len(&tokens[i..], krate) {
            i += len;
            continue;
        }
        out.push(match &tokens[i] {
            TokenTree::Group(group) => {
                let mut stripped = Group::new(group.delimiter(), strip(group.stream(), krate));
                stripped.set_span(group.span());
                TokenTree::Group(stripped)
            }
            other => other.clone(),
        });
        i += 1;
    }
    out.into_iter().collect()
}

/// If `tokens` starts with a marker attribute, its length in tokens.
fn marker_attribute_len(tokens: &[TokenTree], krate: &Path) -> Option<usize> {
    let TokenTree::Punct(pound) = tokens.first()? else {
        return None;
    };
    if pound.as_char() != '#' {
        return None;
    }
    let bang = matches!(tokens.get(1)?, TokenTree::Punct(p) if p.as_char() == '!');
    let TokenTree::Group(body) = tokens.get(1 + usize::from(bang))? else {
        return None;
    };
    if body.delimiter() != Delimiter::Bracket {
        return None;
    }
    let segments = attribute_path(body.stream())?;
    of_segments(&segments, krate).map(|_| 2 + usize::from(bang))
}

/// The path of an attribute's body `a::b::c` or `a::b(..)`, if it is one.
fn attribute_path(body: TokenStream) -> Option<Vec<String>> {
    let mut segments = Vec::new();
    let mut tokens = body.into_iter().peekable();
    let mut expect_ident = true;
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Ident(ident) if expect_ident => {
                segments.push(ident.to_string());
                expect_ident = false;
            }
            TokenTree::Punct(p) if p.as_char() == ':' && p.spacing() == Spacing::Joint => {
                match tokens.next() {
                    Some(TokenTree::Punct(q)) if q.as_char() == ':' => expect_ident = true,
                    _ => return None,
                }
            }
            // Arguments end the path: `#[worker(..)]` is still a marker
            // (the IR reports the arguments).
            TokenTree::Group(g) if !expect_ident && g.delimiter() == Delimiter::Parenthesis => {
                return tokens.next().is_none().then_some(segments);
            }
            _ => return None,
        }
    }
    (!expect_ident).then_some(segments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;
    use syn::parse_quote;

    fn grafos() -> Path {
        parse_quote!(::grafos)
    }

    #[test]
    fn recognises_markers_by_path() {
        let of = |attr: Attribute| Marker::of(&attr, &parse_quote!(::sdk::g));
        assert_eq!(of(parse_quote!(#[worker])), Some(Marker::Worker));
        assert_eq!(
            of(parse_quote!(#[grafos::coordinator])),
            Some(Marker::Coordinator)
        );
        assert_eq!(
            of(parse_quote!(#[::grafos::target_specific])),
            Some(Marker::TargetSpecific)
        );
        assert_eq!(of(parse_quote!(#[sdk::g::worker])), Some(Marker::Worker));
        assert_eq!(of(parse_quote!(#[other::worker])), None);
        assert_eq!(of(parse_quote!(#[inline])), None);
    }

    #[test]
    fn strips_markers_at_every_depth_and_nothing_else() {
        let tokens = quote! {
            #[worker] #[inline] fn a() {
                #![target_specific]
                let x = #[target_specific] { 1 };
                #[grafos::target_specific] f(#[allow(unused)] x);
            }
            #[coordinator(extra)] fn b() {}
            #[other::worker] fn c() {}
        };
        let stripped = strip(tokens, &grafos()).to_string();
        let expected = quote! {
            #[inline] fn a() {
                let x = { 1 };
                f(#[allow(unused)] x);
            }
            fn b() {}
            #[other::worker] fn c() {}
        };
        assert_eq!(stripped, expected.to_string());
    }

    #[test]
    fn arguments_are_reported() {
        let attr: Attribute = parse_quote!(#[worker(fast)]);
        let err = Marker::ensure_bare(&attr, Marker::Worker).unwrap_err();
        assert!(err.to_string().contains("takes no arguments"));
        assert!(Marker::ensure_bare(&parse_quote!(#[worker]), Marker::Worker).is_ok());
    }
}
