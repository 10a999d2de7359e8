use super::*;
use proc_macro2::TokenStream;
use quote::quote;
use syn::parse_quote;

fn config(args: TokenStream) -> Config {
    let (config, diag) = Config::parse(args);
    assert!(!diag.has_errors(), "{:?}", diag.messages());
    config
}

fn build(module: ItemMod) -> Result<Tasklet, Box<Rejected>> {
    Tasklet::try_from((
        config(quote!(workers = 4, shared = Shared, scratch = Scratch)),
        module,
    ))
    .map_err(Box::new)
}

/// The error messages of a tasklet that must be rejected.
#[track_caller]
fn errors(module: ItemMod) -> Vec<String> {
    match build(module) {
        Ok(_) => panic!("the tasklet was accepted"),
        Err(rejected) => rejected
            .diag
            .into_result()
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect(),
    }
}

#[track_caller]
fn assert_fail(module: ItemMod, expected: &str) {
    let errors = errors(module);
    assert!(
        errors.iter().any(|e| e.contains(expected)),
        "expected an error containing {expected:?}, got {errors:#?}"
    );
}

/// Asserts that worker `f`, beside a valid coordinator, is rejected with an
/// error containing `expected`.
#[track_caller]
fn assert_worker_fails(f: ItemFn, expected: &str) {
    assert_fail(
        parse_quote!(mod t { #[coordinator] fn run(c: &mut Coordinator) -> Vec<u8> { vec![] } #f }),
        expected,
    );
}

fn forms(tasklet: &Tasklet) -> Vec<(String, Vec<ParamKind>)> {
    tasklet
        .module
        .workers()
        .map(|w| {
            let kinds = match &w.form {
                WorkerForm::Context => vec![ParamKind::Context { mutable: true }],
                WorkerForm::Plain(params) => params.iter().map(|p| p.kind).collect(),
            };
            (w.name(), kinds)
        })
        .collect()
}

#[test]
fn a_tasklet_with_both_worker_forms() {
    let tasklet = build(parse_quote! {
        mod hist {
            use super::*;
            #[coordinator]
            fn run(coord: &mut Coordinator) -> Result<(), TaskletError> { Ok(()) }
            #[worker]
            fn count(w: &mut Worker) {}
            #[grafos::worker]
            fn plain(s: &Shared, mut scratch: &mut Scratch, input: &[u8], lane: Lane) -> Result<(), TaskletError> { Ok(()) }
            #[worker]
            fn read_only(w: &Worker) {}
            #[worker]
            fn nothing() {}
            fn helper() {}
        }
    })
    .unwrap();
    assert_eq!(tasklet.name, "hist");
    assert_eq!(tasklet.coordinator.ident, "run");
    use ParamKind::*;
    assert_eq!(
        forms(&tasklet),
        [
            ("count".to_owned(), vec![Context { mutable: true }]),
            ("plain".to_owned(), vec![Shared, ScratchMut, Input, Lane]),
            ("read_only".to_owned(), vec![Context { mutable: false }]),
            ("nothing".to_owned(), vec![]),
        ]
    );
    assert_eq!(tasklet.module.entries.len(), 7);
}

#[test]
fn types_are_matched_by_their_last_segment() {
    let tasklet = Tasklet::try_from((
        config(quote!(
            workers = 2,
            shared = super::Totals,
            scratch = crate::Seen
        )),
        parse_quote! {
            mod t {
                #[coordinator] fn run(c: &mut CoordinatorCtx<Totals, Seen>) -> Vec<u8> { vec![] }
                #[worker] fn w(t: &Totals, s: &(Seen)) {}
            }
        },
    ))
    .unwrap();
    assert_eq!(
        forms(&tasklet)[0].1,
        [ParamKind::Shared, ParamKind::Scratch]
    );
}

#[test]
fn module_shape() {
    let not_a_module: Item = parse_quote!(
        fn f() {}
    );
    let (item, error) = ensure_inline_module(not_a_module).unwrap_err();
    assert!(matches!(item, Item::Fn(_)));
    assert!(error.to_string().contains("this is a fn"), "{error}");
    let (_, error) = ensure_inline_module(parse_quote!(
        mod elsewhere;
    ))
    .unwrap_err();
    assert!(
        error.to_string().contains("instead of in another file"),
        "{error}"
    );
    assert!(
        ensure_inline_module(parse_quote!(
            mod m {}
        ))
        .is_ok()
    );
}

#[test]
fn exactly_one_coordinator() {
    assert_fail(
        parse_quote!(
            mod t {
                #[worker]
                fn w() {}
            }
        ),
        "a tasklet needs a `#[coordinator]` fn",
    );
    assert_fail(
        parse_quote! {
            mod t {
                #[coordinator] fn a(c: &mut Coordinator) -> Vec<u8> { vec![] }
                #[coordinator] fn b(c: &mut Coordinator) -> Vec<u8> { vec![] }
            }
        },
        "`a` is already it; make `b` a plain fn",
    );
}

#[test]
fn an_invalid_coordinator_is_not_also_missing() {
    let errors = errors(parse_quote!(
        mod t {
            #[coordinator]
            fn run() {}
        }
    ));
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].contains("takes the coordinator's context"));
    assert!(errors[1].contains("add `-> Result<(), TaskletError>`"));
}

