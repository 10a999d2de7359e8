//! Paths: banned std items, the aliases `use` makes for them, globs, and
//! std's randomly ordered hash maps.

use quote::quote;
use syn::{Expr, Ident, UseTree};

use super::Linter;
use super::table::{self, Hashed};
use crate::diag::format_err;

impl Linter<'_> {
    /// Checks the path of a macro invocation: `thread_local!` is banned.
    pub(super) fn check_macro_path(&mut self, idents: &[&Ident]) {
        let Some(last) = idents.last() else {
            return;
        };
        let first = idents[0];
        if *last == "thread_local" {
            self.error(format_err!(quote!(#first #last), "{}", table::THREAD_LOCAL));
        }
        let std_or_prelude = match idents {
            [name] => !self.names.defines(&name.to_string()),
            [krate, _] => *krate == "std",
            _ => false,
        };
        if std_or_prelude && table::PRINT_MACROS.iter().any(|m| *last == m) {
            self.warn(
                last.span(),
                format!("`{last}!` {}", table::PRINTS.explain("it")),
            );
        }
    }

    /// `Path::new(p).exists()`: a file-system query on a receiver that is
    /// visibly a `Path` or `PathBuf`, judged as the path `Path::exists`.
    pub(super) fn check_path_method(&mut self, receiver: &Expr, method: &Ident) {
        if !table::PATH_METHODS.iter().any(|m| method == m) {
            return;
        }
        let Expr::Call(call) = receiver else {
            return;
        };
        let Expr::Path(func) = &*call.func else {
            return;
        };
        let segments = &func.path.segments;
        let constructor = segments
            .last()
            .is_some_and(|s| matches!(s.ident.to_string().as_str(), "new" | "from"));
        if segments.len() < 2 || !constructor {
            return;
        }
        let mut idents: Vec<&Ident> = segments.iter().map(|s| &s.ident).collect();
        idents.pop();
        idents.push(method);
        self.check_path(&idents, func.path.leading_colon.is_some());
    }

    /// The segments of a path given by its idents (`leading_colon` for
    /// `::a::b`), its first replaced by the full path it is a `use` alias
    /// of, and how many segments that first one became.
    pub(super) fn expand(&self, idents: &[&Ident], leading_colon: bool) -> (Vec<String>, usize) {
        let mut segments = strings(idents);
        let alias = segments
            .first()
            .filter(|_| !leading_colon)
            .and_then(|first| self.aliases.iter().rev().find(|(name, _)| name == first));
        match alias {
            Some((_, full)) => {
                let aliased_len = full.len();
                segments.splice(0..1, full.iter().cloned());
                (segments, aliased_len)
            }
            None => (segments, 1),
        }
    }

    /// Checks a path given by its segment idents (`leading_colon` for `::a::b`).
    pub(super) fn check_path(&mut self, idents: &[&Ident], leading_colon: bool) {
        if idents.is_empty() {
            return;
        }
        let (segments, aliased_len) = self.expand(idents, leading_colon);
        let Some(banned) = table::banned(&segments) else {
            if !leading_colon {
                self.check_glob_name(idents);
            }
            return;
        };
        // Span the written segments that make up the banned prefix.
        let written = (banned.path.len() + 1)
            .saturating_sub(aliased_len)
            .clamp(1, idents.len());
        let (start, end) = (idents[0], idents[written - 1]);
        self.error(format_err!(
            quote!(#start #end),
            "`{}` {}",
            banned.path.join("::"),
            banned.advice.explain("it")
        ));
    }

    /// Warns at std's `HashMap`/`HashSet` with the default hasher: a type
    /// with only the key (and value) arguments, or one of the fns that exist
    /// only for the default hasher (`HashMap::new`). `generics` are the
    /// angle-bracketed arguments of each segment, where the caller has them.
    pub(super) fn check_hasher(
        &mut self,
        idents: &[&Ident],
        leading_colon: bool,
        generics: &[Option<&syn::AngleBracketedGenericArguments>],
    ) {
        let Some((at, hashed)) = self.hashed_segment(idents, leading_colon) else {
            return;
        };
        let name = idents[at];
        let what = match generics.get(at).copied().flatten() {
            Some(args) => {
                let types = args
                    .args
                    .iter()
                    .filter(|arg| matches!(arg, syn::GenericArgument::Type(_)))
                    .count();
                if types != hashed.default_hasher_arity() {
                    return;
                }
                format!("{name}{}", crate::diag::pretty(args))
            }
            None => match idents.get(at + 1) {
                Some(f) if table::DEFAULT_HASHER_FNS.iter().any(|d| f == d) => {
                    format!("{name}::{f}")
                }
                _ => return,
            },
        };
        let advice = hashed.advice();
        self.warn(name.span(), format!("`{what}` {}", advice.explain("it")));
    }

    /// The segment of a path that names std's `HashMap` or `HashSet`.
    pub(super) fn hashed_segment(
        &self,
        idents: &[&Ident],
        leading_colon: bool,
    ) -> Option<(usize, Hashed)> {
        let first = idents.first()?;
        if !leading_colon
            && let Some((_, hashed)) = self.hashed.iter().rev().find(|(name, _)| **first == name)
        {
            return Some((0, *hashed));
        }
        let (segments, aliased_len) = self.expand(idents, leading_colon);
        (aliased_len..=segments.len()).find_map(|end| {
            Hashed::of_path(&segments[..end]).map(|hashed| (end - aliased_len, hashed))
        })
    }

    /// Records the aliases a `use` tree makes for prefixes of banned paths
    /// (`use std::time;`), without reporting anything: run over the module's
    /// imports before its fns, wherever they stand.
    pub(super) fn collect_aliases(&mut self, tree: &UseTree, prefix: Vec<&Ident>) {
        self.walk_use_tree(tree, prefix, false);
    }

    pub(super) fn walk_use_tree<'t>(
        &mut self,
        tree: &'t UseTree,
        mut prefix: Vec<&'t Ident>,
        report: bool,
    ) {
        match tree {
            UseTree::Path(p) => {
                prefix.push(&p.ident);
                self.walk_use_tree(&p.tree, prefix, report);
            }
            UseTree::Group(g) => {
                for tree in &g.items {
                    self.walk_use_tree(tree, prefix.clone(), report);
                }
            }
            UseTree::Name(n) => {
                // `use std::time::{self}` imports `std::time` as `time`.
                if n.ident != "self" {
                    prefix.push(&n.ident);
                }
                let local = prefix.last().map(|i| i.to_string());
                self.use_leaf(&prefix, local, report);
            }
            UseTree::Rename(r) => {
                if r.ident != "self" {
                    prefix.push(&r.ident);
                }
                self.use_leaf(&prefix, Some(r.rename.to_string()), report);
            }
            UseTree::Glob(glob) if report => self.check_glob(&prefix, glob),
            UseTree::Glob(_) => {}
        }
    }

    /// `use a::b::c;` or `use a::b::c as d;`: remembers a banned path, or a
    /// prefix of one, under its local name, to be judged where it is used.
    pub(super) fn use_leaf(&mut self, path: &[&Ident], local: Option<String>, report: bool) {
        let segments = strings(path);
        if let Some(local) = local.as_ref().filter(|_| !report) {
            // `use hashbrown::HashMap;` takes the name; `use
            // std::collections::HashMap as Map;` gives another.
            self.hashed.retain(|(name, _)| name != local);
            if let Some(hashed) = Hashed::of_path(&segments) {
                self.hashed.push((local.clone(), hashed));
            }
        }
        // A banned import is judged where the name is used, so that a
        // `#[target_specific]` there silences it.
        let banned = table::banned(&segments).is_some() || table::leads_to_banned(&segments);
        if let Some(local) = local.filter(|_| !report && banned) {
            self.aliases.push((local, segments));
        }
    }

    /// `use std::time::*;` imports `Instant`: reported at the `*`.
    pub(super) fn check_glob(&mut self, prefix: &[&Ident], glob: &syn::UseGlob) {
        let segments = strings(prefix);
        if table::banned(&segments).is_some() {
            self.check_path(prefix, false);
            return;
        }
        if !table::leads_to_banned(&segments) {
            return;
        }
        let imported: Vec<String> = table::BANNED_PATHS
            .iter()
            .filter(|b| {
                b.path.len() > segments.len() && b.path.iter().zip(&segments).all(|(b, s)| b == s)
            })
            .map(|b| format!("`{}`", b.path.join("::")))
            .collect();
        let imported = match imported.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => imported.concat(),
        };
        let star = &glob.star_token;
        self.error(format_err!(
            star,
            "this glob imports {imported}, which break byte-identical output across targets; \
             import what you need by name"
        ));
    }
}

fn strings(idents: &[&Ident]) -> Vec<String> {
    idents.iter().map(|i| i.to_string()).collect()
}
