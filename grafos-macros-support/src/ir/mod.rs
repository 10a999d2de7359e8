//! The tasklet, taken apart into what code generation needs: the module's
//! items, its coordinator and its workers. Built with `TryFrom` and a series
//! of small `ensure_*` checks that report every problem, not only the first;
//! a rejected tasklet still carries its module, so the editor keeps seeing
//! the user's items.

mod regions;
mod signature;

pub(crate) use signature::{Param, ParamKind, WorkerForm, WorkerOutput, is_named, peel};

use proc_macro2::Ident;
use syn::{Item, ItemFn, ItemMod, ReturnType};

use crate::args::Config;
use crate::diag::{Diagnostics, format_err};
use crate::markers::{Marker, item_attrs};

/// Names the macro generates inside the module.
pub(crate) const GENERATED_NAMES: &[&str] = &[
    "Coordinator",
    "Worker",
    "INFO",
    "builder",
    "run_host",
    "run_host_with",
    "grafos_tasklet_matches_wasm",
];

/// A checked tasklet.
#[derive(Debug)]
pub(crate) struct Tasklet {
    pub(crate) config: Config,
    /// The name of its wasm export `grafos_v0_tasklet_<name>` and its record.
    pub(crate) name: String,
    pub(crate) module: Module,
    pub(crate) coordinator: Coordinator,
}

/// A tasklet that failed its checks, with what can still be emitted.
#[derive(Debug)]
pub(crate) struct Rejected {
    pub(crate) config: Config,
    pub(crate) module: Module,
    pub(crate) diag: Diagnostics,
}

/// The module as it will be emitted.
#[derive(Debug)]
pub(crate) struct Module {
    /// The `mod` item with its items taken out.
    pub(crate) shell: ItemMod,
    pub(crate) entries: Vec<Entry>,
}

/// An item of the module.
#[derive(Debug)]
pub(crate) enum Entry {
    /// Emitted as written (the coordinator and a rejected worker too).
    Item(Item),
    /// A checked worker.
    Worker(Worker),
    /// A `#[worker]` fn (or a fn passed to a region without the marker)
    /// whose error is reported: emitted as a stub of a worker's shape.
    RejectedWorker(ItemFn),
}

/// A checked `#[worker]` fn.
#[derive(Debug)]
pub(crate) struct Worker {
    pub(crate) item: ItemFn,
    pub(crate) form: WorkerForm,
}

/// The checked `#[coordinator]` fn.
#[derive(Debug)]
pub(crate) struct Coordinator {
    pub(crate) ident: Ident,
    pub(crate) output: ReturnType,
}

impl Module {
    /// The workers, in source order.
    pub(crate) fn workers(&self) -> impl Iterator<Item = &Worker> {
        self.entries.iter().filter_map(|entry| match entry {
            Entry::Worker(worker) => Some(worker),
            Entry::Item(_) | Entry::RejectedWorker(_) => None,
        })
    }
}

