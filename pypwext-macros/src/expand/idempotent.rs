//! `#[idempotent]`: the guard around what is below it. The key and the
//! payload are computed from the parameters before the body's future takes
//! them; each expression is spanned as written, so the compiler reports a
//! key that is not `Serialize` at the user's tokens.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::{option_tokens, return_type_checked};
use crate::idempotent::{Idempotent, key_params};

/// The layer around `inner` (a future: `valid.rs` refuses a sync fn).
pub(super) fn idempotent_layer(
    idempotent: &Idempotent,
    name: &str,
    sig: &syn::Signature,
    inner: TokenStream,
    statics: &mut TokenStream,
) -> TokenStream {
    let site = format_ident!("__PYPWEXT_IDEMPOTENT");
    let prefix = option_tokens(idempotent.key_prefix.as_ref());
    statics.extend(quote! {
        static #site: ::pypwext::__private::idempotency::Idempotent =
            ::pypwext::__private::idempotency::Idempotent::new(#name, ::core::module_path!(), #prefix);
    });
    // `valid.rs` refuses a missing store before expansion.
    let store = match &idempotent.store {
        Some(path) => quote_spanned!(path.span()=> ::pypwext::__private::idempotency::AsStore::as_store(&#path)),
        None => quote!(::core::unreachable!()),
    };
    let key = match &idempotent.key {
        Some(expr) => value_of(expr),
        None => default_key(sig),
    };
    let validate = option_tokens(idempotent.validate.as_ref().map(value_of));
    let codec = return_type_checked(sig, |first, last, ty| {
        quote_spanned!(first=> <)
            .into_iter()
            .chain(ty.into_token_stream())
            .chain(quote_spanned!(last=> as ::pypwext::__private::idempotency::IdempotentResult>::CODEC))
            .collect()
    });
    quote!(::pypwext::__private::idempotency::idempotent(#store, &#site, #key, #validate, #inner, #codec))
}

/// `key(&(expr))`, spanned on the expression.
fn value_of(expr: &syn::Expr) -> TokenStream {
    quote_spanned!(expr.span()=> ::pypwext::__private::idempotency::key(&(#expr)))
}

/// The one parameter that is not a context, or an object of several by name.
fn default_key(sig: &syn::Signature) -> TokenStream {
    // `valid.rs` refuses a parameter it cannot name before expansion.
    let names: Vec<&syn::Ident> = key_params(sig).into_iter().filter_map(Result::ok).collect();
    match names.as_slice() {
        [one] => {
            quote_spanned!(one.span()=> ::pypwext::__private::idempotency::key(&#one))
        }
        several => {
            let fields = several.iter().map(|name| {
                let text = name.to_string();
                quote_spanned!(name.span()=> .field(#text, &#name))
            });
            quote!(::pypwext::__private::idempotency::KeyObject::new() #(#fields)* .finish())
        }
    }
}
