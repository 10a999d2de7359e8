//! The context aliases `Coordinator` and `Worker`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::args::Config;

pub(super) fn generate(config: &Config) -> TokenStream {
    let Config {
        krate,
        shared,
        scratch,
        ..
    } = config;
    quote! {
        /// The coordinator's context in this tasklet: lane 0, which runs the
        /// `#[coordinator]` fn.
        #[allow(unreachable_pub, dead_code)]
        pub type Coordinator = #krate::cpu::CoordinatorCtx<#shared, #scratch>;

        /// A data lane's context in this tasklet, which `#[worker]` fns take.
        #[allow(unreachable_pub, dead_code)]
        pub type Worker = #krate::cpu::WorkerCtx<#shared, #scratch>;
    }
}
