//! Procedural macros of [pypwext](https://docs.rs/pypwext). Depend on `pypwext`
//! and use them from there: the generated code calls into it.
//!
//! Every macro runs the same passes over the function and the whole pypwext
//! stack on it: `ast` (read), `attr` (arguments) and `plan` (the layers above
//! the core, the core, the layers below), then `valid` (rules) and `expand`
//! (code), which both read the plan. The topmost pypwext attribute does the
//! work for the stack.

mod ast;
mod attr;
mod batch;
mod ctxt;
mod expand;
mod foreign;
mod http_method;
mod idempotent;
mod logged;
mod metrics;
mod plan;
mod signature;
mod symbol;
mod template;
#[cfg(test)]
mod tests;
mod traced;
mod valid;

use proc_macro::TokenStream;

use ast::{LayerKind, Stack};
use ctxt::Ctxt;
use plan::Plan;

// Each attribute's reference, with its examples (run as doctests), is the
// Markdown file `docs/<attribute>.md`.
#[doc = include_str!("../docs/collect_errors.md")]
#[proc_macro_attribute]
pub fn collect_errors(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::CollectErrors, args.into(), item.into()).into()
}

#[doc = include_str!("../docs/logged.md")]
#[proc_macro_attribute]
pub fn logged(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::Logged, args.into(), item.into()).into()
}

#[doc = include_str!("../docs/service_response.md")]
#[proc_macro_attribute]
pub fn service_response(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::ServiceResponse, args.into(), item.into()).into()
}

#[doc = include_str!("../docs/http_method.md")]
#[proc_macro_attribute]
pub fn http_method(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::HttpMethod, args.into(), item.into()).into()
}

#[doc = include_str!("../docs/batch_response.md")]
#[proc_macro_attribute]
pub fn batch_response(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::BatchResponse, args.into(), item.into()).into()
}

#[doc = include_str!("../docs/metrics.md")]
#[proc_macro_attribute]
pub fn metrics(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::Metrics, args.into(), item.into()).into()
}

#[doc = include_str!("../docs/traced.md")]
#[proc_macro_attribute]
pub fn traced(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::Traced, args.into(), item.into()).into()
}

#[doc = include_str!("../docs/idempotent.md")]
#[proc_macro_attribute]
pub fn idempotent(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::Idempotent, args.into(), item.into()).into()
}

fn expand_stack(
    top: LayerKind,
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let stack = match Stack::parse(top, args, item.clone()) {
        Ok(stack) => stack,
        // Not a function we can wrap: say so, and keep the item for the IDE.
        Err(err) => {
            let mut out = err.to_compile_error();
            out.extend(item);
            return out;
        }
    };

    // A call's empty body would add a type error of its own to the errors below.
    let calls = stack.attrs.iter().any(|attr| attr.kind == LayerKind::HttpMethod);
    let mut cx = Ctxt::new();
    let plan = Plan::build(&mut cx, stack);
    valid::check(&mut cx, &plan);

    if cx.error_count() > 0 {
        // The user's function as written, minus our attributes, so that
        // completion and go-to-definition keep working while they fix it.
        let mut out = cx.into_compile_errors();
        let mut function = plan.function;
        if calls && function.has_empty_body() {
            function.body = quote::quote!({ ::core::unimplemented!("`#[http_method]` has errors") });
        }
        quote::ToTokens::to_tokens(&function, &mut out);
        return out;
    }
    expand::expand(&plan)
}
