//! What a `#[coordinator]` and a `#[worker]` fn may look like.

use syn::{FnArg, ItemFn, Pat, ReturnType, Signature, Type};

use crate::args::Config;
use crate::diag::{Diagnostics, format_err, pretty};
use crate::markers::Marker;
use crate::sdk::Context;

/// What a worker parameter receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ParamKind {
    /// `&mut Worker` or `&Worker`: the lane's whole context.
    Context { mutable: bool },
    /// `&Shared`: the shared value.
    Shared,
    /// `&Scratch`: this lane's scratch value.
    Scratch,
    /// `&mut Scratch`: this lane's scratch value, mutably.
    ScratchMut,
    /// `&[u8]`: the launch input.
    Input,
    /// `&[T]` for another `T`: the launch input as `T`s (`input_as`); the
    /// SDK requires `T: Pod`, at the parameter's type.
    InputAs,
    /// `Lane`: this lane's position in data lane space.
    Lane,
    /// `Task`: the task a `parallel_for_tasks` region runs.
    Task,
}

impl ParamKind {
    /// How the parameter is written, for messages.
    fn written(self, config: &Config) -> String {
        let ty = |t: &Type| pretty(t);
        match self {
            ParamKind::Context { mutable: true } => "&mut Worker".to_owned(),
            ParamKind::Context { mutable: false } => "&Worker".to_owned(),
            ParamKind::Shared => format!("&{}", ty(&config.shared)),
            ParamKind::Scratch => format!("&{}", ty(&config.scratch)),
            ParamKind::ScratchMut => format!("&mut {}", ty(&config.scratch)),
            ParamKind::Input => "&[u8]".to_owned(),
            ParamKind::InputAs => "&[T]".to_owned(),
            ParamKind::Lane => "Lane".to_owned(),
            ParamKind::Task => "Task".to_owned(),
        }
    }
}

/// A parameter of a worker, as written, and what it receives.
#[derive(Clone, Debug)]
pub(crate) struct Param {
    pub(crate) pat: Box<Pat>,
    pub(crate) ty: Box<Type>,
    pub(crate) kind: ParamKind,
}

/// How a worker takes its lane.
#[derive(Clone, Debug)]
pub(crate) enum WorkerForm {
    /// `fn(&mut Worker)` or `fn(&mut Worker, Task)`: already what
    /// `parallel_for_workers` or `parallel_for_tasks` runs; kept as written.
    Context,
    /// Plain parameters (or `&Worker`): rewritten into `fn(&mut Worker)`,
    /// or `fn(&mut Worker, Task)` if one of them is the `Task`.
    Plain(Vec<Param>),
}

impl WorkerForm {
    /// Whether the fn runs tasks (`parallel_for_tasks`): it takes a `Task`.
    pub(crate) fn takes_task(params: &[Param]) -> bool {
        params.iter().any(|p| p.kind == ParamKind::Task)
    }
}

/// Checks a `#[worker]` fn: a plain fn of allowed parameters that returns
/// `()` or a `Result`. Reports every problem.
pub(crate) fn worker(f: &ItemFn, config: &Config) -> syn::Result<WorkerForm> {
    let mut diag = Diagnostics::default();
    ensure_plain_fn(&f.sig, Marker::Worker, &mut diag);
    let params: Vec<Param> = f
        .sig
        .inputs
        .iter()
        .filter_map(|arg| diag.handle(worker_param(arg, config)))
        .collect();
    ensure_no_conflicts(&params, config, &mut diag);
    diag.handle(ensure_worker_output(&f.sig.output));
    diag.into_result()?;
    Ok(match params.as_slice() {
        [
            Param {
                kind: ParamKind::Context { mutable: true },
                ..
            },
        ]
        | [
            Param {
                kind: ParamKind::Context { mutable: true },
                ..
            },
            Param {
                kind: ParamKind::Task,
                ..
            },
        ] if WorkerOutput::of(&f.sig.output) == WorkerOutput::Outcome => WorkerForm::Context,
        _ => WorkerForm::Plain(params),
    })
}

