//! `#[batch_response]`, the core that handles one record of an SQS, Kinesis or
//! DynamoDB stream batch: its arguments, and what its function's signature
//! says (the record, the event, the handler the layers above see). Its rules
//! are in `valid`, its code in `expand`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::StackAttr;
use crate::attr::{Attr, parse_args};
use crate::ctxt::Ctxt;
use crate::symbol::{CONCURRENCY, FAIL_WHOLE_BATCH, SKIP_GROUP_ON_ERROR, SOURCE, Symbol};

/// `#[batch_response(source = Sqs, concurrency = 8, skip_group_on_error, fail_whole_batch = false)]`
pub(crate) struct BatchResponse {
    /// Where the attribute is written.
    pub(crate) span: Span,
    /// `source = …`, and where it is written.
    pub(crate) source: Option<(BatchSource, Span)>,
    /// `concurrency = N`, and where N is written.
    pub(crate) concurrency: Option<(usize, Span)>,
    pub(crate) skip_group_on_error: bool,
    pub(crate) fail_whole_batch: bool,
}

const BATCH_ARGS: &[Symbol] = &[SOURCE, CONCURRENCY, SKIP_GROUP_ON_ERROR, FAIL_WHOLE_BATCH];

/// The event sources `#[batch_response]` answers.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum BatchSource {
    Sqs,
    Kinesis,
    DynamoDb,
}

impl BatchSource {
    pub(crate) const ALL: [BatchSource; 3] = [BatchSource::Sqs, BatchSource::Kinesis, BatchSource::DynamoDb];

    /// The word `source = …` takes.
    pub(crate) fn name(self) -> &'static str {
        match self {
            BatchSource::Sqs => "Sqs",
            BatchSource::Kinesis => "Kinesis",
            BatchSource::DynamoDb => "DynamoDb",
        }
    }

    /// The event type of `pypwext::batch` the generated handler takes.
    pub(crate) fn event(self) -> &'static str {
        match self {
            BatchSource::Sqs => "SqsEvent",
            BatchSource::Kinesis => "KinesisEvent",
            BatchSource::DynamoDb => "DynamoDbEvent",
        }
    }

    /// The record type a parameter names the source by.
    pub(crate) fn record(self) -> &'static str {
        match self {
            BatchSource::Sqs => "SqsMessage",
            BatchSource::Kinesis => "KinesisEventRecord",
            BatchSource::DynamoDb => "DynamodbEventRecord",
        }
    }

    /// Every word, for messages: `` `Sqs`, `Kinesis`, `DynamoDb` ``.
    pub(crate) fn names() -> String {
        let names: Vec<String> = BatchSource::ALL
            .iter()
            .map(|source| format!("`{}`", source.name()))
            .collect();
        names.join(", ")
    }
}

pub(crate) fn parse(cx: &mut Ctxt, attr: &StackAttr) -> BatchResponse {
    let mut source: Attr<(BatchSource, Span)> = Attr::new(SOURCE);
    let mut concurrency: Attr<(usize, Span)> = Attr::new(CONCURRENCY);
    let mut skip_group_on_error = Attr::new(SKIP_GROUP_ON_ERROR);
    let mut fail_whole_batch = Attr::new(FAIL_WHOLE_BATCH);
    parse_args(cx, attr, BATCH_ARGS, |cx, meta| {
        if meta.path == SOURCE {
            let expr: syn::Expr = meta.value()?.parse()?;
            let last = match &expr {
                syn::Expr::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            match last.and_then(|name| BatchSource::ALL.into_iter().find(|source| source.name() == name)) {
                Some(found) => source.set(cx, meta, (found, expr.span())),
                None => {
                    cx.error_spanned_by(
                        &expr,
                        format_args!(
                            "unknown source `{}`; expected one of: {}",
                            expr.to_token_stream().to_string().replace(' ', ""),
                            BatchSource::names()
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

/// The source of a record type known by its name.
pub(crate) fn known_source(record: &syn::Type) -> Option<BatchSource> {
    let ident = last_ident(record)?;
    BatchSource::ALL.into_iter().find(|source| ident == source.record())
}

/// The batch event the generated handler takes.
pub(crate) fn event_type(sig: &syn::Signature, batch: &BatchResponse) -> TokenStream {
    match (batch.source, record_param(sig)) {
        (Some((source, _)), _) => {
            let event = syn::Ident::new(source.event(), Span::call_site());
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
