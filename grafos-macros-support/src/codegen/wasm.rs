//! The wasm32 side (`cfg(target_arch = "wasm32")`): the entry export
//! `grafos_v0_tasklet_<name>` and the tasklet's record in the module's
//! `grafos_worker_v0.tasklets` custom section (ABI `grafos_worker_v0`, see
//! `grafos::abi`).

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::ir::Tasklet;

use grafos_abi::TASKLETS_SECTION;
use grafos_abi::export::TASKLET_PREFIX;

pub(super) fn generate(tasklet: &Tasklet) -> TokenStream {
    let krate = &tasklet.config.krate;
    let export = format!("{TASKLET_PREFIX}{}", tasklet.name);
    let cores = Literal::u32_unsuffixed(tasklet.config.cores);
    let launch = super::launch(
        tasklet,
        quote!(#krate::__private::tasklet_builder(&INFO, #cores)),
    );
    quote! {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            #[unsafe(export_name = #export)]
            extern "C" fn grafos_tasklet_entry() -> i32 {
                #krate::__private::run_entry(|| #launch)
            }

            // `TaskletInfo` owns its strings when decoded, so a constant of
            // it cannot be borrowed in a constant expression; a static can.
            static __INFO: #krate::TaskletInfo = INFO;

            #[unsafe(link_section = #TASKLETS_SECTION)]
            #[used]
            static __RECORD: [u8; #krate::abi::record_len(&__INFO)] =
                #krate::abi::encode_record(&__INFO);
        };
    }
}