#[test]
fn coordinator_signatures() {
    let fail = |f: ItemFn, expected| {
        assert_fail(parse_quote!(mod t { #f }), expected);
    };
    fail(
        parse_quote!(
            #[coordinator]
            fn run(c: &Coordinator) -> Vec<u8> {
                vec![]
            }
        ),
        "takes `&mut Coordinator`: running a region",
    );
    fail(
        parse_quote!(
            #[coordinator]
            fn run(c: &mut Worker) -> Vec<u8> {
                vec![]
            }
        ),
        "`Worker` is a data lane's context",
    );
    fail(
        parse_quote!(
            #[coordinator]
            fn run(c: u32) -> Vec<u8> {
                vec![]
            }
        ),
        "takes one parameter, `&mut Coordinator`, not `u32`",
    );
    fail(
        parse_quote!(
            #[coordinator]
            fn run(c: &mut Coordinator, input: &[u8]) -> Vec<u8> {
                vec![]
            }
        ),
        "takes only `&mut Coordinator`",
    );
    fail(
        parse_quote!(
            #[coordinator]
            fn run(c: &mut Coordinator) -> u32 {
                0
            }
        ),
        "not `u32`",
    );
    fail(
        parse_quote!(
            #[coordinator]
            async fn run(c: &mut Coordinator) -> Vec<u8> {
                vec![]
            }
        ),
        "a `#[coordinator]` fn cannot be `async`",
    );
    fail(
        parse_quote!(
            #[coordinator(main)]
            fn run(c: &mut Coordinator) -> Vec<u8> {
                vec![]
            }
        ),
        "`#[coordinator]` takes no arguments",
    );
}

#[test]
fn worker_fn_qualifiers() {
    assert_worker_fails(
        parse_quote!(
            #[worker]
            async fn w() {}
        ),
        "cannot be `async`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            const fn w() {}
        ),
        "cannot be `const`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            unsafe fn w() {}
        ),
        "cannot be `unsafe`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            extern "C" fn w() {}
        ),
        "cannot declare an ABI",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w<T>() {}
        ),
        "cannot be generic",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w<const N: usize>() {}
        ),
        "cannot be generic",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w(&self) {}
        ),
        "takes no `self`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w() -> &'static u32 {
                &0
            }
        ),
        "return an owned type (`T` or `Result<T, TaskletError>`), not `&'static u32`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w() -> ! {
                loop {}
            }
        ),
        "for `coord.map_workers(..)`, not `!`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            #[worker]
            fn w() {}
        ),
        "duplicate `#[worker]` on `w`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            #[coordinator]
            fn w() {}
        ),
        "cannot be both the `#[coordinator]` and a `#[worker]`",
    );
    // Lifetimes are fine.
    let tasklet = build(parse_quote! {
        mod t {
            #[coordinator] fn run(c: &mut Coordinator) -> Vec<u8> { vec![] }
            #[worker] fn w<'a>(input: &'a [u8]) {}
        }
    });
    assert!(tasklet.is_ok());
}

