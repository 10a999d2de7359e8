//! Context methods: which context type a receiver is, and what a call or a
//! use of a method of it means on each target.

use syn::visit::Visit;
use syn::{Attribute, Expr, Ident};

use super::table::{self, Portability};
use super::{Context, Linter, Scope};
use crate::diag::{WarningKind, format_err};
use crate::markers::Marker;

impl Linter<'_> {
    /// The context a call on `receiver` is taken to be on (see the module docs).
    pub(super) fn context_of(&self, receiver: &Expr) -> Option<Context> {
        receiver_name(receiver)
            .and_then(|name| self.binding(&name))
            .or_else(|| self.scopes.last().and_then(|s| s.context))
    }

    /// The context of binding `name`, looking outwards up to the enclosing fn.
    pub(super) fn binding(&self, name: &str) -> Option<Context> {
        for scope in self.scopes.iter().rev() {
            if let Some((_, context)) = scope.bindings.iter().rev().find(|(n, _)| n == name) {
                return Some(*context);
            }
            if scope.is_fn {
                break;
            }
        }
        None
    }

    /// Judges a call of `method` with `arity` arguments on `context`.
    pub(super) fn check_method(&mut self, context: Option<Context>, method: &Ident, arity: usize) {
        self.check_method_use(context, method, Some(arity));
    }

    /// Judges `Type::method` used as a value (`arity` `None`), or called.
    pub(super) fn check_method_use(
        &mut self,
        context: Option<Context>,
        method: &Ident,
        arity: Option<usize>,
    ) {
        let Some(entry) = table::method_for(context, &method.to_string(), arity) else {
            if table::POOL_METHODS.iter().any(|m| method == m) {
                self.error(format_err!(
                    method,
                    "`.{method}()` {}",
                    table::POOL_ADVICE.explain("the call")
                ));
            }
            if arity.is_some() {
                self.check_float(None, method, arity);
            }
            return;
        };
        let call = match arity {
            None => format!("{}::{}", entry.context.type_name(), entry.name),
            Some(0) => format!("{}()", entry.name),
            Some(1) => format!("{}(i)", entry.name),
            Some(_) => format!("{}(..)", entry.name),
        };
        let shown = match arity {
            None => call.clone(),
            Some(_) => format!("{}::{call}", entry.context.type_name()),
        };
        let what = match arity {
            None => "the use",
            Some(_) => "the call",
        };
        match entry.portability {
            Portability::Diverges => self.warn(
                method.span(),
                format!(
                    "`{shown}` behaves differently on the host mock and on the runtime: {}",
                    entry.advice.explain(what)
                ),
            ),
            Portability::TargetSpecific => self.error(format_err!(
                method,
                "`{call}` is target-specific: {}",
                entry.advice.explain(what)
            )),
        }
    }

    // -- paths ---------------------------------------------------------------

    /// std's transcendental float method `method`, called on any receiver
    /// (`x.sin()`, `ty` `None`) or through `f64`/`f32` (`f64::sin(x)`, or
    /// `f64::sin` as a value): a warning naming `grafos::math`'s function.
    /// A method name alone cannot prove the receiver is a float, but user
    /// types rarely take these names; `#[target_specific]` silences it.
    pub(super) fn check_float(&mut self, ty: Option<&Ident>, method: &Ident, arity: Option<usize>) {
        let Some((f64_fn, f32_fn)) = table::float_method(&method.to_string(), arity) else {
            return;
        };
        let (written, instead) = match ty {
            Some(ty) if *ty == "f32" => (
                format!("f32::{method}"),
                format!("`grafos::math::{f32_fn}`"),
            ),
            Some(ty) => (
                format!("{ty}::{method}"),
                format!("`grafos::math::{f64_fn}`"),
            ),
            None => (
                format!(".{method}()"),
                format!("`grafos::math::{f64_fn}` (`{f32_fn}` for f32)"),
            ),
        };
        let message = format!(
            "`{written}` {}; use {instead}, or mark the call `#[target_specific]` if it is \
             meant to differ between targets",
            table::FLOAT_MATH
        );
        match self.silencers.last_mut() {
            Some(silencer) => silencer.used = true,
            None => self
                .diag
                .warn(method.span(), WarningKind::FloatMath, message),
        }
    }
}

/// The binding a receiver expression names: `w` in `w.f()`, `(*w).f()` or
/// `(&mut w).f()`.
fn receiver_name(receiver: &Expr) -> Option<String> {
    match receiver {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
        Expr::Paren(p) => receiver_name(&p.expr),
        Expr::Group(g) => receiver_name(&g.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => receiver_name(&u.expr),
        Expr::Reference(r) => receiver_name(&r.expr),
        _ => None,
    }
}

/// The bindings of context type among a fn's or closure's parameters, and
/// the context they agree on, if they do.
pub(super) fn typed_bindings<'p>(
    params: impl Iterator<Item = (&'p syn::Pat, Option<&'p syn::Type>)>,
) -> (Vec<(String, Context)>, Option<Context>) {
    let bindings: Vec<(String, Context)> = params
        .filter_map(|(pat, ty)| {
            let context = Context::of_type(ty?)?;
            match pat {
                syn::Pat::Ident(p) => Some((p.ident.to_string(), context)),
                _ => None,
            }
        })
        .collect();
    let agreed = bindings
        .first()
        .map(|(_, c)| *c)
        .filter(|first| bindings.iter().all(|(_, c)| c == first));
    (bindings, agreed)
}

impl Linter<'_> {
    pub(super) fn visit_fn_body(
        &mut self,
        attrs: &[Attribute],
        sig: &syn::Signature,
        block: &syn::Block,
    ) {
        let params = sig.inputs.iter().filter_map(|arg| match arg {
            syn::FnArg::Typed(pt) => Some((&*pt.pat, Some(&*pt.ty))),
            syn::FnArg::Receiver(_) => None,
        });
        let (bindings, agreed) = typed_bindings(params);
        let marked = attrs
            .iter()
            .find_map(|attr| match Marker::of(attr, self.krate) {
                Some(Marker::Coordinator) => Some(Context::Coordinator),
                Some(Marker::Worker) => Some(Context::Worker),
                _ => None,
            });
        for attr in attrs {
            self.visit_attribute(attr);
        }
        self.scopes.push(Scope {
            is_fn: true,
            context: marked.or(agreed),
            bindings,
        });
        self.visit_signature(sig);
        self.visit_block(block);
        self.scopes.pop();
    }
}
