//! Pass 4: code, read off the plan. Each layer becomes one call into
//! `::pypwext::__private` wrapped around what is below it; innermost is the
//! core, and in it the user's body, untouched, inside a closure (sync) or an
//! `async move` block (async) so that `return` and `?` keep their meaning.
//!
//! One file per layer or core; this one composes them.

mod batch;
mod call;
mod collect;
mod idempotent;
mod inject;
mod logged;
mod metrics;
mod service;
mod traced;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ReturnType;
use syn::ext::IdentExt;

use crate::ast::Function;
use crate::plan::{Args, Core, Layer, Plan, Position};
use crate::signature::{
    call_signature, contains_impl_trait, handler_signature, outer_signature, request_ident, return_type_span,
    takes_lambda_event_first,
};

/// The function the plan makes, in place of the user's.
pub(crate) fn expand(plan: &Plan) -> TokenStream {
    let Function { attrs, vis, sig, body } = &plan.function;
    let name = sig.ident.unraw().to_string();
    let mut statics = TokenStream::new();
    // The compiler never resolves the attributes this expansion took off the
    // function; naming them here keeps their imports from looking unused.
    for path in &plan.paths {
        statics.extend(quote!(#[allow(unused_imports)] use #path as _;));
    }

    let (outer_sig, mut value) = match &plan.core {
        // The call is the body; the layers above see the signature without
        // the parameters filled from the answer.
        Core::Call(http, answer) => {
            let outer = call_signature(sig);
            let call = call::http_call(http, answer, &name, sig, body, &mut statics);
            let above = Scope {
                name: &name,
                sig: &outer,
                is_async: true,
                position: plan.above_position(),
            };
            let value = wrap(&plan.above, &above, call, &mut statics);
            (outer, value)
        }
        // The layers below the response layer see the user's signature; the
        // response layer turns it into `fn(Request) -> Response`, which the
        // layers above it see.
        Core::Service(service) => {
            let user = Scope {
                name: &name,
                sig,
                is_async: true,
                position: plan.below_position(),
            };
            let inner = wrap(&plan.below, &user, async_body(sig, body), &mut statics);
            let collect_root = plan
                .above
                .iter()
                .any(|layer| matches!(layer.args, Args::CollectErrors(_)));
            let response = service::service_response(service, collect_root, &name, sig, inner, &mut statics);
            let outer = outer_signature(sig);
            let above = Scope {
                name: &name,
                sig: &outer,
                is_async: true,
                position: plan.above_position(),
            };
            let value = wrap(&plan.above, &above, response, &mut statics);
            (outer, value)
        }
        // Like a response: the layers below see the user's signature (once
        // per record), those above `fn(LambdaEvent<E>) -> Result<Response, Error>`.
        Core::Batch(batch) => batch::batch_core(plan, batch, &name, &mut statics),
        Core::Body => {
            let is_async = sig.asyncness.is_some();
            let user = Scope {
                name: &name,
                sig,
                is_async,
                position: plan.above_position(),
            };
            let thunk = if is_async {
                async_body(sig, body)
            } else {
                quote!(move || #body)
            };
            (sig.clone(), wrap(&plan.above, &user, thunk, &mut statics))
        }
    };

    let is_async = outer_sig.asyncness.is_some();
    let inject = plan
        .layers()
        .find_map(|layer| match &layer.args {
            Args::Logged(logged) if logged.inject_lambda_context.is_some() => Some(inject::Injection::Logged(logged)),
            _ => None,
        })
        .or_else(|| traced_event_handler(plan, &outer_sig).then_some(inject::Injection::Traced));
    let outer_sig = if let Core::Service(_) = plan.core {
        // A plain fn returning the future of `start_handler`, which at its
        // first poll reads the invocation from the request and builds the
        // stack inside it.
        let inject = inject.unwrap_or(inject::Injection::Service);
        let prepare = inject.prepare(Span::call_site());
        let opts = inject::inject_options(inject, &name, &outer_sig, &mut statics);
        let request = request_ident();
        value = quote!(::pypwext::__private::start_handler(&#opts, #prepare, #request, move |#request| #value));
        handler_signature(&outer_sig)
    } else {
        if let Some(inject) = inject {
            value = inject::inject_lambda_context(inject, &name, &outer_sig, is_async, value, &mut statics);
        }
        if is_async {
            value = quote!(#value.await);
        }
        outer_sig
    };

    let item = quote! {
        #(#attrs)*
        #vis #outer_sig {
            #statics
            #value
        }
    };
    require_features(plan, item)
}

/// A `#[traced]` handler of a `LambdaEvent<T>` with nothing else that sets
/// the invocation (a response or batch core sets it itself): the traced layer
/// reads it from the event, so that the subsegment joins the event's trace.
fn traced_event_handler(plan: &Plan, sig: &syn::Signature) -> bool {
    matches!(plan.core, Core::Body)
        && plan.layers().any(|layer| matches!(layer.args, Args::Traced(_)))
        && takes_lambda_event_first(sig)
}

/// The user's body as a future. An `async` block infers its output from its
/// returns, so a first `return` of the declared type makes the others coerce
/// to it (`Err(Box::new(e))` into `Box<dyn Error>`) as in the `async fn`.
fn async_body(sig: &syn::Signature, body: &TokenStream) -> TokenStream {
    match &sig.output {
        ReturnType::Type(_, ty) if !contains_impl_trait(ty) => quote! {
            async move {
                #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::needless_return)]
                if false {
                    let __pypwext_declared: #ty = loop {};
                    return __pypwext_declared;
                }
                #body
            }
        },
        _ => quote!(async move #body),
    }
}

/// What a layer sees: the function's name, the signature at its place in the
/// stack, and that position.
struct Scope<'a> {
    name: &'a str,
    sig: &'a syn::Signature,
    is_async: bool,
    position: Position,
}

/// Wraps `inner` (a future, or a closure for a sync fn) in `layers`,
/// innermost first; gives a future (async) or a value (sync).
fn wrap(layers: &[Layer], scope: &Scope<'_>, mut inner: TokenStream, statics: &mut TokenStream) -> TokenStream {
    let mut value = None;
    for layer in layers.iter().rev() {
        let wrapped = match &layer.args {
            Args::CollectErrors(collect) => collect::collect_errors(collect, scope, inner, statics),
            Args::Logged(logged) => logged::logged(logged, scope, inner, statics),
            Args::Metrics(metrics) => {
                metrics::metrics_layer(metrics, scope.name, scope.sig, scope.is_async, inner, statics)
            }
            Args::Traced(traced) => traced::traced_layer(traced, scope, inner, statics),
            Args::Idempotent(args) => idempotent::idempotent_layer(args, scope.name, scope.sig, inner, statics),
            // `valid.rs` refuses a second core before expansion.
            Args::ServiceResponse(_) | Args::HttpMethod(_) | Args::BatchResponse(_) => inner,
        };
        inner = if scope.is_async {
            wrapped.clone()
        } else {
            quote!(move || #wrapped)
        };
        value = Some(wrapped);
    }
    // No layer at all only happens below a response layer, in async code.
    value.unwrap_or(inner)
}

/// Names a bounded helper with the function's return type as its type
/// argument, and spans the path over the whole return type: an unmet bound is
/// then reported at the user's return type, not at the attribute.
fn return_type_checked(sig: &syn::Signature, build: impl FnOnce(Span, Span, &syn::Type) -> TokenStream) -> TokenStream {
    let (first, last) = return_type_span(sig);
    match &sig.output {
        ReturnType::Type(_, ty) => build(first, last, ty),
        // `valid.rs` refuses this before expansion.
        ReturnType::Default => build(first, last, &syn::parse_quote!(())),
    }
}

/// `Some(<value>)` or `None`, as the generated code writes an option.
fn option_tokens(value: Option<impl quote::ToTokens>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}

/// The function goes through the check of each cargo feature its stack
/// needs (the core's outermost): with the feature it is the function as is;
/// without, one error on the attribute that names the feature to enable,
/// rather than errors about paths that do not resolve.
fn require_features(plan: &Plan, item: TokenStream) -> TokenStream {
    let needs: Vec<_> = plan.needing_features().collect();
    needs.into_iter().rev().fold(item, |item, (kind, feature, span)| {
        let check = format_ident!("{feature}");
        let attribute = kind.symbol().0;
        quote_spanned!(span=> ::pypwext::__private::feature::#check! { #attribute, #feature; #item })
    })
}