#[test]
fn worker_parameters() {
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w(x: u32) {}
        ),
        "a `#[worker]` fn takes `&mut Worker`, or any of `&Shared` (the shared value), \
         `&Scratch` or `&mut Scratch` (this lane's scratch), `&[u8]` (the input) or `&[T]` \
         (the input as `T`s), `Lane` (its position) and `Task` (its task, in \
         `parallel_for_tasks`); not `u32`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w(values: &[u32], again: &[u32]) {}
        ),
        "`&[T]` is already taken by `values`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w(values: &mut [f64]) {}
        ),
        "take `&[u8]`, or `&[T]` for a `bytemuck::Pod` `T`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w(w: &mut Worker, s: &mut Scratch) {}
        ),
        "`&mut Scratch` cannot be taken with `&mut Worker`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w(a: &mut Scratch, b: &mut Scratch) {}
        ),
        "`&mut Scratch` is already taken by `a`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w(a: &Scratch, b: &mut Scratch) {}
        ),
        "`&mut Scratch` conflicts with `a: &Scratch`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w(s: &mut Shared) {}
        ),
        "a worker gets it as `&Shared`, not `&mut`",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w(input: &mut [u8]) {}
        ),
        "the input is the same for every lane and read-only",
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w(c: &mut Coordinator) {}
        ),
        "it takes `&mut Worker`, not the coordinator's context",
    );
}

#[test]
fn worker_parameter_errors_explain_the_configured_types() {
    let rejected = Tasklet::try_from((
        config(quote!(workers = 2)),
        parse_quote! {
            mod t {
                #[coordinator] fn run(c: &mut Coordinator) -> Vec<u8> { vec![] }
                #[worker] fn w(s: &Shared, x: &()) {}
            }
        },
    ))
    .map(|_| ())
    .unwrap_err();
    let errors = rejected.diag.messages();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0]
            .contains("not `&Shared`; this tasklet's shared type is `()`, set by `shared = ..`"),
        "{errors:#?}"
    );
    assert!(
        errors[1].contains("`&()` is ambiguous: the shared and the scratch type are both `()`"),
        "{errors:#?}"
    );
}

#[test]
fn every_problem_is_reported() {
    let errors = errors(parse_quote! {
        mod t {
            #[coordinator] async fn run() {}
            #[worker] fn a(x: u32, y: &mut Shared) -> &u8 { &0 }
            #[worker] struct NotAFn;
            fn INFO() {}
        }
    });
    assert_eq!(errors.len(), 8, "{errors:#?}");
}

#[test]
fn markers_go_on_fns() {
    assert_fail(
        parse_quote! {
            mod t {
                #[coordinator] fn run(c: &mut Coordinator) -> Vec<u8> { vec![] }
                #[worker] struct Lanes;
            }
        },
        "`#[worker]` goes on a fn, not on a struct",
    );
}

#[test]
fn generated_names_are_reserved() {
    for item in [
        quote!(
            const INFO: u8 = 0;
        ),
        quote!(
            type Worker = u8;
        ),
        quote!(
            use other::Coordinator;
        ),
        quote!(
            use other::x as builder;
        ),
        quote!(
            fn run_host() {}
        ),
        quote!(
            #[worker]
            fn run_host_with() {}
        ),
    ] {
        let module: ItemMod = parse_quote! {
            mod t {
                #[coordinator] fn run(c: &mut Coordinator) -> Vec<u8> { vec![] }
                #item
            }
        };
        assert_fail(
            module,
            "is generated by `#[grafos::tasklet]` in this module",
        );
    }
}

#[test]
fn the_name_must_make_an_export_name() {
    let rejected = Tasklet::try_from((
        config(quote!(workers = 2)),
        parse_quote!(
            mod café {
                #[coordinator]
                fn run(c: &mut Coordinator) -> Vec<u8> {
                    vec![]
                }
            }
        ),
    ))
    .unwrap_err();
    assert!(
        rejected.diag.messages()[0].contains("the module name `café` cannot name a wasm export")
    );
    let named = Tasklet::try_from((
        config(quote!(workers = 2, name = "cafe")),
        parse_quote!(
            mod café {
                #[coordinator]
                fn run(c: &mut Coordinator) -> Vec<u8> {
                    vec![]
                }
            }
        ),
    ))
    .unwrap();
    assert_eq!(named.name, "cafe");
}

