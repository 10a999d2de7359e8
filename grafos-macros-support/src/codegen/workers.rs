//! `#[worker]` fns. One that takes `&mut Worker` (and a `Task`) is already
//! what `parallel_for_workers` (`parallel_for_tasks`) runs and stays as
//! written. One with plain parameters becomes
//! `fn name(lane: &mut Worker) -> Result<(), TaskletError>` (with a second
//! parameter `task: Task` if it takes the `Task`) that borrows the lane's
//! parts once (`WorkerCtx::parts`) and calls the user's fn, kept inside it
//! unchanged, so its body, its `return`s and its types read exactly as
//! written.
//!
//! A `#[worker]` the macro rejected becomes a stub of the shape its call
//! site expects (see [`rejected`]), so the macro's error is the only one.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{AttrStyle, ItemFn, ReturnType};

use crate::args::Config;
use crate::ir::{Param, ParamKind, Worker, WorkerForm, WorkerOutput, is_named};

pub(super) fn generate(worker: &Worker, config: &Config) -> TokenStream {
    match &worker.form {
        WorkerForm::Context => worker.item.to_token_stream(),
        WorkerForm::Plain(params) => adapter(&worker.item, params, config),
    }
}

fn adapter(f: &ItemFn, params: &[Param], config: &Config) -> TokenStream {
    let krate = &config.krate;
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
        ..
    } = f;
    let ident = &sig.ident;
    // Hygienic names: they cannot clash with the user's.
    let lane = Ident::new("lane", Span::mixed_site());
    let parts = Ident::new("parts", Span::mixed_site());
    let task = Ident::new("task", Span::mixed_site());
    let args = params.iter().map(|param| {
        let span = param.ty.span();
        match param.kind {
            ParamKind::Context { mutable: true } => quote_spanned!(span=> #lane),
            ParamKind::Context { mutable: false } => quote_spanned!(span=> &*#lane),
            ParamKind::Shared => quote_spanned!(span=> #parts.shared),
            ParamKind::Scratch => quote_spanned!(span=> &*#parts.scratch),
            ParamKind::ScratchMut => quote_spanned!(span=> #parts.scratch),
            ParamKind::Input => quote_spanned!(span=> #parts.input),
            ParamKind::InputAs => {
                let elem = match crate::ir::peel(&param.ty) {
                    syn::Type::Reference(r) => match crate::ir::peel(&r.elem) {
                        syn::Type::Slice(slice) => Some(&slice.elem),
                        _ => None,
                    },
                    _ => None,
                };
                let elem = elem.map_or_else(|| quote!(_), |e| quote!(#e));
                quote_spanned!(span=> #krate::__private::input_view::<#elem>(#parts.input))
            }
            ParamKind::Lane => quote_spanned!(span=> #parts.lane),
            ParamKind::Task => quote_spanned!(span=> #task),
        }
    });
    let task_param = WorkerForm::takes_task(params).then(|| quote!(, #task: #krate::cpu::Task));
    let lane_param = if params.is_empty() {
        quote!(_)
    } else {
        quote!(#lane)
    };
    let takes_parts = params
        .iter()
        .any(|p| !matches!(p.kind, ParamKind::Context { .. } | ParamKind::Task));
    let borrow_parts =
        takes_parts.then(|| quote!(let #parts = #krate::cpu::WorkerCtx::parts(#lane);));
    let (outer, inner): (Vec<_>, Vec<_>) = attrs
        .iter()
        .partition(|attr| matches!(attr.style, AttrStyle::Outer));
    let mut user_fn = sig.to_token_stream();
    block.brace_token.surround(&mut user_fn, |body| {
        body.extend(quote!(#(#inner)*));
        for stmt in &block.stmts {
            stmt.to_tokens(body);
        }
    });
    let output = match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => ident.span(),
    };
    // The call's path and parentheses carry the return type's span, so an
    // unfit return type is reported there. A fn that returns a value
    // becomes one that `map_workers` runs: `-> Result<T, TaskletError>`.
    let tasklet_error = quote!(#krate::cpu::TaskletError);
    let (finish, value) = match (WorkerOutput::of(&sig.output), &sig.output) {
        (WorkerOutput::Outcome, _) | (_, ReturnType::Default) => (
            quote!(#krate::cpu::LaneResult::into_lane_result),
            quote!(()),
        ),
        (WorkerOutput::Result, ReturnType::Type(_, ty)) => (
            quote!(#krate::__private::WorkerValue::into_worker_value),
            quote_spanned!(output=> <#ty as #krate::__private::WorkerValue>::Value),
        ),
        (WorkerOutput::Value, ReturnType::Type(_, ty)) => (
            quote!(::core::result::Result::Ok::<#ty, #tasklet_error>),
            quote!(#ty),
        ),
    };
    let finish = super::respanned(finish, output);
    let mut callee = ident.clone();
    callee.set_span(output);
    let mut args = Group::new(Delimiter::Parenthesis, quote!(#(#args),*));
    args.set_span(output);
    let mut call = Group::new(Delimiter::Parenthesis, quote!(#callee #args));
    call.set_span(output);
    quote! {
        #(#outer)*
        #vis fn #ident(#lane_param: &mut Worker #task_param)
            -> ::core::result::Result<#value, #tasklet_error>
        {
            #user_fn
            #borrow_parts
            #finish #call
        }
    }
}

/// A `#[worker]` fn the macro rejected (its error is reported already), as
/// a stub with the signature a region runs: `fn(&mut Worker)`, or
/// `fn(&mut Worker, Task)` if it names a `Task`. The user's fn is nested
/// inside, unchanged, so the compiler still checks its body, while the call
/// site `parallel_for_workers(name)` type-checks and adds no second error
/// ("expected a closure that takes 1 argument") to the macro's.
pub(super) fn rejected(f: &ItemFn, config: &Config) -> TokenStream {
    let krate = &config.krate;
    let ItemFn {
        attrs, vis, sig, ..
    } = f;
    let ident = &sig.ident;
    let takes_task = sig.inputs.iter().any(|arg| match arg {
        syn::FnArg::Typed(param) => {
            matches!(&*param.ty, syn::Type::Path(p) if is_named(&p.path, "Task"))
        }
        syn::FnArg::Receiver(_) => false,
    });
    let task = takes_task.then(|| quote!(, _: #krate::cpu::Task));
    // A `self` parameter cannot be nested in a fn: its error is reported.
    let has_self = sig.receiver().is_some();
    let original = (!has_self).then(|| quote!(#[allow(dead_code, improper_ctypes_definitions)] #f));
    let outer = attrs
        .iter()
        .filter(|attr| matches!(attr.style, AttrStyle::Outer));
    quote! {
        #(#outer)*
        #[allow(unreachable_code)]
        #vis fn #ident(_: &mut Worker #task)
            -> ::core::result::Result<(), #krate::cpu::TaskletError>
        {
            #original
            ::core::unreachable!("a rejected `#[worker]`: the build fails before this runs")
        }
    }
}
