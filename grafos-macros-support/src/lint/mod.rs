//! The portability lint: walks every item of a tasklet module and reports
//! what would break byte-identical output across the host mock and the
//! runtime, using the lists in [`table`].
//!
//! The lint is syntactic. A method call is judged by its name, its number of
//! arguments and the context type its receiver is taken to be:
//!
//! 1. a receiver that is a binding of known type: a parameter typed
//!    `&mut Coordinator`, `&Worker`, `CoordinatorCtx<..>`, `WorkerCtx<..>`
//!    (by any path), or the first parameter of a closure passed to
//!    `parallel_for_workers` (a worker);
//! 2. otherwise the enclosing function: a `#[coordinator]` or `#[worker]`
//!    fn, a `parallel_for_workers` closure (a worker), or a fn or closure
//!    whose context-typed parameters are all of one kind;
//! 3. otherwise unknown: the call is judged by the strictest method of that
//!    name and arity on either type, so `x.barrier()` warns and
//!    `x.worker_index()` fails even when `x` cannot be placed.
//!
//! Paths are matched by their segments, through `use` aliases of their
//! prefixes (`use std::time; time::Instant::now()`). What a glob import from
//! outside the module (`use super::*;`) brings in cannot be seen in the
//! module's tokens: names that could be banned items are probed or must be
//! imported by name, see [`glob`]. std's `HashMap` and `HashSet`
//! with their default hasher (`HashMap::new()`, `HashSet<T>`) warn: their
//! iteration order is random. A bare `HashMap` is taken to be std's unless
//! the module's own items or `use`s take the name. Macro arguments are
//! scanned as tokens for the same method calls and paths.

mod glob;
mod table;
mod tokens;

pub(crate) use crate::sdk::Context;

use proc_macro2::Span;
use quote::quote;
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, Ident, Item, ItemMod, Path, Stmt, UseTree};

use crate::diag::{Diagnostics, WarningKind, format_err};
use crate::markers::{Marker, item_attrs};
use table::{Hashed, Portability};

/// What the lint found.
#[derive(Debug, Default)]
pub(crate) struct Lints {
    pub(crate) diag: Diagnostics,
    /// Whether a `#[target_specific]`, or a marker below the module's own
    /// items, must be stripped from the output (the IR removes the markers
    /// of the module's own fns). Usually not: the token-level strip is then
    /// skipped, which is a fair share of the expansion's time.
    pub(crate) markers_to_strip: bool,
}

/// Lints every item of `module`.
pub(crate) fn check(module: &ItemMod, krate: &Path) -> Lints {
    let mut linter = Linter::new(krate);
    if let Some((_, items)) = &module.content {
        let mut names = glob::Names::new(krate);
        for item in items {
            names.visit_item(item);
        }
        // Imports anywhere in the module, fn bodies' included.
        for tree in std::mem::take(&mut names.uses) {
            linter.collect_aliases(&tree, Vec::new());
        }
        linter.names = names;
        for item in items {
            match item {
                Item::Use(_) => {}
                // `struct HashMap` or `type HashMap<K, V> = ..` takes the name.
                _ => {
                    if let Some(name) = item_name(item) {
                        linter.hashed.retain(|(local, _)| name != local);
                    }
                }
            }
        }
        for item in items {
            linter.visit_item(item);
        }
    }
    linter.finish()
}

/// A function or closure body being walked.
#[derive(Debug)]
struct Scope {
    /// A fn body cannot see the bindings of the scopes around it.
    is_fn: bool,
    /// The context calls on unplaceable receivers are taken to be on.
    context: Option<Context>,
    /// Parameters whose context type is known.
    bindings: Vec<(String, Context)>,
}

/// An active `#[target_specific]`.
#[derive(Debug)]
struct Silencer {
    span: Span,
    used: bool,
}