#[test]
fn rejected_tasklets_keep_their_items_and_valid_workers() {
    let rejected = build(parse_quote! {
        mod t {
            #[worker] fn good(input: &[u8]) {}
            #[worker] fn bad(x: u32) {}
            struct Kept;
        }
    })
    .unwrap_err();
    assert_eq!(rejected.module.entries.len(), 3);
    let names: Vec<_> = rejected.module.workers().map(Worker::name).collect();
    assert_eq!(names, ["good"]);
}

#[test]
fn task_workers_take_the_task_beside_the_context_or_plain_parameters() {
    let tasklet = build(parse_quote! {
        mod t {
            #[coordinator] fn run(c: &mut Coordinator) -> Vec<u8> { vec![] }
            #[worker] fn with_context(w: &mut Worker, task: Task) {}
            #[worker] fn plain(s: &Shared, task: grafos::cpu::Task, lane: Lane) {}
            #[worker] fn task_first(task: Task, w: &mut Worker) {}
        }
    })
    .unwrap();
    use ParamKind::*;
    assert_eq!(
        forms(&tasklet),
        [
            ("with_context".to_owned(), vec![Context { mutable: true }]),
            ("plain".to_owned(), vec![Shared, Task, Lane]),
            (
                "task_first".to_owned(),
                vec![Task, Context { mutable: true }]
            ),
        ]
    );
    assert_worker_fails(
        parse_quote!(
            #[worker]
            fn w(a: Task, b: Task) {}
        ),
        "`Task` is already taken by `a`",
    );
}

#[test]
fn a_fn_a_region_runs_needs_the_worker_marker_unless_it_has_a_regions_shape() {
    let tasklet = build(parse_quote! {
        mod t {
            #[coordinator] fn run(c: &mut Coordinator) -> Result<(), TaskletError> {
                c.parallel_for_workers(whole)?;
                c.parallel_for_tasks(3, tasks)
            }
            fn whole(w: &mut Worker) {}
            fn tasks(w: &mut WorkerCtx<Shared, Scratch>, t: Task) {}
        }
    });
    assert!(tasklet.is_ok());
    let errors = errors(parse_quote! {
        mod t {
            #[coordinator] fn run(c: &mut Coordinator) -> Result<(), TaskletError> {
                c.parallel_for_workers(count)?;
                helper(|| c.parallel_for_tasks(4, split))
            }
            fn count(shared: &Shared, lane: Lane) {}
            fn split(input: &[u8], task: Task) {}
            fn not_a_region(input: &[u8]) {}
        }
    });
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with(
        "`count` runs on the data lanes (the coordinator passes it to `parallel_for_workers`), \
         but it is not marked `#[worker]`"
    ));
    assert!(errors[1].contains("passes it to `parallel_for_tasks`"));
}

#[test]
fn workers_that_return_a_value_are_wrapped_for_map_workers() {
    let tasklet = build(parse_quote! {
        mod t {
            #[coordinator] fn run(c: &mut Coordinator) -> Vec<u8> { vec![] }
            #[worker] fn outcome(w: &mut Worker) -> Result<(), TaskletError> { Ok(()) }
            #[worker] fn value(w: &mut Worker) -> u64 { 0 }
            #[worker] fn result(w: &mut Worker) -> Result<f64, TaskletError> { Ok(0.0) }
        }
    })
    .unwrap();
    let forms: Vec<_> = tasklet
        .module
        .workers()
        .map(|w| {
            let form = matches!(w.form, WorkerForm::Context);
            (
                w.item.sig.ident.to_string(),
                form,
                WorkerOutput::of(&w.item.sig.output),
            )
        })
        .collect();
    assert_eq!(
        forms,
        [
            ("outcome".to_owned(), true, WorkerOutput::Outcome),
            ("value".to_owned(), false, WorkerOutput::Value),
            ("result".to_owned(), false, WorkerOutput::Result),
        ]
    );
}
