//! `#[metrics]`: the metrics layer around what is below it.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use super::option_tokens;
use crate::metrics::{Dimension, Metrics};

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
    let namespace = option_tokens(metrics.namespace.as_ref());
    let service = option_tokens(metrics.service.as_ref());
    let cold_start = metrics.capture_cold_start_metric;
    let dimensions = metrics
        .default_dimensions
        .iter()
        .map(|Dimension { name, value }| quote!((#name, #value)));
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
    // The rules of dimensions are the support crate's, evaluated at compile
    // time. Spanned from the name to the value: a pair that breaks one is
    // reported at `name = "value"` as written.
    for (index, Dimension { name, value }) in metrics.default_dimensions.iter().enumerate() {
        let check = quote_spanned!(name.span()=> ::pypwext::__private::metrics::assert_default_dimension);
        let index = Literal::usize_unsuffixed(index);
        let args = quote_spanned!(value.span()=> (#opts.default_dimensions, #index));
        statics.extend(quote!(const _: () = #check #args;));
    }
    if is_async {
        quote!(::pypwext::__private::metrics::metrics_async(&#opts, #inner))
    } else {
        quote!(::pypwext::__private::metrics::metrics_sync(&#opts, #inner))
    }
}