/// `#[grafos::tasklet]` goes on an inline module; returns it, or the item
/// unchanged with the error.
#[allow(clippy::result_large_err)] // the item goes back out unchanged on error
pub(crate) fn ensure_inline_module(item: Item) -> Result<ItemMod, (Item, syn::Error)> {
    match item {
        Item::Mod(module) if module.content.is_some() => Ok(module),
        Item::Mod(module) => {
            let error = format_err!(
                quote::quote!(#module),
                "`#[grafos::tasklet]` needs the module's items: write them inline, \
                 `mod {} {{ .. }}`, instead of in another file",
                module.ident
            );
            Err((Item::Mod(module), error))
        }
        other => {
            let error = format_err!(
                item_head(&other),
                "`#[grafos::tasklet]` goes on an inline module, `mod name {{ .. }}`, holding a \
                 `#[coordinator]` fn and its `#[worker]` fns; this is {}",
                item_kind(&other)
            );
            Err((other, error))
        }
    }
}

impl TryFrom<(Config, ItemMod)> for Tasklet {
    type Error = Rejected;

    fn try_from((config, mut shell): (Config, ItemMod)) -> Result<Self, Rejected> {
        let mut diag = Diagnostics::default();
        let items = shell
            .content
            .as_mut()
            .map(|(_, items)| std::mem::take(items));
        let mut coordinators = Vec::new();
        let entries: Vec<Entry> = items
            .into_iter()
            .flatten()
            .map(|item| classify(item, &config, &mut coordinators, &mut diag))
            .collect();
        let name = diag.handle(config.tasklet_name(&shell.ident));
        let coordinator = diag
            .handle(ensure_one_coordinator(&shell.ident, coordinators))
            .flatten();
        let mut entries = entries;
        regions::ensure_region_fns_are_workers(&mut entries, &mut diag);
        ensure_no_generated_names(&entries, &mut diag);
        let module = Module { shell, entries };
        match (diag.has_errors(), name, coordinator) {
            (false, Some(name), Some(coordinator)) => Ok(Tasklet {
                config,
                name,
                module,
                coordinator,
            }),
            _ => Err(Rejected {
                config,
                module,
                diag,
            }),
        }
    }
}

/// A coordinator found in the module: its name, and its signature if valid.
type Found = (Ident, Option<Coordinator>);

/// Sorts one item of the module, checking the markers on it.
fn classify(
    item: Item,
    config: &Config,
    coordinators: &mut Vec<Found>,
    diag: &mut Diagnostics,
) -> Entry {
    let Item::Fn(mut f) = item else {
        ensure_no_markers(&item, config, diag);
        return Entry::Item(item);
    };
    let role = role(&f, config, diag);
    // The fn is emitted without its role's marker.
    f.attrs.retain(|attr| {
        !matches!(
            Marker::of(attr, &config.krate),
            Some(Marker::Coordinator | Marker::Worker)
        )
    });
    match role {
        None => Entry::Item(Item::Fn(f)),
        Some(Marker::Worker) => match signature::worker(&f, config) {
            Ok(form) => Entry::Worker(Worker { item: f, form }),
            Err(error) => {
                diag.error(error);
                Entry::RejectedWorker(f)
            }
        },
        Some(_) => {
            let coordinator = diag
                .handle(signature::coordinator(&f))
                .map(|()| Coordinator {
                    ident: f.sig.ident.clone(),
                    output: f.sig.output.clone(),
                });
            coordinators.push((f.sig.ident.clone(), coordinator));
            Entry::Item(Item::Fn(f))
        }
    }
}

/// Whether a fn is the coordinator or a worker, from its markers.
fn role(f: &ItemFn, config: &Config, diag: &mut Diagnostics) -> Option<Marker> {
    let mut role: Option<Marker> = None;
    for attr in &f.attrs {
        let Some(marker) = Marker::of(attr, &config.krate) else {
            continue;
        };
        if marker == Marker::TargetSpecific {
            continue;
        }
        diag.handle(Marker::ensure_bare(attr, marker));
        match role {
            None => role = Some(marker),
            Some(earlier) if earlier == marker => diag.error(format_err!(
                attr,
                "duplicate `#[{}]` on `{}`",
                marker.name(),
                f.sig.ident
            )),
            Some(_) => diag.error(format_err!(
                attr,
                "`{}` cannot be both the `#[coordinator]` and a `#[worker]`: the coordinator \
                 runs on lane 0, workers on the data lanes",
                f.sig.ident
            )),
        }
    }
    role
}

/// `#[coordinator]` and `#[worker]` go on fns only.
fn ensure_no_markers(item: &Item, config: &Config, diag: &mut Diagnostics) {
    for attr in item_attrs(item) {
        if let Some(marker @ (Marker::Coordinator | Marker::Worker)) =
            Marker::of(attr, &config.krate)
        {
            diag.error(format_err!(
                attr,
                "`#[{}]` goes on a fn, not on {}",
                marker.name(),
                item_kind(item)
            ));
        }
    }
}

/// Exactly one `#[coordinator]`; `None` if its signature was invalid (and
/// reported where it was checked).
fn ensure_one_coordinator(module: &Ident, found: Vec<Found>) -> syn::Result<Option<Coordinator>> {
    let mut found = found.into_iter();
    let Some((first, coordinator)) = found.next() else {
        return Err(format_err!(
            module,
            "a tasklet needs a `#[coordinator]` fn: `#[coordinator] fn run(coord: &mut \
             Coordinator) -> Result<(), TaskletError>`, which runs on lane 0 and starts the \
             workers with `coord.parallel_for_workers(..)`"
        ));
    };
    let mut errors = Diagnostics::default();
    for (extra, _) in found {
        errors.error(format_err!(
            &extra,
            "a tasklet has one `#[coordinator]` fn, and `{first}` is already it; make `{extra}` \
             a plain fn that the coordinator calls"
        ));
    }
    errors.into_result().map(|()| coordinator)
}

/// The user's items must not take the names the macro generates.
fn ensure_no_generated_names(entries: &[Entry], diag: &mut Diagnostics) {
    let mut names = Vec::new();
    for entry in entries {
        match entry {
            Entry::Worker(worker) => names.push(&worker.item.sig.ident),
            Entry::RejectedWorker(f) => names.push(&f.sig.ident),
            Entry::Item(item) => defined_names(item, &mut names),
        }
    }
    for name in names {
        if GENERATED_NAMES.iter().any(|generated| name == generated) {
            diag.error(format_err!(
                name,
                "`{name}` is generated by `#[grafos::tasklet]` in this module; rename this item"
            ));
        }
    }
}

/// The names an item defines in the module's namespaces.
fn defined_names<'a>(item: &'a Item, names: &mut Vec<&'a Ident>) {
    fn use_names<'a>(tree: &'a syn::UseTree, names: &mut Vec<&'a Ident>) {
        match tree {
            syn::UseTree::Path(p) => use_names(&p.tree, names),
            syn::UseTree::Name(n) => names.push(&n.ident),
            syn::UseTree::Rename(r) => names.push(&r.rename),
            syn::UseTree::Glob(_) => {}
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_names(t, names)),
        }
    }
    match item {
        Item::Const(i) => names.push(&i.ident),
        Item::Enum(i) => names.push(&i.ident),
        Item::Fn(i) => names.push(&i.sig.ident),
        Item::Mod(i) => names.push(&i.ident),
        Item::Static(i) => names.push(&i.ident),
        Item::Struct(i) => names.push(&i.ident),
        Item::Trait(i) => names.push(&i.ident),
        Item::Type(i) => names.push(&i.ident),
        Item::Union(i) => names.push(&i.ident),
        Item::Use(i) => use_names(&i.tree, names),
        _ => {}
    }
}

