//! `inject_lambda_context`: the stack runs as the invocation its event
//! belongs to.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens as _, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::logged::Logged;
use crate::signature::named_params;

/// Where the Lambda context of the invocation comes from.
pub(super) enum Injection<'a> {
    /// `#[logged(inject_lambda_context, ...)]`: the handler's first parameter.
    Logged(&'a Logged),
    /// `#[service_response]`: the request, correlated by its request id.
    Service,
    /// `#[traced]` on a handler that takes a `LambdaEvent<T>` first, with no
    /// layer above that sets the invocation: the event's context, unless an
    /// invocation is running already.
    Traced,
}

impl Injection<'_> {
    /// The `__private` function that reads the invocation from the event. A
    /// path of the handler's own may reach anywhere in the event, so its
    /// function may serialize the event; pypwext's own paths are fields read
    /// as they are, and their function builds no serializer into the binary.
    pub(super) fn prepare(&self, span: Span) -> TokenStream {
        match self {
            Injection::Logged(Logged {
                correlation_id_path: Some(_),
                ..
            }) => quote_spanned!(span=> ::pypwext::__private::prepare_injection_anywhere),
            Injection::Traced => quote_spanned!(span=> ::pypwext::__private::prepare_trace_injection),
            _ => quote_spanned!(span=> ::pypwext::__private::prepare_injection),
        }
    }
}

/// Runs `block` (the whole stack) as the invocation the handler's event
/// belongs to, so that every line of every layer carries the Lambda context
/// keys, wherever the layer that asked for it stands.
pub(super) fn inject_lambda_context(
    inject: Injection<'_>,
    name: &str,
    sig: &syn::Signature,
    is_async: bool,
    block: TokenStream,
    statics: &mut TokenStream,
) -> TokenStream {
    // `valid.rs` made sure the first parameter is a named one.
    let Some((event, event_ty)) = named_params(sig).next() else {
        return block;
    };
    let prepare = inject.prepare(event_ty.span());
    let opts = inject_options(inject, name, sig, statics);
    // Spanned on the event's type: a type that carries no Lambda context is reported there.
    let injection = quote_spanned!(event_ty.span()=> #prepare(&#event, &#opts));
    if is_async {
        // The stack is built inside the invocation, entry line included.
        quote!(::pypwext::__private::inject_async(&#opts, #injection, move || #block))
    } else {
        quote!(::pypwext::__private::inject_sync(&#opts, #injection, move || #block))
    }
}

/// The `static` with what the injection was asked to do; its name.
pub(super) fn inject_options(
    inject: Injection<'_>,
    name: &str,
    sig: &syn::Signature,
    statics: &mut TokenStream,
) -> syn::Ident {
    let opts = format_ident!("__PYPWEXT_INJECT");
    let line = quote_spanned!(sig.ident.span()=> ::core::line!());
    let (paths, log_event) = match inject {
        Injection::Logged(logged) => {
            let paths = match &logged.correlation_id_path {
                Some(path) => {
                    statics.extend(check_correlation_path(path));
                    quote!(&[#path])
                }
                None => quote!(&[]),
            };
            (paths, logged.log_event.is_some())
        }
        Injection::Service => (
            quote!(&[
                ::pypwext::logging::correlation_paths::API_GATEWAY_REST,
                ::pypwext::logging::correlation_paths::APPLICATION_LOAD_BALANCER,
            ]),
            false,
        ),
        Injection::Traced => (quote!(&[]), false),
    };
    statics.extend(quote! {
        static #opts: ::pypwext::__private::InjectLambdaContext =
            ::pypwext::__private::InjectLambdaContext::new(#name, #line, #paths, #log_event);
    });
    opts
}

/// The compile-time check of a handler's correlation path (a literal or a
/// constant): the grammar is the support crate's, evaluated in a `const`.
/// Spanned from the path's first token to its last, so that a path that
/// breaks it is reported at the path as written.
fn check_correlation_path(path: &syn::Expr) -> TokenStream {
    let mut tokens = path.to_token_stream().into_iter();
    let first = tokens.next().map_or_else(Span::call_site, |t| t.span());
    let last = tokens.last().map_or(first, |t| t.span());
    let check = quote_spanned!(first=> ::pypwext::__private::assert_correlation_path);
    let args = quote_spanned!(last=> (#path));
    quote!(const _: () = #check #args;)
}
