//! Pass 3: the rules of the stack as a whole and of each layer on this
//! function. Every broken rule is reported, each at the tokens that break it.

use syn::{ReturnType, Type};

use crate::ast::{Function, LayerKind, StackAttr};
use crate::attr::{CollectErrors, Layer, Logged};
use crate::ctxt::Ctxt;
use crate::expand::named_params;

/// Rules about which attributes stand on the function, before their arguments
/// are read.
pub(crate) fn check_stack(cx: &mut Ctxt, attrs: &[StackAttr]) {
    let mut seen: Vec<LayerKind> = Vec::with_capacity(attrs.len());
    for attr in attrs {
        if seen.contains(&attr.kind) {
            cx.syn_error(syn::Error::new(
                attr.span,
                format_args!(
                    "`#[{}]` is written twice on this function; keep one",
                    attr.kind.symbol()
                ),
            ));
        }
        seen.push(attr.kind);
    }
}

/// Rules about each layer on this particular function. A layer written twice
/// is checked once: the second one is already an error.
pub(crate) fn check_layers(cx: &mut Ctxt, function: &Function, attrs: &[StackAttr], layers: &[Layer]) {
    let mut seen: Vec<LayerKind> = Vec::with_capacity(layers.len());
    for (attr, layer) in attrs.iter().zip(layers) {
        if seen.contains(&attr.kind) {
            continue;
        }
        seen.push(attr.kind);
        match layer {
            Layer::CollectErrors(collect) => check_collect_errors(cx, function, collect),
            Layer::Logged(logged) => check_logged(cx, function, logged),
        }
    }
}

fn check_collect_errors(cx: &mut Ctxt, function: &Function, _collect: &CollectErrors) {
    let sig = &function.sig;
    if let Some(constness) = &sig.constness {
        cx.error_spanned_by(
            constness,
            "`#[collect_errors]` cannot go on a `const fn`; remove `const`",
        );
    }
    match &sig.output {
        ReturnType::Default => cx.error_spanned_by(
            &sig.ident,
            "`#[collect_errors]` needs a function that returns `Result<Option<T>, PwError>` or `Result<(), PwError>`; add one of these return types",
        ),
        ReturnType::Type(_, ty) => {
            if let Type::ImplTrait(_) = **ty {
                cx.error_spanned_by(
                    ty,
                    "`#[collect_errors]` cannot see through `impl Trait`; return `Result<Option<T>, PwError>` or `Result<(), PwError>`",
                );
            }
        }
    }
}

fn check_logged(cx: &mut Ctxt, function: &Function, logged: &Logged) {
    let params: Vec<&syn::Ident> = named_params(&function.sig).map(|(ident, _)| ident).collect();
    let known: Vec<String> = params.iter().map(|p| format!("`{p}`")).collect();
    for (word, list) in [("skip", &logged.skip), ("redact", &logged.redact)] {
        for name in list {
            if !params.contains(&name) {
                let hint = if known.is_empty() {
                    "it has no named parameters".to_owned()
                } else {
                    format!("its parameters are {}", known.join(", "))
                };
                cx.error_spanned_by(
                    name,
                    format_args!(
                        "`{word}({name})`: `{}` has no parameter `{name}`; {hint}",
                        function.sig.ident
                    ),
                );
            }
        }
    }
    if logged.inject_lambda_context.is_none() {
        if let Some(path) = &logged.correlation_id_path {
            cx.error_spanned_by(
                path,
                "`correlation_id_path` works with `inject_lambda_context`; add `inject_lambda_context` to `#[logged(...)]`",
            );
        }
        if let Some(span) = logged.log_event {
            cx.syn_error(syn::Error::new(
                span,
                "`log_event` works with `inject_lambda_context`; add `inject_lambda_context` to `#[logged(...)]`",
            ));
        }
    } else if named_params(&function.sig).next().is_none()
        || !matches!(function.sig.inputs.first(), Some(syn::FnArg::Typed(_)))
    {
        cx.error_spanned_by(
            &function.sig.ident,
            "`inject_lambda_context` reads the Lambda context from the handler's first parameter; take the event (`lambda_http::Request` or `LambdaEvent<T>`) first, bound to a name",
        );
    }
    for name in &logged.redact {
        if logged.skip.contains(name) {
            cx.error_spanned_by(
                name,
                format_args!("`{name}` is both skipped and redacted; keep it in one of `skip(..)` or `redact(..)`"),
            );
        }
    }
}
