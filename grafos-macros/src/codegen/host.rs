//! The host harness (`cfg(not(target_arch = "wasm32"))`): `builder()`,
//! `run_host_with(builder)`, `run_host(input)`, and under `cfg(test)` a test
//! that runs the tasklet five times on a generated input and fails, naming
//! the first differing byte, if the outputs differ.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

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
    let builder_type = quote!(#krate::cpu::SharedTaskletBuilder<#shared, #scratch>);
    let result = quote! {
        ::core::result::Result<#krate::cpu::SharedTaskletResult, #krate::cpu::TaskletError>
    };
    let launch = super::launch(tasklet, quote!(builder));
    quote! {
        /// A launch of this tasklet on the host mock, preset from [`INFO`] and
        /// its `cores`: set the input, fuel or a cancel token, then run it with
        /// [`run_host_with`].
        #[cfg(not(target_arch = "wasm32"))]
        #[allow(unreachable_pub, dead_code)]
        pub fn builder() -> #builder_type {
            #krate::__private::tasklet_builder(&INFO, #cores)
        }

        /// Runs this tasklet on the host mock as `builder` (from [`builder`])
        /// is configured.
        #[cfg(not(target_arch = "wasm32"))]
        #[allow(unreachable_pub, dead_code)]
        pub fn run_host_with(builder: #builder_type) -> #result {
            #launch
        }

        /// Runs this tasklet on the host mock with `input`: its output, or
        /// the error that failed the launch.
        #[cfg(not(target_arch = "wasm32"))]
        #[allow(unreachable_pub, dead_code)]
        pub fn run_host(input: &[u8]) -> #result {
            run_host_with(builder().input(input))
        }

        #[cfg(all(test, not(target_arch = "wasm32")))]
        #[test]
        fn grafos_tasklet_is_deterministic() {
            #krate::__private::assert_deterministic(&INFO, run_host);
        }
    }
}
