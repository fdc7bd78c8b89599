//! The stack as one plan, built once after parsing: the layers above the core,
//! the core, and the layers below it. `valid.rs` checks the plan and
//! `expand.rs` reads the same plan; neither works out the stack's shape again.

use proc_macro2::Span;

use crate::ast::StackAttr;
use crate::ast::{Function, LayerKind, Stack};
use crate::attr::{self, CollectErrors, ServiceResponse};
use crate::batch::{self, BatchResponse};
use crate::ctxt::Ctxt;
use crate::http_method::{self, HttpMethod};
use crate::idempotent::{self, Idempotent};
use crate::logged::{self, Logged};
use crate::metrics::{self, Metrics};
use crate::signature::{is_named, is_response_param, named_params};
use crate::traced::{self, Traced};

/// The function and what the pypwext attributes on it make of it.
pub(crate) struct Plan {
    /// The attribute being expanded: the topmost pypwext attribute.
    pub(crate) top: LayerKind,
    pub(crate) function: Function,
    /// The paths of the stacked attributes as written; the attribute being
    /// expanded has none (the compiler resolved it already).
    pub(crate) paths: Vec<syn::Path>,
    /// The layers written above the core, top first.
    pub(crate) above: Vec<Layer>,
    pub(crate) core: Core,
    /// The layers written below the core, top first. Only a response core
    /// has layers below it; below a call they are an error, and a plain body
    /// has every layer above it.
    pub(crate) below: Vec<Layer>,
}

/// The innermost part of the function: what the layers wrap.
// One of these lives for one expansion: boxing buys nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Core {
    /// The user's body, as written.
    Body,
    /// `#[service_response]`: the body answers an API Gateway or ALB request;
    /// the layers above see `fn(Request) -> Response`, those below the
    /// user's signature.
    Service(ServiceResponse),
    /// `#[http_method]`: the call is the body; the layers above see the
    /// signature without the parameters filled from the answer.
    Call(HttpMethod, CallAnswer),
    /// `#[batch_response]`: the body handles one record of a batch; like
    /// `Service`, it changes the signature the layers above see (the batch
    /// event in, the partial batch response out) and has the user's signature
    /// below it.
    Batch(BatchResponse),
}

/// A layer above or below the core, where it is written.
pub(crate) struct Layer {
    /// Which attribute it is.
    pub(crate) kind: LayerKind,
    /// The attribute's path, for errors about the attribute as a whole.
    pub(crate) span: Span,
    /// Its settings. A core written next to the function's core (a function
    /// has at most one) stays at its written place only to be reported there.
    pub(crate) args: Args,
}

/// What a call's signature says about the answer, worked out once for the
/// rules and the expansion.
pub(crate) struct CallAnswer {
    /// The parameters filled from the answer (`response`, `response_body`,
    /// `response_code`), in written order: with any, the body reads them.
    pub(crate) filled: Vec<syn::Ident>,
    /// `response: HttpStream`: the body is handed over unread.
    pub(crate) streamed: bool,
}

impl CallAnswer {
    fn of(sig: &syn::Signature) -> CallAnswer {
        CallAnswer {
            filled: named_params(sig)
                .filter(|(ident, _)| is_response_param(ident))
                .map(|(ident, _)| ident.clone())
                .collect(),
            streamed: named_params(sig).any(|(ident, ty)| ident == "response" && is_named(ty, "HttpStream")),
        }
    }
}

/// Where a layer stands relative to the core, which decides the signature it
/// sees.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) enum Position {
    /// Around a plain body or a call.
    Plain,
    /// Above `#[service_response]`: sees `fn(Request) -> Response`.
    AboveService,
    /// Below `#[service_response]`: sees the user's signature.
    BelowService,
    /// Above `#[batch_response]`: sees `fn(LambdaEvent<E>) -> Result<Response, Error>`.
    AboveBatch,
    /// Below `#[batch_response]`: sees the user's signature, once per record.
    BelowBatch,
}

