//! `#[traced]`: the subsegment around what is below it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ReturnType;

use super::{Scope, option_tokens};
use crate::signature::{contains_impl_trait, return_type_span};
use crate::traced::Traced;

/// The layer around `inner` (a future, or a closure for a sync function):
/// a `static` of its settings and one call into `::pypwext::__private::tracer`,
/// with the function that hands the return value to the capture. That
/// function renders through `#[logged]`'s probes, chosen by the return type
/// as the layer sees it, and runs only for a recorded call.
pub(super) fn traced_layer(
    traced: &Traced,
    scope: &Scope<'_>,
    inner: TokenStream,
    statics: &mut TokenStream,
) -> TokenStream {
    let Scope {
        name, sig, is_async, ..
    } = *scope;
    let opts = format_ident!("__PYPWEXT_TRACED");
    let subsegment = option_tokens(traced.name.as_ref());
    let capture_response = option_tokens(traced.capture_response);
    let capture_error = option_tokens(traced.capture_error);
    statics.extend(quote! {
        static #opts: ::pypwext::__private::tracer::Traced = ::pypwext::__private::tracer::Traced {
            function: #name,
            name: #subsegment,
            capture_response: #capture_response,
            capture_error: #capture_error,
        };
    });

    let ret = format_ident!("__pypwext_ret");
    let ret_param = match &sig.output {
        ReturnType::Type(_, ty) if !contains_impl_trait(ty) => quote!(#ret: &#ty),
        ReturnType::Type(..) => quote!(#ret),
        ReturnType::Default => quote!(#ret: &()),
    };
    let (ret_first, _) = return_type_span(sig);
    let render = quote_spanned!(ret_first=> (&&&&::pypwext::__private::render::Wrap(__pypwext_value)).pypwext_render());
    let helper = if is_async {
        format_ident!("traced_async")
    } else {
        format_ident!("traced_sync")
    };
    quote! {{
        #[allow(unused_imports)]
        use ::pypwext::__private::render::{
            ErrorViaDebug as _, ErrorViaDisplay as _, ErrorViaName as _, ErrorViaStd as _, OutcomeOfResult as _,
            OutcomeOfValue as _, ViaDebug as _, ViaLogView as _, ViaNothing as _, ViaSerialize as _,
        };
        ::pypwext::__private::tracer::#helper(&#opts, #inner, |#ret_param, __pypwext_capture| {
            match (&&::pypwext::__private::render::ProbeOutcome(#ret)).pypwext_outcome() {
                ::pypwext::__private::render::Outcome::Value(__pypwext_value) => __pypwext_capture.value(#render),
                ::pypwext::__private::render::Outcome::Error(__pypwext_error) => __pypwext_capture.error(
                    (&&&&::pypwext::__private::render::WrapError(__pypwext_error)).pypwext_exception()
                ),
            }
        })
    }}
}
