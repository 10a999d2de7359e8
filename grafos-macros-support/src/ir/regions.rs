//! Fns the coordinator runs as regions (`parallel_for_workers(count)`)
//! must be workers: a fn with plain parameters that lacks `#[worker]` would
//! otherwise meet the region with rustc's "expected a closure that takes 1
//! argument", pointing into the SDK.

use proc_macro2::Ident;
use syn::visit::{self, Visit};
use syn::{Expr, FnArg, Item, ItemFn};

use super::{Entry, is_named};
use crate::diag::{Diagnostics, format_err};
use crate::sdk::Context;

/// Region methods, and which argument is the body each runs.
const REGIONS: &[(&str, usize)] = &[
    ("parallel_for_workers", 0),
    ("parallel_for_tasks", 1),
    ("map_workers", 0),
];

/// Reports each unmarked fn of the module that a region runs and that is
/// not already of a region's shape (`fn(&mut Worker)`,
/// `fn(&mut Worker, Task)`), and turns it into a rejected worker so its
/// call site adds no error of its own.
pub(super) fn ensure_region_fns_are_workers(entries: &mut [Entry], diag: &mut Diagnostics) {
    let mut calls = RegionCalls::default();
    for entry in entries.iter() {
        match entry {
            Entry::Item(item) => calls.visit_item(item),
            Entry::Worker(worker) => calls.visit_item_fn(&worker.item),
            Entry::RejectedWorker(f) => calls.visit_item_fn(f),
        }
    }
    for entry in entries.iter_mut() {
        let Entry::Item(Item::Fn(f)) = entry else {
            continue;
        };
        let Some((_, method)) = calls.found.iter().find(|(name, _)| *name == f.sig.ident) else {
            continue;
        };
        if has_region_shape(f) {
            continue;
        }
        diag.error(format_err!(
            &f.sig.ident,
            "`{name}` runs on the data lanes (the coordinator passes it to `{method}`), but it \
             is not marked `#[worker]`: add `#[worker]` above it, so the macro fills in its \
             parameters (`&Shared`, `&[u8]`, `Lane`, ...)",
            name = f.sig.ident,
        ));
        // Only on this error path: the copy is the rejected worker's.
        *entry = Entry::RejectedWorker(f.clone());
    }
}

/// `fn(&mut Worker)` or `fn(&mut Worker, Task)`: what a region runs as is.
fn has_region_shape(f: &ItemFn) -> bool {
    let mut inputs = f.sig.inputs.iter();
    let context = matches!(
        inputs.next(),
        Some(FnArg::Typed(p)) if matches!(&*p.ty, syn::Type::Reference(r)
            if r.mutability.is_some() && Context::of_type(&r.elem) == Some(Context::Worker))
    );
    let task = match inputs.next() {
        None => true,
        Some(FnArg::Typed(p)) => {
            matches!(&*p.ty, syn::Type::Path(t) if is_named(&t.path, "Task"))
        }
        Some(FnArg::Receiver(_)) => false,
    };
    context && task && inputs.next().is_none()
}

/// Names of fns passed by name to a region method, with the method.
#[derive(Default)]
struct RegionCalls {
    found: Vec<(Ident, &'static str)>,
}

impl Visit<'_> for RegionCalls {
    fn visit_expr_method_call(&mut self, call: &syn::ExprMethodCall) {
        if let Some(&(method, at)) = REGIONS.iter().find(|(m, _)| call.method == m)
            && let Some(Expr::Path(path)) = call.args.iter().nth(at)
            && let Some(name) = path.path.get_ident()
        {
            self.found.push((name.clone(), method));
        }
        visit::visit_expr_method_call(self, call);
    }
}
