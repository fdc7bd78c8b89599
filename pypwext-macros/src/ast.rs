//! Pass 1: the annotated function and the pypwext attributes stacked on it,
//! as written. Nothing is checked here beyond what parsing needs.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Attribute, Meta, Signature, Visibility};

use crate::symbol::{
    BATCH_RESPONSE, COLLECT_ERRORS, HTTP_METHOD, IDEMPOTENT, LOGGED, METRICS, PYPWEXT, SERVICE_RESPONSE, Symbol, TRACED,
};

/// One kind of pypwext attribute: one layer of the stack.
///
/// Adding a layer: CONTRIBUTING.md, "Adding a layer", lists every file.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum LayerKind {
    CollectErrors,
    Logged,
    ServiceResponse,
    HttpMethod,
    BatchResponse,
    Metrics,
    Traced,
    Idempotent,
}

impl LayerKind {
    pub(crate) const ALL: &'static [LayerKind] = &[
        LayerKind::CollectErrors,
        LayerKind::Logged,
        LayerKind::ServiceResponse,
        LayerKind::HttpMethod,
        LayerKind::BatchResponse,
        LayerKind::Metrics,
        LayerKind::Traced,
        LayerKind::Idempotent,
    ];

    pub(crate) fn symbol(self) -> Symbol {
        match self {
            LayerKind::CollectErrors => COLLECT_ERRORS,
            LayerKind::Logged => LOGGED,
            LayerKind::ServiceResponse => SERVICE_RESPONSE,
            LayerKind::HttpMethod => HTTP_METHOD,
            LayerKind::BatchResponse => BATCH_RESPONSE,
            LayerKind::Metrics => METRICS,
            LayerKind::Traced => TRACED,
            LayerKind::Idempotent => IDEMPOTENT,
        }
    }

    /// The cargo feature of pypwext the attribute needs, if any.
    pub(crate) fn feature(self) -> Option<&'static str> {
        match self {
            LayerKind::CollectErrors | LayerKind::Logged => None,
            LayerKind::ServiceResponse => Some("service"),
            LayerKind::HttpMethod => Some("http"),
            LayerKind::BatchResponse => Some("batch"),
            LayerKind::Metrics => Some("metrics"),
            LayerKind::Traced => Some("tracer"),
            LayerKind::Idempotent => Some("idempotency"),
        }
    }

    /// Every attribute's name, for messages: `collect_errors, logged, …`.
    pub(crate) fn names() -> String {
        let names: Vec<&str> = LayerKind::ALL.iter().map(|kind| kind.symbol().0).collect();
        names.join(", ")
    }

    /// The kind an attribute path names: `collect_errors`, `pypwext::collect_errors`
    /// or `::pypwext::collect_errors`.
    pub(crate) fn from_path(path: &syn::Path) -> Option<LayerKind> {
        let segments: Vec<&syn::PathSegment> = path.segments.iter().collect();
        let last = match segments.as_slice() {
            [last] if path.leading_colon.is_none() => last,
            [krate, last] if krate.ident == PYPWEXT => last,
            _ => return None,
        };
        if !last.arguments.is_none() {
            return None;
        }
        LayerKind::ALL.iter().copied().find(|kind| last.ident == kind.symbol())
    }
}

/// A pypwext attribute as written: which one, where, and its argument tokens.
pub(crate) struct StackAttr {
    pub(crate) kind: LayerKind,
    /// The path as written, for a stacked attribute (the one being expanded
    /// was resolved by the compiler already).
    pub(crate) path: Option<syn::Path>,
    /// The attribute's path, for errors about the attribute as a whole.
    pub(crate) span: Span,
    pub(crate) args: TokenStream,
}

/// The annotated function. The body stays raw tokens: the macros never look
/// inside it, and a body that does not parse yet (as while typing in an IDE)
/// still expands.
pub(crate) struct Function {
    /// The attributes that are not pypwext's, in written order.
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    pub(crate) body: TokenStream,
}

impl Function {
    /// Reads a function item; the errors name the attribute `top`.
    fn parse(top: LayerKind, input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let sig: Signature = input.parse().map_err(|err| {
            syn::Error::new(
                err.span(),
                format_args!("`#[{}]` goes on a function: {err}", top.symbol()),
            )
        })?;
        if input.peek(syn::Token![;]) {
            return Err(input.error(format_args!(
                "`#[{}]` needs a function with a body; put it on the implementation, not on the declaration",
                top.symbol()
            )));
        }
        let body: proc_macro2::Group = input.parse()?;
        if body.delimiter() != proc_macro2::Delimiter::Brace {
            return Err(syn::Error::new(body.span(), "expected the function body in braces"));
        }
        Ok(Function {
            attrs,
            vis,
            sig,
            body: body.into_token_stream(),
        })
    }
}

impl Function {
    /// Whether the body is `{}`.
    pub(crate) fn has_empty_body(&self) -> bool {
        match self.body.clone().into_iter().next() {
            Some(proc_macro2::TokenTree::Group(group)) => group.stream().is_empty(),
            _ => false,
        }
    }
}

impl ToTokens for Function {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for attr in &self.attrs {
            attr.to_tokens(tokens);
        }
        self.vis.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        self.body.to_tokens(tokens);
    }
}

/// The function and its pypwext stack, top first: the attribute being expanded,
/// then the pypwext attributes below it (taken off the function), in order.
pub(crate) struct Stack {
    pub(crate) function: Function,
    pub(crate) attrs: Vec<StackAttr>,
}

impl Stack {
    /// Reads the stack. `Err` carries the tokens to emit as they were: the item
    /// is not a function this crate can wrap.
    pub(crate) fn parse(top: LayerKind, args: TokenStream, item: TokenStream) -> syn::Result<Stack> {
        let mut function = (|input: ParseStream<'_>| Function::parse(top, input)).parse2(item)?;

        let mut attrs = vec![StackAttr {
            kind: top,
            path: None,
            span: Span::call_site(),
            args,
        }];
        let mut others = Vec::with_capacity(function.attrs.len());
        for attr in std::mem::take(&mut function.attrs) {
            match LayerKind::from_path(attr.path()) {
                Some(kind) => attrs.push(StackAttr {
                    kind,
                    path: Some(attr.path().clone()),
                    span: attr.path().span(),
                    args: stack_attr_args(&attr),
                }),
                None => others.push(attr),
            }
        }
        function.attrs = others;
        Ok(Stack { function, attrs })
    }
}

/// The argument tokens of a stacked attribute; a `#[name = value]` form is kept
/// whole so that `attr.rs` can point at it.
fn stack_attr_args(attr: &Attribute) -> TokenStream {
    match &attr.meta {
        Meta::Path(_) => TokenStream::new(),
        Meta::List(list) => list.tokens.clone(),
        Meta::NameValue(nv) => {
            let mut tokens = nv.eq_token.into_token_stream();
            nv.value.to_tokens(&mut tokens);
            tokens
        }
    }
}
