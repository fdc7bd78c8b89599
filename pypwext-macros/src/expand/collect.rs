//! `#[collect_errors]`: the collector layer around what is below it.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};

use super::{Scope, return_type_checked};
use crate::attr::CollectErrors;
use crate::plan::Position;

pub(super) fn collect_errors(
    collect: &CollectErrors,
    scope: &Scope<'_>,
    inner: TokenStream,
    statics: &mut TokenStream,
) -> TokenStream {
    if scope.position == Position::AboveService {
        // The response layer below installs the collector itself (see
        // `service_response`): one scope fewer to enter on every poll.
        // `valid.rs` made sure this is a root.
        return inner;
    }
    let Scope {
        name, sig, is_async, ..
    } = *scope;
    let opts = format_ident!("__PYPWEXT_COLLECT_ERRORS");
    let CollectErrors { root, log, .. } = collect;
    let line = quote_spanned!(sig.ident.span()=> ::core::line!());
    statics.extend(quote! {
        static #opts: ::pypwext::__private::CollectErrors = ::pypwext::__private::CollectErrors {
            function: #name,
            line: #line,
            root: #root,
            log: #log,
        };
    });
    let helper = if is_async {
        format_ident!("collect_errors_async")
    } else {
        format_ident!("collect_errors_sync")
    };
    let absorb = return_type_checked(sig, |first, last, ty| {
        quote_spanned!(first=> ::pypwext::__private::absorb::<)
            .into_iter()
            .chain(ty.into_token_stream())
            .chain(quote_spanned!(last=> >))
            .collect()
    });
    quote!(::pypwext::__private::#helper(&#opts, #inner, #absorb))
}
