//! The SDK's names the macro knows: what the IR, the lint and the code
//! generators agree a context type is.

/// The context type a method is called on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Context {
    /// `CoordinatorCtx` (the `Coordinator` alias).
    Coordinator,
    /// `WorkerCtx` (the `Worker` alias).
    Worker,
}

impl Context {
    /// The SDK type's name.
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            Context::Coordinator => "CoordinatorCtx",
            Context::Worker => "WorkerCtx",
        }
    }

    /// The context a type names, if any: `Coordinator`, `CoordinatorCtx<..>`,
    /// `Worker` or `WorkerCtx<..>`, by reference or not, with any path.
    pub(crate) fn of_type(ty: &syn::Type) -> Option<Context> {
        match ty {
            syn::Type::Reference(r) => Context::of_type(&r.elem),
            syn::Type::Paren(p) => Context::of_type(&p.elem),
            syn::Type::Group(g) => Context::of_type(&g.elem),
            syn::Type::Path(p) if p.qself.is_none() => {
                Context::of_name(&p.path.segments.last()?.ident.to_string())
            }
            _ => None,
        }
    }

    /// The context a type name stands for.
    pub(crate) fn of_name(name: &str) -> Option<Context> {
        match name {
            "Coordinator" | "CoordinatorCtx" => Some(Context::Coordinator),
            "Worker" | "WorkerCtx" => Some(Context::Worker),
            _ => None,
        }
    }
}