/// Checks the `#[coordinator]` fn: `fn(&mut Coordinator) -> R` with `R` a
/// `Result` or a `Vec` (the compiler checks the rest, through the SDK's
/// `CoordinatorOutput` trait).
pub(crate) fn coordinator(f: &ItemFn) -> syn::Result<()> {
    let mut diag = Diagnostics::default();
    let sig = &f.sig;
    ensure_plain_fn(sig, Marker::Coordinator, &mut diag);
    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        None => diag.error(syn::Error::new(
            sig.paren_token.span.join(),
            "a `#[coordinator]` fn takes the coordinator's context: `coord: &mut Coordinator`",
        )),
        Some(FnArg::Receiver(receiver)) => diag.error(no_self(receiver, Marker::Coordinator)),
        Some(FnArg::Typed(param)) => diag
            .handle(ensure_coordinator_param(&param.ty))
            .unwrap_or(()),
    }
    for extra in inputs {
        diag.error(format_err!(
            extra,
            "a `#[coordinator]` fn takes only `&mut Coordinator`: it reads the input with \
             `coord.input()` and the shared value with `coord.shared()`"
        ));
    }
    match &sig.output {
        ReturnType::Default => diag.error(syn::Error::new(
            sig.paren_token.span.close(),
            "a `#[coordinator]` fn returns `Result<(), TaskletError>`, or the output bytes as \
             `Vec<u8>` or `Result<Vec<u8>, TaskletError>`; add `-> Result<(), TaskletError>` \
             and end with `Ok(())`",
        )),
        ReturnType::Type(_, ty) => {
            if !matches!(last_segment(ty).as_deref(), Some("Result" | "Vec")) {
                diag.error(format_err!(
                    ty,
                    "a `#[coordinator]` fn returns `Result<(), TaskletError>`, or the output \
                     bytes as `Vec<u8>` or `Result<Vec<u8>, TaskletError>`, not `{}`",
                    pretty(ty)
                ));
            }
        }
    }
    diag.into_result()
}

fn ensure_coordinator_param(ty: &Type) -> syn::Result<()> {
    let mutable = matches!(peel(ty), Type::Reference(r) if r.mutability.is_some());
    let by_ref = matches!(peel(ty), Type::Reference(_));
    match Context::of_type(ty) {
        Some(Context::Coordinator) if mutable => Ok(()),
        Some(Context::Coordinator) if by_ref => Err(format_err!(
            ty,
            "a `#[coordinator]` fn takes `&mut Coordinator`: running a region and setting the \
             output need the context mutably"
        )),
        Some(Context::Worker) => Err(format_err!(
            ty,
            "the coordinator runs on lane 0 and takes `&mut Coordinator`; `Worker` is a data \
             lane's context"
        )),
        _ => Err(format_err!(
            ty,
            "a `#[coordinator]` fn takes one parameter, `&mut Coordinator`, not `{}`",
            pretty(ty)
        )),
    }
}

/// No `const`, `async`, `unsafe`, ABI, type or const generics, variadics.
fn ensure_plain_fn(sig: &Signature, role: Marker, diag: &mut Diagnostics) {
    let role = role.name();
    if let Some(constness) = &sig.constness {
        diag.error(format_err!(
            constness,
            "a `#[{role}]` fn cannot be `const`: it runs when a launch does"
        ));
    }
    if let Some(asyncness) = &sig.asyncness {
        diag.error(format_err!(
            asyncness,
            "a `#[{role}]` fn cannot be `async`: a lane runs its fn to the end and waits for \
             the other lanes with `barrier()`"
        ));
    }
    if let syn::Safety::Unsafe(unsafety) = &sig.safety {
        diag.error(format_err!(
            unsafety,
            "a `#[{role}]` fn cannot be `unsafe`: nothing could call it soundly; put the \
             unsafe code in an `unsafe {{ .. }}` block inside it"
        ));
    }
    if let Some(abi) = &sig.abi {
        diag.error(format_err!(
            abi,
            "a `#[{role}]` fn cannot declare an ABI: the tasklet calls it from Rust, and the \
             macro generates the wasm export"
        ));
    }
    let generic = sig
        .generics
        .params
        .iter()
        .find(|p| !matches!(p, syn::GenericParam::Lifetime(_)));
    if let Some(param) = generic {
        diag.error(format_err!(
            param,
            "a `#[{role}]` fn cannot be generic: its types are the tasklet's, set by `shared = ..` \
             and `scratch = ..`"
        ));
    }
    if let Some(variadic) = &sig.variadic {
        diag.error(format_err!(variadic, "a `#[{role}]` fn cannot be variadic"));
    }
}

fn no_self(receiver: &syn::Receiver, role: Marker) -> syn::Error {
    format_err!(
        receiver,
        "a `#[{}]` fn takes no `self`: it is a free fn of the tasklet module",
        role.name()
    )
}

