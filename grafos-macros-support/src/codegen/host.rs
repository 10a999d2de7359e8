//! The host harness (`cfg(not(target_arch = "wasm32"))`): `builder()`,
//! `run_host_with(builder)`, `run_host(input)`, and under `cfg(test)` the
//! cross-target test: the tasklet on the host mock and in the wasm runtime,
//! under several lane orders, on generated inputs and the tasklet's own
//! (`inputs = path`), compared byte for byte (see the SDK's
//! `cross_target` module).

use proc_macro2::{Literal, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::args::Config;
use crate::ir::Tasklet;

pub(super) fn generate(tasklet: &Tasklet) -> TokenStream {
    let Config {
        krate,
        shared,
        scratch,
        ..
    } = &tasklet.config;
    let cores = Literal::u32_unsuffixed(tasklet.config.cores);
    let builder_type =
        |lifetime| quote!(#krate::cpu::SharedTaskletBuilder<#lifetime, #shared, #scratch>);
    let (static_builder, any_builder) = (builder_type(quote!('static)), builder_type(quote!('_)));
    let result = quote! {
        ::core::result::Result<#krate::cpu::SharedTaskletResult, #krate::cpu::TaskletError>
    };
    let launch = super::launch(tasklet, quote!(builder));
    let inputs = match &tasklet.config.inputs {
        Some(path) => quote!(::core::option::Option::Some(#path)),
        None => quote!(::core::option::Option::None),
    };
    // Checked in every build, not only the test's, at the user's path.
    let inputs_type = tasklet.config.inputs.as_ref().map(|path| {
        quote_spanned! {path.span()=>
            #[cfg(not(target_arch = "wasm32"))]
            const _: fn() -> ::std::vec::Vec<::std::vec::Vec<u8>> = #path;
        }
    });
    let cross_target = tasklet.config.cross_target;
    let not_in_library = match outside_the_library() {
        Some(why) => quote!(::core::option::Option::Some(#why)),
        None => quote!(::core::option::Option::None),
    };
    quote! {
        /// A launch of this tasklet on the host mock, preset from [`INFO`] and
        /// its `cores`: set the input, fuel or a cancel token, then run it with
        /// [`run_host_with`].
        #[cfg(not(target_arch = "wasm32"))]
        #[allow(unreachable_pub, dead_code)]
        pub fn builder() -> #static_builder {
            #krate::__private::tasklet_builder(&INFO, #cores)
        }

        /// Runs this tasklet on the host mock as `builder` (from [`builder`])
        /// is configured.
        #[cfg(not(target_arch = "wasm32"))]
        #[allow(unreachable_pub, dead_code)]
        pub fn run_host_with(builder: #any_builder) -> #result {
            #launch
        }

        /// Runs this tasklet on the host mock with `input`: its output, or
        /// the error that failed the launch.
        #[cfg(not(target_arch = "wasm32"))]
        #[allow(unreachable_pub, dead_code)]
        pub fn run_host(input: &[u8]) -> #result {
            run_host_with(builder().input(input))
        }

        #inputs_type

        #[cfg(all(test, not(target_arch = "wasm32")))]
        #[test]
        fn grafos_tasklet_matches_wasm() {
            static TESTED: #krate::TaskletInfo = INFO;
            #krate::__private::cross_target_test(#krate::__private::Suite {
                info: &TESTED,
                manifest_dir: ::core::env!("CARGO_MANIFEST_DIR"),
                release: !::core::cfg!(debug_assertions),
                builder,
                run: run_host_with,
                inputs: #inputs,
                cross_target: #cross_target,
                not_in_library: #not_in_library,
            });
        }
    }
}

/// Why the crate being compiled is not the package's library, if it is
/// not: cargo sets `CARGO_TARGET_TMPDIR` for integration tests and benches
/// and `CARGO_BIN_NAME` for binaries. Only the library is built for wasm32.
pub(crate) fn outside_the_library() -> Option<&'static str> {
    if std::env::var_os("CARGO_TARGET_TMPDIR").is_some() {
        Some("an integration test or bench")
    } else if std::env::var_os("CARGO_BIN_NAME").is_some() {
        Some("a binary")
    } else {
        None
    }
}