struct Linter<'a> {
    krate: &'a Path,
    diag: Diagnostics,
    scopes: Vec<Scope>,
    silencers: Vec<Silencer>,
    /// Local names of `use`d prefixes of banned paths, with their full path.
    aliases: Vec<(String, Vec<String>)>,
    /// Local names of std's `HashMap` and `HashSet`: their own names, unless
    /// the module takes them for something else, and any `use .. as` names.
    hashed: Vec<(String, Hashed)>,
    /// Items between the module and the node being walked.
    depth: usize,
    /// Set when the next closure walked is the body of a region.
    next_closure_is_region: bool,
    /// See [`Lints::markers_to_strip`].
    markers_to_strip: bool,
    /// The names the module defines, binds and imports, and its glob
    /// imports from outside (see [`glob`]).
    names: glob::Names,
}

impl<'a> Linter<'a> {
    fn new(krate: &'a Path) -> Self {
        Linter {
            krate,
            diag: Diagnostics::default(),
            scopes: Vec::new(),
            silencers: Vec::new(),
            aliases: Vec::new(),
            hashed: vec![
                ("HashMap".to_owned(), Hashed::Map),
                ("HashSet".to_owned(), Hashed::Set),
            ],
            depth: 0,
            next_closure_is_region: false,
            markers_to_strip: false,
            names: glob::Names::new(krate),
        }
    }

    fn finish(self) -> Lints {
        Lints {
            diag: self.diag,
            markers_to_strip: self.markers_to_strip,
        }
    }

    // -- reporting ---------------------------------------------------------

    /// Reports `error` unless a `#[target_specific]` silences it.
    fn error(&mut self, error: syn::Error) {
        match self.silencers.last_mut() {
            Some(silencer) => silencer.used = true,
            None => self.diag.error(error),
        }
    }

    /// Warns at `span` unless a `#[target_specific]` silences it.
    fn warn(&mut self, span: Span, message: String) {
        match self.silencers.last_mut() {
            Some(silencer) => silencer.used = true,
            None => self.diag.warn(span, WarningKind::Diverges, message),
        }
    }

    /// Reads the markers among `attrs` of a node: starts silencing for a
    /// `#[target_specific]`, reports a `#[coordinator]`/`#[worker]` below the
    /// module's own items. Returns how many silencers to end after the node.
    fn enter(&mut self, attrs: &[Attribute]) -> usize {
        self.enter_item(attrs, false)
    }

    /// [`Linter::enter`] for an item, which may be a `use` (`on_use`).
    fn enter_item(&mut self, attrs: &[Attribute], on_use: bool) -> usize {
        let mut silencers = 0;
        for attr in attrs {
            match Marker::of(attr, self.krate) {
                Some(Marker::TargetSpecific) if on_use => {
                    self.markers_to_strip = true;
                    self.diag.error(format_err!(
                        attr,
                        "`#[target_specific]` cannot go on a `use`: it would silence every use \
                         of the names it imports; put it on the statement, expression or fn that \
                         uses them"
                    ));
                }
                Some(Marker::TargetSpecific) => {
                    self.markers_to_strip = true;
                    self.diag
                        .handle(Marker::ensure_bare(attr, Marker::TargetSpecific));
                    let span = attr
                        .path()
                        .segments
                        .last()
                        .map_or(Span::call_site(), |s| s.ident.span());
                    self.silencers.push(Silencer { span, used: false });
                    silencers += 1;
                }
                Some(marker) if self.depth > 0 => {
                    self.markers_to_strip = true;
                    self.diag.error(format_err!(
                        attr,
                        "`#[{}]` goes on a fn directly inside the `#[grafos::tasklet]` \
                         module, not inside another item",
                        marker.name()
                    ));
                }
                // The IR checks the markers of the module's own items.
                Some(_) | None => {}
            }
        }
        silencers
    }

    /// Ends `count` silencers; one that silenced nothing is worth a warning.
    fn leave(&mut self, count: usize) {
        for _ in 0..count {
            let Some(silencer) = self.silencers.pop() else {
                return;
            };
            if !silencer.used {
                self.diag.warn(
                    silencer.span,
                    WarningKind::UnusedTargetSpecific,
                    "this `#[target_specific]` silences nothing: there is no target-specific \
                     or divergent call under it; remove it",
                );
            }
        }
    }

    // -- method calls --------------------------------------------------------