fn worker_param(arg: &FnArg, config: &Config) -> syn::Result<Param> {
    let param = match arg {
        FnArg::Receiver(receiver) => return Err(no_self(receiver, Marker::Worker)),
        FnArg::Typed(param) => param,
    };
    let kind = param_kind(&param.ty, config).map_err(|why| format_err!(&param.ty, "{why}"))?;
    Ok(Param {
        pat: param.pat.clone(),
        ty: param.ty.clone(),
        kind,
    })
}

/// What a parameter of type `ty` receives, or why it cannot be a parameter.
fn param_kind(ty: &Type, config: &Config) -> Result<ParamKind, String> {
    let written = |t: &Type| pretty(t);
    match peel(ty) {
        Type::Reference(reference) => {
            let mutable = reference.mutability.is_some();
            let elem = peel(&reference.elem);
            if let Type::Slice(_) = elem {
                return match (mutable, is_byte_slice(elem)) {
                    (false, true) => Ok(ParamKind::Input),
                    (false, false) => Ok(ParamKind::InputAs),
                    (true, _) => Err(
                        "the input is the same for every lane and read-only: take `&[u8]`, or \
                         `&[T]` for a `bytemuck::Pod` `T`"
                            .to_owned(),
                    ),
                };
            }
            match Context::of_type(elem) {
                Some(Context::Worker) => return Ok(ParamKind::Context { mutable }),
                Some(Context::Coordinator) => {
                    return Err(
                        "a worker runs on a data lane: it takes `&mut Worker`, not the \
                                coordinator's context"
                            .to_owned(),
                    );
                }
                None => {}
            }
            let shared = same_type(elem, &config.shared);
            let scratch = same_type(elem, &config.scratch);
            match (shared, scratch, mutable) {
                (_, true, true) => Ok(ParamKind::ScratchMut),
                (false, true, false) => Ok(ParamKind::Scratch),
                (true, false, false) => Ok(ParamKind::Shared),
                (true, true, false) => Err(format!(
                    "`&{}` is ambiguous: the shared and the scratch type are both `{0}`; take \
                     `&mut Worker` and call `shared()` or `scratch()`",
                    written(elem)
                )),
                (true, false, true) => Err(format!(
                    "every lane sees the one shared value, so a worker gets it as `&{}`, not \
                     `&mut`: update it through atomics, or write to the lane's scratch",
                    written(elem)
                )),
                (false, false, _) => Err(unsupported(ty, elem, config)),
            }
        }
        Type::Path(path) if path.qself.is_none() && is_named(&path.path, "Lane") => {
            Ok(ParamKind::Lane)
        }
        Type::Path(path) if path.qself.is_none() && is_named(&path.path, "Task") => {
            Ok(ParamKind::Task)
        }
        _ => Err(unsupported(ty, ty, config)),
    }
}

fn unsupported(ty: &Type, elem: &Type, config: &Config) -> String {
    let written = |t: &Type| pretty(t);
    let mut message = format!(
        "a `#[worker]` fn takes `&mut Worker`, or any of `&{shared}` (the shared value), \
         `&{scratch}` or `&mut {scratch}` (this lane's scratch), `&[u8]` (the input) or \
         `&[T]` (the input as `T`s), `Lane` (its position) and `Task` (its task, in \
         `parallel_for_tasks`); not `{ty}`",
        shared = written(&config.shared),
        scratch = written(&config.scratch),
        ty = written(ty),
    );
    match last_segment(elem).as_deref() {
        Some("Shared") => message.push_str(&format!(
            "; this tasklet's shared type is `{}`, set by `shared = ..`",
            written(&config.shared)
        )),
        Some("Scratch") => message.push_str(&format!(
            "; this tasklet's scratch type is `{}`, set by `scratch = ..`",
            written(&config.scratch)
        )),
        _ => {}
    }
    message
}

/// Reports parameters that cannot be given together.
fn ensure_no_conflicts(params: &[Param], config: &Config, diag: &mut Diagnostics) {
    for (i, later) in params.iter().enumerate() {
        let conflict = params[..i]
            .iter()
            .find_map(|earlier| conflict(earlier, later, config));
        if let Some(why) = conflict {
            diag.error(format_err!(&later.ty, "{why}"));
        }
    }
}

