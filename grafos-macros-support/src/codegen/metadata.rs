//! `INFO`, and the compile-time checks that the configured region sizes hold
//! the shared and scratch types (evaluated for each target: a `usize` field
//! is 8 bytes on the host and 4 in wasm32).

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::Type;

use crate::args::{Config, Number};
use crate::diag::pretty;
use crate::ir::Tasklet;

pub(super) fn generate(tasklet: &Tasklet) -> TokenStream {
    let Config {
        krate,
        shared,
        scratch,
        ..
    } = &tasklet.config;
    let config = &tasklet.config;
    let name = &tasklet.name;
    let workers = Literal::u32_unsuffixed(config.workers);
    let shared_bytes = region_bytes(&config.shared_bytes, shared);
    let scratch_bytes = region_bytes(&config.scratch_bytes, scratch);
    let fuel = match &config.fuel {
        Some(fuel) => fuel.unsuffixed().into_token_stream(),
        None => quote!(#krate::cpu::DEFAULT_FUEL),
    };
    let worker_names = tasklet.module.workers().map(|w| w.name());
    let doc = format!(
        "What the tasklet `{name}` declares about itself: {} lanes (the coordinator's \
         included), its region sizes for the target it is compiled for, its default fuel and \
         its workers. The wasm module records the same in its `grafos_worker_v0.tasklets` \
         section.",
        config.workers
    );
    let shared_check = size_check(&config.shared_bytes, shared, "shared_bytes", "shared");
    let scratch_check = size_check(&config.scratch_bytes, scratch, "scratch_bytes", "scratch");
    quote! {
        #[doc = #doc]
        #[allow(unreachable_pub, dead_code)]
        pub const INFO: #krate::TaskletInfo = #krate::TaskletInfo::new(
            #name,
            #workers,
            #shared_bytes,
            #scratch_bytes,
            #fuel,
            &[#(#krate::__private::Cow::Borrowed(#worker_names)),*],
        )
        .shared_owning_data(::core::mem::needs_drop::<#shared>());
        #shared_check
        #scratch_check
    }
}

/// The configured size, or the type's.
fn region_bytes(configured: &Option<Number>, ty: &Type) -> TokenStream {
    match configured {
        Some(bytes) => bytes.unsuffixed().into_token_stream(),
        None => quote!(::core::mem::size_of::<#ty>() as u64),
    }
}

/// `const _: () = assert!(size_of::<T>() <= N, ..)`, spanned at `N`.
fn size_check(
    configured: &Option<Number>,
    ty: &Type,
    argument: &str,
    role: &str,
) -> Option<TokenStream> {
    let bytes = configured.as_ref()?;
    let literal = bytes.unsuffixed();
    let message = format!(
        "`{argument} = {}` is smaller than the {role} type `{}` on this target: raise it, or \
         leave it out to use the type's size",
        bytes.value,
        pretty(ty)
    );
    Some(quote_spanned! {literal.span()=>
        const _: () = ::core::assert!(::core::mem::size_of::<#ty>() <= #literal, #message);
    })
}
