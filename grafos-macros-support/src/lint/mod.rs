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

mod cfg;
mod glob;
mod methods;
mod paths;
mod table;
mod tokens;

pub(crate) use crate::sdk::Context;

use proc_macro2::Span;
use quote::quote;
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, Ident, Item, ItemMod, Path, Stmt};

use crate::diag::{Diagnostics, WarningKind, format_err};
use crate::markers::{Marker, item_attrs};
use cfg::{cfg_attr_predicate, is_cfg_macro};
use methods::typed_bindings;
use table::Hashed;

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
