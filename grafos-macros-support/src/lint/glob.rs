//! Names that reach a tasklet through a glob import from outside it.
//!
//! The macro sees only the module's tokens. After `use super::*;` (the
//! usual first line of a tasklet), a parent's `use std::time::Instant;`
//! makes `Instant::now()` a clock read that no written path shows. So when
//! the module has a glob import from outside std and the SDK, every path
//! whose first segment
//!
//! - is not defined, imported by name or declared as a generic parameter
//!   anywhere in the module (those are the module's own: no false
//!   positives), and
//! - is a segment, past the crate's name, of a banned path or of a
//!   distinctive member of a banned module ([`table::glob_candidates`]),
//!
//! is judged by what it could resolve to:
//!
//! - a type of std (`Instant`, `time::Instant`, `File`, `Barrier`): the
//!   macro emits a probe, spanned at the user's tokens, that makes the
//!   compiler compare the name with std's type (see [`crate::diag::Probe`]):
//!   an error in grafos's words if they are the same type, nothing if not;
//! - a module or fn (`thread::spawn(..)`, `spawn(..)`), which cannot be
//!   compared: an error saying that the name comes through the glob and
//!   must be imported by name, so the lint can see where from, or marked
//!   `#[target_specific]`. A fn name counts only as a one-segment path
//!   that no pattern of the module binds (a local `let spawn = ..` is not
//!   std's); a module name only followed by the rest of the banned path.
//!
//! Not covered: a banned item re-exported under another name (a parent's
//! `type Clock = std::time::Instant;` or `use std::thread as t;`), names
//! outside the lists of [`table`] (`std::fs::read`, `std::env::args`:
//! too common to reject when they may be the user's own), and generic
//! types of std (a probe names its type without arguments).

use std::collections::HashSet;

use proc_macro2::Span;
use quote::quote;
use syn::visit::{self, Visit};
use syn::{Ident, Path, UseTree};

use super::{Linter, table};
use crate::diag::{Probe, format_err};

/// What the module itself names, collected before the lint walks it.
#[derive(Debug)]
pub(super) struct Names {
    krate: Vec<String>,
    /// Items (at any depth), `use` leaves and generic parameters.
    defined: HashSet<String>,
    /// Identifiers bound by a pattern: `let`, parameters, closures, arms.
    bound: HashSet<String>,
    /// The first glob import from outside std and the SDK: how it reads
    /// (`use super::*`) and its prefix (`super`).
    glob: Option<(String, String)>,
    /// Every `use` tree of the module, at any depth, for the lint's aliases.
    pub(super) uses: Vec<UseTree>,
}

impl Names {
    pub(super) fn new(krate: &Path) -> Self {
        Names {
            krate: krate.segments.iter().map(|s| s.ident.to_string()).collect(),
            defined: HashSet::new(),
            bound: HashSet::new(),
            glob: None,
            uses: Vec::new(),
        }
    }

    /// Whether the module defines or imports `name` itself.
    pub(super) fn defines(&self, name: &str) -> bool {
        self.defined.contains(name)
    }

