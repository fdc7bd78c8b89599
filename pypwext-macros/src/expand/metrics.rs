//! `#[metrics]`: the metrics layer around what is below it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

use crate::metrics::Metrics;

/// The layer around `inner` (a future, or a closure for a sync function).
pub(super) fn metrics_layer(
    metrics: &Metrics,
    name: &str,
    sig: &syn::Signature,
    is_async: bool,
    inner: TokenStream,
    statics: &mut TokenStream,
) -> TokenStream {
    let opts = format_ident!("__PYPWEXT_METRICS");
    let option = |lit: &Option<syn::LitStr>| match lit {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    };
    let namespace = option(&metrics.namespace);
    let service = option(&metrics.service);
    let cold_start = metrics.capture_cold_start_metric;
    let dimensions = metrics
        .default_dimensions
        .iter()
        .map(|(key, value)| quote!((#key, #value)));
    let line = quote_spanned!(sig.ident.span()=> ::core::line!());
    statics.extend(quote! {
        static #opts: ::pypwext::__private::metrics::Metrics = ::pypwext::__private::metrics::Metrics {
            function: #name,
            line: #line,
            namespace: #namespace,
            service: #service,
            capture_cold_start_metric: #cold_start,
            default_dimensions: &[#(#dimensions),*],
        };
    });
    if is_async {
        quote!(::pypwext::__private::metrics::metrics_async(&#opts, #inner))
    } else {
        quote!(::pypwext::__private::metrics::metrics_sync(&#opts, #inner))
    }
}
