//! `#[idempotent(...)]`: its arguments. Its rules are in `valid`, its layer
//! in `expand/idempotent.rs`. `key` and `validate` are expressions over the
//! parameters, left to the compiler: it checks them, with its errors on the
//! user's tokens.

use crate::ast::StackAttr;
use crate::attr::{Attr, parse_args};
use crate::ctxt::Ctxt;
use crate::symbol::{KEY, KEY_PREFIX, STORE, Symbol, VALIDATE};

const ARGS: &[Symbol] = &[STORE, KEY, VALIDATE, KEY_PREFIX];

/// `#[idempotent(store = ORDERS, key = order.id, validate = order.total, key_prefix = "orders")]`
pub(crate) struct Idempotent {
    /// The `static` holding the `Idempotency`; required (`valid.rs` says so).
    pub(crate) store: Option<syn::Path>,
    pub(crate) key: Option<syn::Expr>,
    pub(crate) validate: Option<syn::Expr>,
    pub(crate) key_prefix: Option<syn::LitStr>,
}

pub(crate) fn parse(cx: &mut Ctxt, attr: &StackAttr) -> Idempotent {
    let mut store: Attr<syn::Path> = Attr::new(STORE);
    let mut key: Attr<syn::Expr> = Attr::new(KEY);
    let mut validate: Attr<syn::Expr> = Attr::new(VALIDATE);
    let mut key_prefix: Attr<syn::LitStr> = Attr::new(KEY_PREFIX);
    parse_args(cx, attr, ARGS, |cx, meta| {
        if meta.path == STORE {
            let path: syn::Path = meta.value()?.parse()?;
            store.set(cx, meta, path);
        } else if meta.path == KEY {
            let expr: syn::Expr = meta.value()?.parse()?;
            key.set(cx, meta, expr);
        } else if meta.path == VALIDATE {
            let expr: syn::Expr = meta.value()?.parse()?;
            validate.set(cx, meta, expr);
        } else if meta.path == KEY_PREFIX {
            key_prefix.set_str(cx, meta)?;
        } else {
            return Ok(false);
        }
        Ok(true)
    });
    Idempotent {
        store: store.value,
        key: key.value,
        validate: validate.value,
        key_prefix: key_prefix.value,
    }
}

/// The parameters a key is made of when `key = …` is not written: each
/// one that is not a context, as the name its pattern binds (`order` of
/// `Json(order): Json<Order>`), or the pattern to report when it binds no
/// one name.
pub(crate) fn key_params(sig: &syn::Signature) -> Vec<Result<&syn::Ident, &syn::Pat>> {
    sig.inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(pat_type) if !is_context(&pat_type.ty) => Some(bound_name(&pat_type.pat)),
            _ => None,
        })
        .collect()
}

/// The one name a parameter pattern binds: `x`, `mut x`, `Json(x)`.
fn bound_name(pat: &syn::Pat) -> Result<&syn::Ident, &syn::Pat> {
    match pat {
        syn::Pat::Ident(ident) if ident.subpat.is_none() => Ok(&ident.ident),
        syn::Pat::TupleStruct(tuple) if tuple.elems.len() == 1 => bound_name(&tuple.elems[0]).map_err(|_| pat),
        _ => Err(pat),
    }
}

/// Whether a parameter is a context rather than data: the Lambda context,
/// the whole request, or a batch record (whose receipt handle and receive
/// count change on every delivery, so it would never repeat as a key).
fn is_context(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(reference) => is_context(&reference.elem),
        syn::Type::Path(path) => path.path.segments.last().is_some_and(|last| {
            [
                "Context",
                "Request",
                "SqsMessage",
                "KinesisEventRecord",
                "DynamodbEventRecord",
                "EventRecord",
            ]
            .iter()
            .any(|name| last.ident == name)
        }),
        _ => false,
    }
}