/// The settings of one pypwext attribute.
// A handful of these live for one expansion: boxing buys nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Args {
    CollectErrors(CollectErrors),
    Logged(Logged),
    ServiceResponse(ServiceResponse),
    HttpMethod(HttpMethod),
    BatchResponse(BatchResponse),
    Metrics(Metrics),
    Traced(Traced),
    Idempotent(Idempotent),
}

/// The arguments of `attr`. Each problem is reported to `cx` and the setting
/// keeps its default, so the rules of `valid.rs` can still be checked.
fn parse_args(cx: &mut Ctxt, attr: &StackAttr) -> Args {
    match attr.kind {
        LayerKind::CollectErrors => Args::CollectErrors(attr::parse_collect_errors(cx, attr)),
        LayerKind::Logged => Args::Logged(logged::parse_logged(cx, attr)),
        LayerKind::ServiceResponse => Args::ServiceResponse(attr::parse_service_response(cx, attr)),
        LayerKind::HttpMethod => Args::HttpMethod(http_method::parse_http_method(cx, attr)),
        LayerKind::BatchResponse => Args::BatchResponse(batch::parse(cx, attr)),
        LayerKind::Metrics => Args::Metrics(metrics::parse(cx, attr)),
        LayerKind::Traced => Args::Traced(traced::parse(cx, attr)),
        LayerKind::Idempotent => Args::Idempotent(idempotent::parse(cx, attr)),
    }
}

impl Plan {
    /// Reads every attribute's arguments and puts each layer in its place.
    /// An attribute written twice is reported here and has no place in the
    /// plan; every other problem is left to `valid.rs`.
    pub(crate) fn build(cx: &mut Ctxt, stack: Stack) -> Plan {
        let Stack { function, attrs } = stack;
        let mut seen: Vec<LayerKind> = Vec::with_capacity(attrs.len());
        let mut first = Vec::with_capacity(attrs.len());
        for attr in &attrs {
            let twice = seen.contains(&attr.kind);
            if twice {
                cx.syn_error(syn::Error::new(
                    attr.span,
                    format_args!(
                        "`#[{}]` is written twice on this function; keep one",
                        attr.kind.symbol()
                    ),
                ));
            }
            seen.push(attr.kind);
            first.push(!twice);
        }
        // Every attribute's arguments are read, a second one's too, so that
        // all their problems show at once.
        let args: Vec<Args> = attrs.iter().map(|attr| parse_args(cx, attr)).collect();

        // The response layer is the core when there is one: a call next to it
        // is then the second core.
        let core_kind = [
            LayerKind::ServiceResponse,
            LayerKind::BatchResponse,
            LayerKind::HttpMethod,
        ]
        .into_iter()
        .find(|kind| seen.contains(kind));
        let mut plan = Plan {
            top: attrs.first().map_or(LayerKind::CollectErrors, |attr| attr.kind),
            function,
            paths: attrs.iter().filter_map(|attr| attr.path.clone()).collect(),
            above: Vec::new(),
            core: Core::Body,
            below: Vec::new(),
        };
        let mut below_core = false;
        for ((attr, args), first) in attrs.iter().zip(args).zip(first) {
            if !first {
                continue;
            }
            if Some(attr.kind) == core_kind {
                plan.core = match args {
                    Args::ServiceResponse(service) => Core::Service(service),
                    Args::HttpMethod(http) => Core::Call(http, CallAnswer::of(&plan.function.sig)),
                    Args::BatchResponse(batch) => Core::Batch(batch),
                    // `core_kind` is one of the three above.
                    Args::CollectErrors(_)
                    | Args::Logged(_)
                    | Args::Metrics(_)
                    | Args::Traced(_)
                    | Args::Idempotent(_) => Core::Body,
                };
                below_core = true;
                continue;
            }
            let layer = Layer {
                kind: attr.kind,
                span: attr.span,
                args,
            };
            if below_core {
                plan.below.push(layer);
            } else {
                plan.above.push(layer);
            }
        }
        plan
    }