    fn use_tree(&mut self, tree: &UseTree, mut prefix: Vec<String>) {
        match tree {
            UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(&p.tree, prefix);
            }
            UseTree::Group(g) => {
                for tree in &g.items {
                    self.use_tree(tree, prefix.clone());
                }
            }
            UseTree::Name(n) if n.ident == "self" => {
                self.defined.extend(prefix.last().cloned());
            }
            UseTree::Name(n) => {
                self.defined.insert(n.ident.to_string());
            }
            UseTree::Rename(r) => {
                self.defined.insert(r.rename.to_string());
            }
            UseTree::Glob(_) => {
                let transparent = match prefix.first().map(String::as_str) {
                    // std's modules are known: `check_glob` judges them.
                    Some("std" | "core" | "alloc") => true,
                    Some(first) => {
                        first == "grafos" || self.krate.first().is_some_and(|k| k == first)
                    }
                    None => false,
                };
                if !transparent && self.glob.is_none() {
                    let prefix = prefix.join("::");
                    self.glob = Some((format!("use {prefix}::*"), prefix));
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Names {
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_item(&mut self, item: &'ast syn::Item) {
        use syn::Item;
        let name = match item {
            Item::Const(i) => Some(&i.ident),
            Item::Enum(i) => Some(&i.ident),
            Item::ExternCrate(i) => Some(i.rename.as_ref().map_or(&i.ident, |(_, r)| r)),
            Item::Fn(i) => Some(&i.sig.ident),
            Item::Macro(i) => i.ident.as_ref(),
            Item::Mod(i) => Some(&i.ident),
            Item::Static(i) => Some(&i.ident),
            Item::Struct(i) => Some(&i.ident),
            Item::Trait(i) => Some(&i.ident),
            Item::TraitAlias(i) => Some(&i.ident),
            Item::Type(i) => Some(&i.ident),
            Item::Union(i) => Some(&i.ident),
            Item::Use(u) => {
                self.use_tree(&u.tree, Vec::new());
                self.uses.push(u.tree.clone());
                None
            }
            _ => None,
        };
        self.defined.extend(name.map(Ident::to_string));
        visit::visit_item(self, item);
    }

    fn visit_foreign_item(&mut self, item: &'ast syn::ForeignItem) {
        let name = match item {
            syn::ForeignItem::Fn(f) => Some(&f.sig.ident),
            syn::ForeignItem::Static(s) => Some(&s.ident),
            syn::ForeignItem::Type(t) => Some(&t.ident),
            _ => None,
        };
        self.defined.extend(name.map(Ident::to_string));
        visit::visit_foreign_item(self, item);
    }

    fn visit_generic_param(&mut self, param: &'ast syn::GenericParam) {
        match param {
            syn::GenericParam::Type(t) => self.defined.insert(t.ident.to_string()),
            syn::GenericParam::Const(c) => self.defined.insert(c.ident.to_string()),
            syn::GenericParam::Lifetime(_) => false,
        };
        visit::visit_generic_param(self, param);
    }

    fn visit_pat_ident(&mut self, pat: &'ast syn::PatIdent) {
        self.bound.insert(pat.ident.to_string());
        visit::visit_pat_ident(self, pat);
    }
}

/// The banned modules whose last segment names the module itself rather
/// than a fn (`std::thread`, but not `std::hint::spin_loop`).
fn is_module(path: &[&str]) -> bool {
    matches!(
        path,
        ["std", "thread" | "fs" | "net" | "env" | "process"]
            | ["getrandom" | "rayon"]
            | ["crossbeam", "thread"]
    )
}

impl Linter<'_> {
    /// Judges a path whose first segment may come through a glob import
    /// from outside the module (see the module docs).
    pub(super) fn check_glob_name(&mut self, idents: &[&Ident]) {
        let Some((glob, prefix)) = self.names.glob.clone() else {
            return;
        };
        let Some(first) = idents.first() else {
            return;
        };
        let name = first.to_string();
        if self.names.defined.contains(&name) {
            return;
        }
        let candidates = table::glob_candidates(&name);
        // The written path spells the rest of the candidate's path.
        let covers = |c: &table::GlobCandidate| {
            let rest = &c.path[c.at + 1..];
            idents.len() > rest.len()
                && idents[1..=rest.len()].iter().zip(rest).all(|(i, s)| i == s)
        };
        if let Some(c) = candidates.iter().find(|c| c.ty.is_some() && covers(c)) {
            let written = &idents[..c.path.len() - c.at];
            let ty = c.ty.unwrap_or(c.path.len());
            let probed = &written[..ty - c.at];
            let banned = c.path[..ty]
                .iter()
                .map(|s| Ident::new(s, Span::call_site()));
            let written_text = strings(written).join("::");
            let message = format!(
                "`{written_text}` here is `{}`, brought in by the glob import `{glob}`: it {}",
                c.path.join("::"),
                c.advice.explain("it")
            );
            let first = probed[0].span();
            let last = probed[probed.len() - 1].span();
            self.probe(Probe {
                written: quote!(#(#probed)::*),
                spans: (first, last),
                banned: quote!(#(:: #banned)*),
                message,
            });
            return;
        }
        let opaque = candidates.iter().find(|c| {
            if c.ty.is_some() || !covers(c) {
                return false;
            }
            let leaf = c.at + 1 == c.path.len();
            match (leaf, is_module(c.path)) {
                // A module: `thread::spawn`.
                (true, true) => idents.len() >= 2,
                // A fn, as a one-segment path no pattern binds.
                (true, false) => idents.len() == 1 && !self.names.bound.contains(&name),
                // A module on the way to the banned item: `hint::spin_loop`.
                (false, _) => true,
            }
        });
        if let Some(c) = opaque {
            let could_be = c.path[..=c.at].join("::");
            let banned = c.banned.join("::");
            let end = idents[(c.path.len() - c.at).min(idents.len()) - 1];
            self.error(format_err!(
                quote!(#first #end),
                "`{name}` comes in through the glob import `{glob}`, so the lint cannot tell \
                 whether it is `{could_be}`: `{banned}` {}; import `{name}` by name \
                 (`use {prefix}::{name};`, or std's path) so that the lint can check it, or \
                 mark the use `#[target_specific]` if it is meant to differ between targets",
                c.advice.why
            ));
        }
    }

    /// Leaves `probe` to the compiler unless a `#[target_specific]` silences it.
    fn probe(&mut self, probe: Probe) {
        match self.silencers.last_mut() {
            Some(silencer) => silencer.used = true,
            None => self.diag.probe(probe),
        }
    }
}

fn strings(idents: &[&Ident]) -> Vec<String> {
    idents.iter().map(|i| i.to_string()).collect()
}