    /// The context a call on `receiver` is taken to be on (see the module docs).
    fn context_of(&self, receiver: &Expr) -> Option<Context> {
        receiver_name(receiver)
            .and_then(|name| self.binding(&name))
            .or_else(|| self.scopes.last().and_then(|s| s.context))
    }

    /// The context of binding `name`, looking outwards up to the enclosing fn.
    fn binding(&self, name: &str) -> Option<Context> {
        for scope in self.scopes.iter().rev() {
            if let Some((_, context)) = scope.bindings.iter().rev().find(|(n, _)| n == name) {
                return Some(*context);
            }
            if scope.is_fn {
                break;
            }
        }
        None
    }

    /// Judges a call of `method` with `arity` arguments on `context`.
    fn check_method(&mut self, context: Option<Context>, method: &Ident, arity: usize) {
        self.check_method_use(context, method, Some(arity));
    }

    /// Judges `Type::method` used as a value (`arity` `None`), or called.
    fn check_method_use(&mut self, context: Option<Context>, method: &Ident, arity: Option<usize>) {
        let Some(entry) = table::method_for(context, &method.to_string(), arity) else {
            if table::POOL_METHODS.iter().any(|m| method == m) {
                self.error(format_err!(
                    method,
                    "`.{method}()` {}",
                    table::POOL_ADVICE.explain("the call")
                ));
            }
            if arity.is_some() {
                self.check_float(None, method, arity);
            }
            return;
        };
        let call = match arity {
            None => format!("{}::{}", entry.context.type_name(), entry.name),
            Some(0) => format!("{}()", entry.name),
            Some(1) => format!("{}(i)", entry.name),
            Some(_) => format!("{}(..)", entry.name),
        };
        let shown = match arity {
            None => call.clone(),
            Some(_) => format!("{}::{call}", entry.context.type_name()),
        };
        let what = match arity {
            None => "the use",
            Some(_) => "the call",
        };
        match entry.portability {
            Portability::Diverges => self.warn(
                method.span(),
                format!(
                    "`{shown}` behaves differently on the host mock and on the runtime: {}",
                    entry.advice.explain(what)
                ),
            ),
            Portability::TargetSpecific => self.error(format_err!(
                method,
                "`{call}` is target-specific: {}",
                entry.advice.explain(what)
            )),
        }
    }

    // -- paths ---------------------------------------------------------------