    /// Where the layers in `above` stand.
    pub(crate) fn above_position(&self) -> Position {
        match self.core {
            Core::Service(_) => Position::AboveService,
            Core::Batch(_) => Position::AboveBatch,
            Core::Body | Core::Call(..) => Position::Plain,
        }
    }

    /// Where the layers in `below` stand.
    pub(crate) fn below_position(&self) -> Position {
        match self.core {
            Core::Service(_) => Position::BelowService,
            Core::Batch(_) => Position::BelowBatch,
            Core::Body | Core::Call(..) => Position::Plain,
        }
    }

    /// The core's attribute and where it is written, when the core is one.
    fn core_attr(&self) -> Option<(LayerKind, Span)> {
        match &self.core {
            Core::Body => None,
            Core::Service(service) => Some((LayerKind::ServiceResponse, service.span)),
            Core::Call(http, _) => Some((LayerKind::HttpMethod, http.span)),
            Core::Batch(batch) => Some((LayerKind::BatchResponse, batch.span)),
        }
    }

    /// The attributes that need a cargo feature of pypwext, with their spans:
    /// the core's first, then the layers', top first.
    pub(crate) fn needing_features(&self) -> impl Iterator<Item = (LayerKind, &'static str, Span)> + '_ {
        self.core_attr()
            .into_iter()
            .chain(self.layers().map(|layer| (layer.kind, layer.span)))
            .filter_map(|(kind, span)| Some((kind, kind.feature()?, span)))
    }

    /// Every layer, top first.
    pub(crate) fn layers(&self) -> impl Iterator<Item = &Layer> {
        self.above.iter().chain(&self.below)
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn plan(top: LayerKind, args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> (Plan, usize) {
        let stack = Stack::parse(top, args, item).unwrap();
        let mut cx = Ctxt::new();
        let plan = Plan::build(&mut cx, stack);
        (plan, cx.error_count())
    }

    fn wrappers(layers: &[Layer]) -> Vec<&'static str> {
        layers
            .iter()
            .map(|layer| match layer.args {
                Args::CollectErrors(_) => "collect_errors",
                Args::Logged(_) => "logged",
                Args::Metrics(_) => "metrics",
                Args::Traced(_) => "traced",
                Args::Idempotent(_) => "idempotent",
                Args::ServiceResponse(_) | Args::HttpMethod(_) | Args::BatchResponse(_) => "second core",
            })
            .collect()
    }

    #[test]
    fn the_response_layer_splits_the_stack() {
        let (plan, errors) = plan(
            LayerKind::CollectErrors,
            quote!(root),
            quote! {
                #[service_response]
                #[pypwext::logged]
                async fn handler() -> Result<PwResponse, PwError> { todo!() }
            },
        );
        assert_eq!(errors, 0);
        assert_eq!(wrappers(&plan.above), ["collect_errors"]);
        assert!(matches!(plan.core, Core::Service(_)));
        assert_eq!(wrappers(&plan.below), ["logged"]);
        assert!(plan.above_position() == Position::AboveService && plan.below_position() == Position::BelowService);
        // The attribute being expanded was resolved by the compiler: no path.
        assert_eq!(plan.paths.len(), 2);
    }

    #[test]
    fn the_batch_layer_splits_the_stack_and_a_call_next_to_it_is_a_second_core() {
        let (plan, errors) = plan(
            LayerKind::Logged,
            quote!(inject_lambda_context),
            quote! {
                #[batch_response(concurrency = 4)]
                #[collect_errors]
                #[http_method(url = "https://example.com")]
                async fn on_record(message: &SqsMessage) -> Result<(), PwError> { Ok(()) }
            },
        );
        assert_eq!(errors, 0, "the rules are `valid.rs`'s to report");
        assert_eq!(wrappers(&plan.above), ["logged"]);
        assert!(matches!(&plan.core, Core::Batch(batch) if batch.concurrency.map(|(n, _)| n) == Some(4)));
        assert_eq!(wrappers(&plan.below), ["collect_errors", "second core"]);
        assert!(plan.above_position() == Position::AboveBatch && plan.below_position() == Position::BelowBatch);
    }

    #[test]
    fn without_a_core_every_layer_wraps_the_body() {
        let (plan, errors) = plan(
            LayerKind::CollectErrors,
            quote!(),
            quote! {
                #[logged]
                fn step() -> Result<(), PwError> { Ok(()) }
            },
        );
        assert_eq!(errors, 0);
        assert_eq!(wrappers(&plan.above), ["collect_errors", "logged"]);
        assert!(matches!(plan.core, Core::Body));
        assert!(plan.below.is_empty());
        assert!(plan.above_position() == Position::Plain);
    }

    #[test]
    fn a_call_next_to_a_response_is_a_second_core_where_it_is_written() {
        let (plan, errors) = plan(
            LayerKind::HttpMethod,
            quote!(url = "https://example.com"),
            quote! {
                #[logged]
                #[service_response]
                async fn both() -> Result<PwResponse, PwError> {}
            },
        );
        assert_eq!(errors, 0, "the rule is `valid.rs`'s to report");
        assert_eq!(wrappers(&plan.above), ["second core", "logged"]);
        assert!(matches!(plan.core, Core::Service(_)));
    }

    #[test]
    fn metrics_is_a_layer_on_either_side_of_the_response() {
        let (plan, errors) = plan(
            LayerKind::Metrics,
            quote!(namespace = "shop"),
            quote! {
                #[service_response]
                #[logged]
                async fn handler() -> Result<PwResponse, PwError> { todo!() }
            },
        );
        assert_eq!(errors, 0);
        assert_eq!(wrappers(&plan.above), ["metrics"]);
        assert_eq!(wrappers(&plan.below), ["logged"]);
        let (below, errors) = self::plan(
            LayerKind::Logged,
            quote!(),
            quote! {
                #[service_response]
                #[pypwext::metrics]
                async fn handler() -> Result<PwResponse, PwError> { todo!() }
            },
        );
        assert_eq!(errors, 0);
        assert_eq!(wrappers(&below.above), ["logged"]);
        assert_eq!(wrappers(&below.below), ["metrics"]);
    }

    #[test]
    fn idempotent_is_a_layer_below_a_response_or_around_a_body() {
        let (plan, errors) = plan(
            LayerKind::Logged,
            quote!(),
            quote! {
                #[batch_response]
                #[idempotent(store = S, key = message.message_id)]
                async fn on_record(message: &SqsMessage) -> Result<(), PwError> { Ok(()) }
            },
        );
        assert_eq!(errors, 0);
        assert_eq!(wrappers(&plan.above), ["logged"]);
        assert_eq!(wrappers(&plan.below), ["idempotent"]);
        let (alone, errors) = self::plan(
            LayerKind::Idempotent,
            quote!(store = S),
            quote! {
                async fn charge(id: u64) -> Result<u64, PwError> { Ok(id) }
            },
        );
        assert_eq!(errors, 0);
        assert_eq!(wrappers(&alone.above), ["idempotent"]);
        assert!(matches!(alone.core, Core::Body));
    }

    #[test]
    fn an_attribute_written_twice_is_reported_and_left_out() {
        let (plan, errors) = plan(
            LayerKind::Logged,
            quote!(),
            quote! {
                #[collect_errors]
                #[logged]
                fn step() -> Result<(), PwError> { Ok(()) }
            },
        );
        assert_eq!(errors, 1);
        assert_eq!(wrappers(&plan.above), ["logged", "collect_errors"]);
    }
}
