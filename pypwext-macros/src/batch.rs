//! `#[batch_response]`, the core that handles one record of an SQS, Kinesis or
//! DynamoDB stream batch: its arguments, its rules and its code. The stack
//! passes (`attr`, `plan`, `valid`, `expand`) call in here.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::ReturnType;
use syn::spanned::Spanned;

use crate::ast::{Function, LayerKind, StackAttr};
use crate::attr::{CollectErrors, Flag, parse_args};
use crate::ctxt::Ctxt;
use crate::expand::{Scope, async_body, return_type_checked, wrap};
use crate::plan::{Place, Plan};
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
fn record_param(sig: &syn::Signature) -> Option<&syn::Type> {
    sig.inputs.iter().find_map(|input| match input {
        syn::FnArg::Typed(pat_type) => match classify(&pat_type.ty) {
            Param::Record(ty) => Some(ty),
            Param::Json | Param::Context => None,
        },
        syn::FnArg::Receiver(_) => None,
    })
}

/// The index into `BATCH_SOURCES` of a record type known by its name.
fn known_source(record: &syn::Type) -> Option<usize> {
    let ident = last_ident(record)?;
    BATCH_SOURCES.iter().position(|(_, _, name)| ident == name)
}

/// The batch event the generated handler takes.
fn event_type(sig: &syn::Signature, batch: &BatchResponse) -> TokenStream {
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
fn event_ident() -> syn::Ident {
    syn::Ident::new("event", Span::mixed_site())
}

/// `async fn name(event: LambdaEvent<E>) -> Result<Response, Error>`: what the
/// layers above `#[batch_response]` see.
fn outer_signature(sig: &syn::Signature, event: &TokenStream) -> syn::Signature {
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

/// The rules of `#[batch_response]` on this function.
pub(crate) fn check(cx: &mut Ctxt, function: &Function, batch: &BatchResponse) {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        cx.syn_error(syn::Error::new(
            batch.span,
            format_args!(
                "`#[batch_response]` needs an `async fn`: it runs records concurrently; write `async fn {}`",
                sig.ident
            ),
        ));
    }
    if let Some(constness) = &sig.constness {
        cx.error_spanned_by(
            constness,
            "`#[batch_response]` cannot go on a `const fn`; remove `const`",
        );
    }
    if !sig.generics.params.is_empty() {
        cx.error_spanned_by(
            &sig.generics,
            "`#[batch_response]` makes a Lambda handler, which cannot be generic; remove the generic parameters",
        );
    }
    if let Some(syn::FnArg::Receiver(receiver)) = sig.inputs.first() {
        cx.error_spanned_by(
            receiver,
            "`#[batch_response]` makes a free handler function; it cannot take `self` (share state through a `static`, such as a `LazyLock`)",
        );
    }
    if let ReturnType::Default = sig.output {
        cx.error_spanned_by(
            &sig.ident,
            "a `#[batch_response]` function returns `Result<T, E>` for its record: `Ok` processed it, `Err` fails it; add a return type such as `Result<(), PwError>`",
        );
    }
    let record = record_param(sig);
    let named = record.and_then(known_source);
    match (batch.source, record, named) {
        (Some((source, _)), Some(record), Some(named)) if source != named => {
            let (source_name, _, record_name) = BATCH_SOURCES[source];
            cx.error_spanned_by(
                record,
                format_args!(
                    "this record is a `{}`, but `source = {source_name}`; take `&{record_name}` for this source, or write `source = {}`",
                    BATCH_SOURCES[named].2, BATCH_SOURCES[named].0
                ),
            );
        }
        (None, None, _) => {
            let names: Vec<String> = BATCH_SOURCES.iter().map(|(name, ..)| format!("`{name}`")).collect();
            cx.syn_error(syn::Error::new(
                batch.span,
                format_args!(
                    "`#[batch_response]` cannot tell which source it answers: take the record as a parameter (`message: &SqsMessage`, `record: &KinesisEventRecord`, `record: &DynamodbEventRecord`) or write `source = …`, one of: {}",
                    names.join(", ")
                ),
            ));
        }
        _ => {}
    }
    // A stream is processed in order, one record at a time.
    let source = batch.source.map(|(index, _)| index).or(named);
    if let (Some(source), Some((n, span))) = (source, batch.concurrency)
        && source != 0
        && n > 1
    {
        cx.syn_error(syn::Error::new(
            span,
            format_args!(
                "`concurrency` is for SQS standard queues: a {} stream is processed in order, one record at a time, so Lambda can resume it at the first failure; remove `concurrency`",
                BATCH_SOURCES[source].0
            ),
        ));
    }
}

/// The rules of `#[collect_errors]` next to `#[batch_response]`; `true` when
/// the layer broke one (and was reported).
pub(crate) fn check_collect_errors(cx: &mut Ctxt, span: Span, collect: &CollectErrors, place: Place) -> bool {
    let message = match place {
        Place::AboveBatch => {
            "`#[collect_errors]` above `#[batch_response]` sees the partial batch response, which has no error to collect: every record runs in its own collector scope; move it below `#[batch_response]`, without `root`, to collect a record's errors"
        }
        Place::BelowBatch if collect.root => {
            "`#[collect_errors(root)]` below `#[batch_response]`: the batch response could never see the errors it collects, and every record already runs in its own collector scope; write `#[collect_errors]` without `root`"
        }
        _ => return false,
    };
    cx.syn_error(syn::Error::new(span, message));
    true
}

/// A second core next to a first one, where `#[batch_response]` is one of them.
pub(crate) fn second_core(cx: &mut Ctxt, span: Span, kind: LayerKind) {
    let cores = [
        LayerKind::ServiceResponse,
        LayerKind::BatchResponse,
        LayerKind::HttpMethod,
    ];
    let names: Vec<String> = cores.iter().map(|core| format!("`#[{}]`", core.symbol())).collect();
    cx.syn_error(syn::Error::new(
        span,
        format_args!(
            "`#[{}]` cannot share a function with another of {}: each makes the function something else (a service, a batch handler, a call); split them into two functions",
            kind.symbol(),
            names.join(", ")
        ),
    ));
}

/// The batch core: the outer signature, and the future the layers above wrap,
/// which runs the layers below and the user's body once per record.
pub(crate) fn expand_core(
    plan: &Plan,
    batch: &BatchResponse,
    name: &str,
    statics: &mut TokenStream,
) -> (syn::Signature, TokenStream) {
    let sig = &plan.function.sig;
    let user = Scope {
        name,
        sig,
        is_async: true,
        place: plan.below_place(),
    };
    let inner = wrap(&plan.below, &user, async_body(sig, &plan.function.body), statics);

    let BatchResponse {
        skip_group_on_error,
        fail_whole_batch,
        ..
    } = batch;
    let concurrency = batch.concurrency.map_or(1, |(n, _)| n);
    let line = quote_spanned!(sig.ident.span()=> ::core::line!());
    statics.extend(quote! {
        static __PYPWEXT_BATCH_RESPONSE: ::pypwext::__private::batch::BatchOptions = ::pypwext::__private::batch::BatchOptions {
            function: #name,
            line: #line,
            concurrency: #concurrency,
            skip_group_on_error: #skip_group_on_error,
            fail_whole_batch: #fail_whole_batch,
        };
    });

    let record = quote!(__pypwext_record);
    let context = quote!(__pypwext_context);
    let extractions = sig.inputs.iter().filter_map(|input| match input {
        syn::FnArg::Typed(syn::PatType { pat, ty, .. }) => {
            let extract = quote_spanned!(ty.span()=> ::pypwext::__private::batch::extract::<#ty, _>(#record, #context));
            Some(quote! {
                let #pat: #ty = match #extract {
                    ::core::result::Result::Ok(value) => value,
                    ::core::result::Result::Err(refused) => return refused,
                };
            })
        }
        syn::FnArg::Receiver(_) => None,
    });
    let outcome = return_type_checked(sig, |first, last, ty| {
        quote_spanned!(first=> <)
            .into_iter()
            .chain(ty.into_token_stream())
            .chain(quote_spanned!(last=> as ::pypwext::__private::batch::RecordResult>::into_outcome))
            .collect()
    });
    let event = event_ident();
    let value = quote! {
        async move {
            let (__pypwext_payload, __pypwext_context) = #event.into_parts();
            ::pypwext::__private::batch::in_invocation(
                &__pypwext_context,
                ::pypwext::__private::batch::process_records(
                    &__PYPWEXT_BATCH_RESPONSE,
                    &__pypwext_payload,
                    &__pypwext_context,
                    move |#record, #context| async move {
                        #(#extractions)*
                        let _ = (#record, #context);
                        ::pypwext::__private::batch::finish(#inner, #outcome).await
                    },
                ),
            )
            .await
        }
    };

    let outer = outer_signature(sig, &event_type(sig, batch));
    let above = Scope {
        name,
        sig: &outer,
        is_async: true,
        place: plan.above_place(),
    };
    let value = wrap(&plan.above, &above, value, statics);
    (outer, value)
}