    /// Checks the path of a macro invocation: `thread_local!` is banned.
    fn check_macro_path(&mut self, idents: &[&Ident]) {
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

    /// std's transcendental float method `method`, called on any receiver
    /// (`x.sin()`, `ty` `None`) or through `f64`/`f32` (`f64::sin(x)`, or
    /// `f64::sin` as a value): a warning naming `grafos::math`'s function.
    /// A method name alone cannot prove the receiver is a float, but user
    /// types rarely take these names; `#[target_specific]` silences it.
    fn check_float(&mut self, ty: Option<&Ident>, method: &Ident, arity: Option<usize>) {
        let Some((f64_fn, f32_fn)) = table::float_method(&method.to_string(), arity) else {
            return;
        };
        let (written, instead) = match ty {
            Some(ty) if *ty == "f32" => (
                format!("f32::{method}"),
                format!("`grafos::math::{f32_fn}`"),
            ),
            Some(ty) => (
                format!("{ty}::{method}"),
                format!("`grafos::math::{f64_fn}`"),
            ),
            None => (
                format!(".{method}()"),
                format!("`grafos::math::{f64_fn}` (`{f32_fn}` for f32)"),
            ),
        };
        let message = format!(
            "`{written}` {}; use {instead}, or mark the call `#[target_specific]` if it is \
             meant to differ between targets",
            table::FLOAT_MATH
        );
        match self.silencers.last_mut() {
            Some(silencer) => silencer.used = true,
            None => self
                .diag
                .warn(method.span(), WarningKind::FloatMath, message),
        }
    }

    /// `Path::new(p).exists()`: a file-system query on a receiver that is
    /// visibly a `Path` or `PathBuf`, judged as the path `Path::exists`.
    fn check_path_method(&mut self, receiver: &Expr, method: &Ident) {
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
    fn expand(&self, idents: &[&Ident], leading_colon: bool) -> (Vec<String>, usize) {
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
    fn check_path(&mut self, idents: &[&Ident], leading_colon: bool) {
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
    fn check_hasher(
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
    fn hashed_segment(&self, idents: &[&Ident], leading_colon: bool) -> Option<(usize, Hashed)> {
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
    fn collect_aliases(&mut self, tree: &UseTree, prefix: Vec<&Ident>) {
        self.walk_use_tree(tree, prefix, false);
    }

    fn walk_use_tree<'t>(&mut self, tree: &'t UseTree, mut prefix: Vec<&'t Ident>, report: bool) {
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
    fn use_leaf(&mut self, path: &[&Ident], local: Option<String>, report: bool) {
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
    fn check_glob(&mut self, prefix: &[&Ident], glob: &syn::UseGlob) {
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

/// The binding a receiver expression names: `w` in `w.f()`, `(*w).f()` or
/// `(&mut w).f()`.
fn receiver_name(receiver: &Expr) -> Option<String> {
    match receiver {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
        Expr::Paren(p) => receiver_name(&p.expr),
        Expr::Group(g) => receiver_name(&g.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => receiver_name(&u.expr),
        Expr::Reference(r) => receiver_name(&r.expr),
        _ => None,
    }
}

/// The bindings of context type among a fn's or closure's parameters, and
/// the context they agree on, if they do.
fn typed_bindings<'p>(
    params: impl Iterator<Item = (&'p syn::Pat, Option<&'p syn::Type>)>,
) -> (Vec<(String, Context)>, Option<Context>) {
    let bindings: Vec<(String, Context)> = params
        .filter_map(|(pat, ty)| {
            let context = Context::of_type(ty?)?;
            match pat {
                syn::Pat::Ident(p) => Some((p.ident.to_string(), context)),
                _ => None,
            }
        })
        .collect();
    let agreed = bindings
        .first()
        .map(|(_, c)| *c)
        .filter(|first| bindings.iter().all(|(_, c)| c == first));
    (bindings, agreed)
}

impl Linter<'_> {
    fn visit_fn_body(&mut self, attrs: &[Attribute], sig: &syn::Signature, block: &syn::Block) {
        let params = sig.inputs.iter().filter_map(|arg| match arg {
            syn::FnArg::Typed(pt) => Some((&*pt.pat, Some(&*pt.ty))),
            syn::FnArg::Receiver(_) => None,
        });
        let (bindings, agreed) = typed_bindings(params);
        let marked = attrs
            .iter()
            .find_map(|attr| match Marker::of(attr, self.krate) {
                Some(Marker::Coordinator) => Some(Context::Coordinator),
                Some(Marker::Worker) => Some(Context::Worker),
                _ => None,
            });
        for attr in attrs {
            self.visit_attribute(attr);
        }
        self.scopes.push(Scope {
            is_fn: true,
            context: marked.or(agreed),
            bindings,
        });
        self.visit_signature(sig);
        self.visit_block(block);
        self.scopes.pop();
    }
}

impl Linter<'_> {
    /// Judges the options of a `cfg` predicate in `tokens`, written as
    /// `what` (`cfg!`, `#[cfg]`, `#[cfg_attr]`): a target's is an error,
    /// `debug_assertions` a warning. Reports once per predicate.
    fn check_cfg(&mut self, what: &str, tokens: proc_macro2::TokenStream) {
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
fn cfg_attr_predicate(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    tokens
        .into_iter()
        .take_while(|t| !matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == ','))
        .collect()
}

impl<'ast> Visit<'ast> for Linter<'_> {
    fn visit_attribute(&mut self, attr: &'ast Attribute) {
        // Attribute arguments are not code, but a target `cfg` selects code.
        let syn::Meta::List(list) = &attr.meta else {
            return;
        };
        if list.path.is_ident("cfg") {
            self.check_cfg("#[cfg(..)]", list.tokens.clone());
        } else if list.path.is_ident("cfg_attr") {
            self.check_cfg("#[cfg_attr(..)]", cfg_attr_predicate(list.tokens.clone()));
        }
    }

    fn visit_item(&mut self, item: &'ast Item) {
        let silencers = self.enter_item(item_attrs(item), matches!(item, Item::Use(_)));
        self.depth += 1;
        visit::visit_item(self, item);
        self.depth -= 1;
        self.leave(silencers);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.visit_fn_body(&f.attrs, &f.sig, &f.block);
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs: &[Attribute] = match item {
            syn::ImplItem::Const(c) => &c.attrs,
            syn::ImplItem::Fn(f) => &f.attrs,
            syn::ImplItem::Type(t) => &t.attrs,
            syn::ImplItem::Macro(m) => &m.attrs,
            _ => &[],
        };
        let silencers = self.enter(attrs);
        visit::visit_impl_item(self, item);
        self.leave(silencers);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.visit_fn_body(&f.attrs, &f.sig, &f.block);
    }

    fn visit_trait_item(&mut self, item: &'ast syn::TraitItem) {
        let attrs: &[Attribute] = match item {
            syn::TraitItem::Const(c) => &c.attrs,
            syn::TraitItem::Fn(f) => &f.attrs,
            syn::TraitItem::Type(t) => &t.attrs,
            syn::TraitItem::Macro(m) => &m.attrs,
            _ => &[],
        };
        let silencers = self.enter(attrs);
        visit::visit_trait_item(self, item);
        self.leave(silencers);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        match &f.default {
            Some(block) => self.visit_fn_body(&f.attrs, &f.sig, block),
            None => self.visit_signature(&f.sig),
        }
    }

    fn visit_stmt(&mut self, stmt: &'ast Stmt) {
        let attrs: &[Attribute] = match stmt {
            Stmt::Local(local) => &local.attrs,
            Stmt::Macro(mac) => &mac.attrs,
            // Items and expressions are entered by `visit_item`/`visit_expr`.
            Stmt::Item(_) | Stmt::Expr(..) => &[],
        };
        let silencers = self.enter(attrs);
        visit::visit_stmt(self, stmt);
        self.leave(silencers);
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        let silencers = self.enter(&arm.attrs);
        visit::visit_arm(self, arm);
        self.leave(silencers);
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        let silencers = self.enter(expr_attrs(expr));
        visit::visit_expr(self, expr);
        self.leave(silencers);
    }

    fn visit_expr_closure(&mut self, closure: &'ast syn::ExprClosure) {
        let is_region = std::mem::take(&mut self.next_closure_is_region);
        let params = closure.inputs.iter().map(|pat| match pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some(&*pt.ty)),
            other => (other, None),
        });
        let (mut bindings, agreed) = typed_bindings(params);
        if is_region {
            // `parallel_for_workers(|w| ..)`: `w` is the lane's context.
            if let Some(syn::Pat::Ident(p)) = closure.inputs.first() {
                bindings.push((p.ident.to_string(), Context::Worker));
            }
        }
        let inherited = self.scopes.last().and_then(|s| s.context);
        self.scopes.push(Scope {
            is_fn: false,
            context: if is_region {
                Some(Context::Worker)
            } else {
                agreed.or(inherited)
            },
            bindings,
        });
        visit::visit_expr_closure(self, closure);
        self.scopes.pop();
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let context = self.context_of(&call.receiver);
        self.check_method(context, &call.method, call.args.len());
        self.check_path_method(&call.receiver, &call.method);
        self.visit_expr(&call.receiver);
        let region = call.method == "parallel_for_workers";
        for arg in &call.args {
            self.next_closure_is_region = region && is_closure(arg);
            self.visit_expr(arg);
        }
        self.next_closure_is_region = false;
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        // `WorkerCtx::worker_index(w)`, `Coordinator::scratch(c, 1)`.
        if let Expr::Path(p) = &*call.func {
            let segments = &p.path.segments;
            if segments.len() >= 2 {
                let ty = &segments[segments.len() - 2].ident;
                let method = &segments[segments.len() - 1].ident;
                if let Some(context) = Context::of_name(&ty.to_string()) {
                    let arity = call.args.len().saturating_sub(1);
                    self.check_method(Some(context), method, arity);
                }
                if segments.len() == 2 && (ty == "f64" || ty == "f32") {
                    let arity = call.args.len().saturating_sub(1);
                    self.check_float(Some(ty), method, Some(arity));
                }
            }
            // The callee's path, without judging it again as a value.
            if let Some(qself) = &p.qself {
                self.visit_type(&qself.ty);
            }
            self.visit_path(&p.path);
        } else {
            self.visit_expr(&call.func);
        }
        for arg in &call.args {
            self.visit_expr(arg);
        }
    }

    fn visit_expr_path(&mut self, expr: &'ast syn::ExprPath) {
        // `.map(WorkerCtx::worker_index)`: judged like a call.
        let segments = &expr.path.segments;
        if segments.len() >= 2 {
            let ty = &segments[segments.len() - 2].ident;
            if let Some(context) = Context::of_name(&ty.to_string()) {
                self.check_method_use(Some(context), &segments[segments.len() - 1].ident, None);
            }
            if segments.len() == 2 && (ty == "f64" || ty == "f32") {
                self.check_float(Some(ty), &segments[1].ident, None);
            }
        }
        visit::visit_expr_path(self, expr);
    }

    fn visit_path(&mut self, path: &'ast Path) {
        let idents: Vec<&Ident> = path.segments.iter().map(|s| &s.ident).collect();
        self.check_path(&idents, path.leading_colon.is_some());
        let generics: Vec<_> = path
            .segments
            .iter()
            .map(|s| match &s.arguments {
                syn::PathArguments::AngleBracketed(args) => Some(args),
                _ => None,
            })
            .collect();
        self.check_hasher(&idents, path.leading_colon.is_some(), &generics);
        visit::visit_path(self, path);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.walk_use_tree(&item.tree, Vec::new(), true);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        if let syn::StaticMutability::Mut(mutability) = &item.mutability {
            let start = &item.static_token;
            self.error(format_err!(
                quote!(#start #mutability),
                "{}",
                table::STATIC_MUT
            ));
        }
        visit::visit_item_static(self, item);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let idents: Vec<&Ident> = mac.path.segments.iter().map(|s| &s.ident).collect();
        self.check_macro_path(&idents);
        if is_cfg_macro(&idents) {
            self.check_cfg("cfg!(..)", mac.tokens.clone());
        }
        self.visit_path(&mac.path);
        tokens::scan(self, mac.tokens.clone());
    }
}

/// The name an item defines in the type namespace, if any.
fn item_name(item: &Item) -> Option<&Ident> {
    match item {
        Item::Struct(i) => Some(&i.ident),
        Item::Enum(i) => Some(&i.ident),
        Item::Union(i) => Some(&i.ident),
        Item::Type(i) => Some(&i.ident),
        Item::Trait(i) => Some(&i.ident),
        Item::Mod(i) => Some(&i.ident),
        _ => None,
    }
}

/// `cfg!` or `std::cfg!`/`core::cfg!`.
fn is_cfg_macro(idents: &[&Ident]) -> bool {
    match idents {
        [cfg] => *cfg == "cfg",
        [krate, cfg] => (*krate == "std" || *krate == "core") && *cfg == "cfg",
        _ => false,
    }
}

fn is_closure(expr: &Expr) -> bool {
    match expr {
        Expr::Closure(_) => true,
        Expr::Paren(p) => is_closure(&p.expr),
        Expr::Group(g) => is_closure(&g.expr),
        _ => false,
    }
}

/// The outer attributes of an expression.
fn expr_attrs(expr: &Expr) -> &[Attribute] {
    macro_rules! attrs {
        ($($variant:ident),* $(,)?) => {
            match expr {
                $(Expr::$variant(e) => &e.attrs,)*
                _ => &[],
            }
        };
    }
    attrs!(
        Array, Assign, Async, Await, Binary, Block, Break, Call, Cast, Closure, Const, Continue,
        Field, ForLoop, Group, If, Index, Infer, Let, Lit, Loop, Macro, Match, MethodCall, Paren,
        Path, Range, RawAddr, Reference, Repeat, Return, Struct, Try, TryBlock, Tuple, Unary,
        Unsafe, While, Yield,
    )
}

#[cfg(test)]
mod tests;
