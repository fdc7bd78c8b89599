//! `#[batch_response]`, the core that handles one record of an SQS, Kinesis or
//! DynamoDB stream batch: its arguments, and what its function's signature
//! says (the record, the event, the handler the layers above see). Its rules
//! are in `valid`, its code in `expand`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::StackAttr;
use crate::attr::{Flag, parse_args};
use crate::ctxt::Ctxt;
use crate::symbol::{BATCH_SOURCES, CONCURRENCY, FAIL_WHOLE_BATCH, SKIP_GROUP_ON_ERROR, SOURCE, Symbol};

/// `#[batch_response(source = Sqs, concurrency = 8, skip_group_on_error, fail_whole_batch = false)]`
pub(crate) struct BatchResponse {
    /// Where the attribute is written.
    pub(crate) span: Span,
    /// `source = …`: an index into `BATCH_SOURCES`, and where it is written.
    pub(crate) source: Option<(usize, Span)>,
    /// `concurrency = N`, and where N is written.
    pub(crate) concurrency: Option<(usize, Span)>,
    pub(crate) skip_group_on_error: bool,
    pub(crate) fail_whole_batch: bool,
}

const BATCH_ARGS: &[Symbol] = &[SOURCE, CONCURRENCY, SKIP_GROUP_ON_ERROR, FAIL_WHOLE_BATCH];

pub(crate) fn parse(cx: &mut Ctxt, attr: &StackAttr) -> BatchResponse {
    let mut source: Flag<(usize, Span)> = Flag::new(SOURCE);
    let mut concurrency: Flag<(usize, Span)> = Flag::new(CONCURRENCY);
    let mut skip_group_on_error = Flag::new(SKIP_GROUP_ON_ERROR);
    let mut fail_whole_batch = Flag::new(FAIL_WHOLE_BATCH);
    parse_args(cx, attr, BATCH_ARGS, |cx, meta| {
        if meta.path == SOURCE {
            let expr: syn::Expr = meta.value()?.parse()?;
            let last = match &expr {
                syn::Expr::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            match last.and_then(|name| BATCH_SOURCES.iter().position(|(source, ..)| *source == name)) {
                Some(index) => source.set(cx, meta, (index, expr.span())),
                None => {
                    let names: Vec<String> = BATCH_SOURCES.iter().map(|(name, ..)| format!("`{name}`")).collect();
                    cx.error_spanned_by(
                        &expr,
                        format_args!(
                            "unknown source `{}`; expected one of: {}",
                            expr.to_token_stream().to_string().replace(' ', ""),
                            names.join(", ")
                        ),
                    );
                }
            }
        } else if meta.path == CONCURRENCY {
            let expr: syn::Expr = meta.value()?.parse()?;
            let value = match &expr {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(int),
                    ..
                }) => int.base10_parse::<usize>().ok().filter(|n| *n >= 1),
                _ => None,
            };
            match value {
                Some(n) => concurrency.set(cx, meta, (n, expr.span())),
                None => cx.error_spanned_by(
                    &expr,
                    "`concurrency` takes a whole number of records in flight, 1 or more, like `concurrency = 8`",
                ),
            }
        } else if meta.path == SKIP_GROUP_ON_ERROR {
            skip_group_on_error.set_bool(cx, meta)?;
        } else if meta.path == FAIL_WHOLE_BATCH {
            fail_whole_batch.set_bool(cx, meta)?;
        } else {
            return Ok(false);
        }
        Ok(true)
    });
    BatchResponse {
        span: attr.span,
        source: source.value,
        concurrency: concurrency.value,
        skip_group_on_error: skip_group_on_error.value.unwrap_or(false),
        fail_whole_batch: fail_whole_batch.value.unwrap_or(true),
    }
}

/// What a parameter of a `#[batch_response]` function is.
enum Param<'a> {
    /// `Json<T>`.
    Json,
    /// `lambda_runtime::Context`.
    Context,
    /// The record, by reference or by value: its type without the reference.
    Record(&'a syn::Type),
}

fn last_ident(ty: &syn::Type) -> Option<&syn::Ident> {
    match ty {
        syn::Type::Path(path) if path.qself.is_none() => path.path.segments.last().map(|s| &s.ident),
        _ => None,
    }
}

fn classify(ty: &syn::Type) -> Param<'_> {
    let record = match ty {
        syn::Type::Reference(reference) => &*reference.elem,
        other => other,
    };
    match last_ident(record) {
        Some(ident) if ident == "Json" => Param::Json,
        Some(ident) if ident == "Context" => Param::Context,
        _ => Param::Record(record),
    }
}

/// The first parameter that is neither `Json<T>` nor `Context`: the record.
pub(crate) fn record_param(sig: &syn::Signature) -> Option<&syn::Type> {
    sig.inputs.iter().find_map(|input| match input {
        syn::FnArg::Typed(pat_type) => match classify(&pat_type.ty) {
            Param::Record(ty) => Some(ty),
            Param::Json | Param::Context => None,
        },
        syn::FnArg::Receiver(_) => None,
    })
}

/// The index into `BATCH_SOURCES` of a record type known by its name.
pub(crate) fn known_source(record: &syn::Type) -> Option<usize> {
    let ident = last_ident(record)?;
    BATCH_SOURCES.iter().position(|(_, _, name)| ident == name)
}

/// The batch event the generated handler takes.
pub(crate) fn event_type(sig: &syn::Signature, batch: &BatchResponse) -> TokenStream {
    match (batch.source, record_param(sig)) {
        (Some((index, _)), _) => {
            let event = syn::Ident::new(BATCH_SOURCES[index].1, Span::call_site());
            quote!(::pypwext::__private::batch::#event)
        }
        // Spanned on the record's type: a type that is no record is reported there.
        (None, Some(record)) => quote_spanned!(record.span()=> ::pypwext::__private::batch::EventOf<#record>),
        // `check` refuses this before expansion.
        (None, None) => quote!(::pypwext::__private::batch::SqsEvent),
    }
}

/// The identifier of the event parameter of the generated handler: `event` in
/// the logs, invisible to the user's code.
pub(crate) fn event_ident() -> syn::Ident {
    syn::Ident::new("event", Span::mixed_site())
}

/// `async fn name(event: LambdaEvent<E>) -> Result<Response, Error>`: what the
/// layers above `#[batch_response]` see.
pub(crate) fn outer_signature(sig: &syn::Signature, event: &TokenStream) -> syn::Signature {
    let mut outer = sig.clone();
    let ident = event_ident();
    outer.asyncness = Some(syn::Token![async](sig.ident.span()));
    outer.inputs = syn::parse_quote!(#ident: ::pypwext::__private::batch::LambdaEvent<#event>);
    outer.output = syn::parse_quote! {
        -> ::core::result::Result<::pypwext::__private::batch::ResponseOf<#event>, ::pypwext::__private::batch::Error>
    };
    outer
}

/// The outer signature, for the rules of the layers above (which read only
/// its parameter names).
pub(crate) fn outer_signature_for_checks(sig: &syn::Signature) -> syn::Signature {
    outer_signature(sig, &quote!(::pypwext::__private::batch::SqsEvent))
}