/// The tokens that say what an item is, `fn run` or `struct Lanes`, to span
/// an error at rather than the whole item.
fn item_head(item: &Item) -> proc_macro2::TokenStream {
    use quote::quote;
    match item {
        Item::Fn(i) => {
            let (token, ident) = (&i.sig.fn_token, &i.sig.ident);
            quote!(#token #ident)
        }
        Item::Struct(i) => {
            let (token, ident) = (&i.struct_token, &i.ident);
            quote!(#token #ident)
        }
        Item::Enum(i) => {
            let (token, ident) = (&i.enum_token, &i.ident);
            quote!(#token #ident)
        }
        Item::Trait(i) => {
            let (token, ident) = (&i.trait_token, &i.ident);
            quote!(#token #ident)
        }
        Item::Impl(i) => {
            let (token, ty) = (&i.impl_token, &i.self_ty);
            quote!(#token #ty)
        }
        other => quote!(#other),
    }
}

/// "a struct", "an impl block", .. for messages.
fn item_kind(item: &Item) -> &'static str {
    match item {
        Item::Const(_) => "a const",
        Item::Enum(_) => "an enum",
        Item::ExternCrate(_) => "an extern crate",
        Item::Fn(_) => "a fn",
        Item::ForeignMod(_) => "an extern block",
        Item::Impl(_) => "an impl block",
        Item::Macro(_) => "a macro",
        Item::Mod(_) => "a module",
        Item::Static(_) => "a static",
        Item::Struct(_) => "a struct",
        Item::Trait(_) | Item::TraitAlias(_) => "a trait",
        Item::Type(_) => "a type alias",
        Item::Union(_) => "a union",
        Item::Use(_) => "a use declaration",
        _ => "this item",
    }
}

impl Worker {
    /// The worker's name as `INFO` lists it.
    pub(crate) fn name(&self) -> String {
        crate::args::unraw(&self.item.sig.ident)
    }
}

#[cfg(test)]
mod tests;