fn conflict(earlier: &Param, later: &Param, config: &Config) -> Option<String> {
    use ParamKind::*;
    let name = |p: &Param| pretty(&p.pat);
    let (a, b) = (earlier.kind.written(config), later.kind.written(config));
    match (earlier.kind, later.kind) {
        // `fn(&mut Worker, Task)` is what `parallel_for_tasks` runs.
        (Context { .. }, Task) | (Task, Context { .. }) => None,
        (Context { .. }, _) | (_, Context { .. }) => Some(format!(
            "`{b}` cannot be taken with `{a}`: the lane's context gives everything \
             (`w.shared()`, `w.scratch_mut()`, `w.input()`, `w.lane()`); take the context \
             alone, or only plain parameters"
        )),
        (x, y) if x == y => Some(format!("`{b}` is already taken by `{}`", name(earlier))),
        (Scratch, ScratchMut) | (ScratchMut, Scratch) => Some(format!(
            "`{b}` conflicts with `{}: {a}`: a lane's scratch is borrowed mutably only once; \
             take `&mut` alone",
            name(earlier)
        )),
        _ => None,
    }
}

/// What a `#[worker]` fn's return type says, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WorkerOutput {
    /// Nothing, `()` or `Result<(), E>`: only an outcome, for
    /// `parallel_for_workers`.
    Outcome,
    /// Another `Result` (`Result<T, E>`, an alias): a value or an error,
    /// for `map_workers`.
    Result,
    /// Any other type: a value, for `map_workers`.
    Value,
}

impl WorkerOutput {
    pub(crate) fn of(output: &ReturnType) -> Self {
        let ReturnType::Type(_, ty) = output else {
            return Self::Outcome;
        };
        match peel(ty) {
            Type::Tuple(t) if t.elems.is_empty() => Self::Outcome,
            Type::Path(p) if last_segment(ty).as_deref() == Some("Result") => {
                let first = p.path.segments.last().and_then(|s| match &s.arguments {
                    syn::PathArguments::AngleBracketed(a) => a.args.first(),
                    _ => None,
                });
                match first {
                    Some(syn::GenericArgument::Type(t)) if matches!(peel(t), Type::Tuple(t) if t.elems.is_empty()) => {
                        Self::Outcome
                    }
                    _ => Self::Result,
                }
            }
            _ => Self::Value,
        }
    }
}

fn ensure_worker_output(output: &ReturnType) -> syn::Result<()> {
    let ReturnType::Type(_, ty) = output else {
        return Ok(());
    };
    match peel(ty) {
        Type::Never(_) => Err(format_err!(
            ty,
            "a `#[worker]` fn returns: nothing or `Result<(), TaskletError>` for \
             `coord.parallel_for_workers(..)`, or a value (`T` or `Result<T, TaskletError>`) \
             for `coord.map_workers(..)`, not `!`"
        )),
        Type::ImplTrait(_) | Type::Reference(_) | Type::Ptr(_) => Err(format_err!(
            ty,
            "a `#[worker]` fn that returns a value hands it to the coordinator through \
             `coord.map_workers(..)`: return an owned type (`T` or `Result<T, TaskletError>`), \
             not `{}`",
            pretty(ty)
        )),
        _ => Ok(()),
    }
}

/// `ty` without parentheses and invisible groups.
pub(crate) fn peel(ty: &Type) -> &Type {
    match ty {
        Type::Paren(p) => peel(&p.elem),
        Type::Group(g) => peel(&g.elem),
        other => other,
    }
}

/// The last segment's name of a path type.
fn last_segment(ty: &Type) -> Option<String> {
    match peel(ty) {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn is_byte_slice(ty: &Type) -> bool {
    matches!(ty, Type::Slice(s) if matches!(peel(&s.elem), Type::Path(p) if p.path.is_ident("u8")))
}

/// Whether `path` names the SDK type `name` (`Lane`, `Task`): its last
/// segment, without generic arguments.
pub(crate) fn is_named(path: &syn::Path, name: &str) -> bool {
    path.segments
        .last()
        .is_some_and(|s| s.ident == name && s.arguments.is_none())
}

/// Whether a parameter's type names the configured type: equal as written,
/// or the same last path segment (`Histogram` for `super::Histogram`). The
/// compiler checks the rest: the generated code passes the value with the
/// parameter's own type.
fn same_type(written: &Type, configured: &Type) -> bool {
    let configured = peel(configured);
    if written == configured {
        return true;
    }
    match (written, configured) {
        (Type::Path(a), Type::Path(b)) if a.qself.is_none() && b.qself.is_none() => {
            a.path.segments.last() == b.path.segments.last()
        }
        _ => false,
    }
}
