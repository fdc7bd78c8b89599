//! The traced layer without macros: the generated code's calls, written by
//! hand, against a loopback UDP "daemon".

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::FutureExt as _;

use serde_json::json;

use super::*;
use crate::errors::PwError;
#[allow(unused_imports)]
use crate::logging::render::{
    ErrorViaDebug as _, ErrorViaDisplay as _, ErrorViaName as _, ErrorViaStd as _, Outcome, OutcomeOfResult as _,
    OutcomeOfValue as _, ProbeOutcome, ViaDebug as _, ViaLogView as _, ViaNothing as _, ViaSerialize as _, Wrap,
    WrapError,
};
use crate::tracer::context::tests::{SAMPLED, daemon, received};
use crate::tracer::{put_annotation, put_metadata};

/// What `#[traced]` generates as the exit of a function returning `R`.
macro_rules! exit {
    ($ty:ty) => {
        |ret: &$ty, capture: &mut Capture<'_>| match (&&ProbeOutcome(ret)).pypwext_outcome() {
            Outcome::Value(value) => capture.value((&&&&Wrap(value)).pypwext_render()),
            Outcome::Error(error) => capture.error((&&&&WrapError(error)).pypwext_exception()),
        }
    };
}

const fn opts(function: &'static str) -> Traced {
    Traced {
        function,
        name: None,
        capture_response: None,
        capture_error: None,
    }
}

static HANDLER: Traced = opts("handler");
static PRICE: Traced = opts("price");
static QUIET: Traced = Traced {
    capture_response: Some(false),
    capture_error: Some(false),
    ..opts("quiet")
};
static NAMED: Traced = Traced {
    name: Some("stock lookup"),
    ..opts("stock")
};

/// A traced async fn as generated code makes it: the layer is made at the
/// first poll of the function's future.
async fn traced<F: Future>(
    settings: &'static Settings,
    opts: &'static Traced,
    body: F,
    exit: fn(&F::Output, &mut Capture<'_>),
) -> F::Output {
    traced_async_in(settings, opts, body, exit).await
}

fn invocation() -> Invocation {
    Invocation::new("req-1").with_xray_trace_id(SAMPLED)
}

#[tokio::test]
async fn children_joined_inside_a_call_are_its_children_and_the_outermost_is_annotated() {
    let (daemon, settings) = daemon(&[("POWERTOOLS_SERVICE_NAME", "orders")]);
    let price = |n: u32| {
        traced(
            settings,
            &PRICE,
            async move { Ok::<u32, PwError>(n * 10) },
            exit!(Result<u32, PwError>),
        )
    };
    let body = async move {
        put_annotation("order_id", "o-1")?;
        let (a, b) = tokio::join!(price(1), price(2));
        let (a, b) = (a?, b?);
        put_metadata("prices", &[a, b])?;
        Ok::<u32, PwError>(a + b)
    };
    let total = invocation()
        .scope(traced(settings, &HANDLER, body, exit!(Result<u32, PwError>)))
        .await;
    assert_eq!(total.unwrap(), 30);

    let docs = received(&daemon);
    assert_eq!(docs.len(), 3, "{docs:?}");
    let handler = &docs[2];
    assert_eq!(handler["name"], "## handler");
    assert_eq!(handler["type"], "subsegment");
    assert_eq!(handler["trace_id"], "1-5759e988-bd862e3fe1be46a994272793");
    assert_eq!(handler["parent_id"], "53995c3f42cd8ad8");
    assert_eq!(handler["annotations"]["Service"], "orders");
    assert!(handler["annotations"]["ColdStart"].is_boolean());
    assert_eq!(handler["annotations"]["order_id"], "o-1");
    assert_eq!(
        handler["metadata"],
        json!({"orders": {"prices": [10, 20], "handler response": 30}})
    );
    assert!(handler["end_time"].as_f64().unwrap() >= handler["start_time"].as_f64().unwrap());
    for child in &docs[..2] {
        assert_eq!(child["name"], "## price");
        assert_eq!(child["parent_id"], handler["id"]);
        assert!(
            child.get("annotations").is_none(),
            "only the outermost call is annotated: {child}"
        );
    }
    assert_ne!(docs[0]["id"], docs[1]["id"]);
    let responses: Vec<&serde_json::Value> = docs[..2]
        .iter()
        .map(|d| &d["metadata"]["orders"]["price response"])
        .collect();
    assert!(
        responses.contains(&&json!(10)) && responses.contains(&&json!(20)),
        "{responses:?}"
    );
}

#[test]
fn a_failed_sync_call_is_a_fault_with_its_cause_and_error_metadata() {
    let (daemon, settings) = daemon(&[]);
    let result = invocation().sync_scope(|| {
        traced_sync_in(
            settings,
            &NAMED,
            || Err::<(), PwError>(PwError::new(http::StatusCode::CONFLICT, "out of stock")),
            exit!(Result<(), PwError>),
        )
    });
    assert!(result.is_err());
    let docs = received(&daemon);
    assert_eq!(docs.len(), 1);
    let doc = &docs[0];
    assert_eq!(doc["name"], "stock lookup");
    assert_eq!(doc["fault"], true);
    assert_eq!(doc["cause"]["exceptions"][0]["message"], "out of stock");
    assert_eq!(doc["cause"]["exceptions"][0]["type"], "PwError");
    assert_eq!(doc["metadata"]["service_undefined"]["stock error"], "out of stock");
    assert!(doc["metadata"]["service_undefined"].get("stock response").is_none());
}

#[test]
fn capture_off_in_the_attribute_or_the_environment_leaves_values_out_but_keeps_the_fault() {
    let (quiet_daemon, settings) = daemon(&[]);
    invocation().sync_scope(|| {
        traced_sync_in(settings, &QUIET, || Ok::<u8, PwError>(1), exit!(Result<u8, PwError>)).unwrap();
        traced_sync_in(
            settings,
            &QUIET,
            || Err::<u8, PwError>(PwError::new(http::StatusCode::CONFLICT, "secret detail")),
            exit!(Result<u8, PwError>),
        )
        .unwrap_err();
    });
    let docs = received(&quiet_daemon);
    assert_eq!(docs.len(), 2);
    assert!(
        docs[0].get("metadata").is_none() && docs[1].get("metadata").is_none(),
        "{docs:?}"
    );
    assert_eq!(docs[1]["fault"], true);

    let (daemon, settings) = daemon(&[
        ("POWERTOOLS_TRACER_CAPTURE_RESPONSE", "false"),
        ("POWERTOOLS_TRACER_CAPTURE_ERROR", "false"),
    ]);
    static CHOSEN: Traced = Traced {
        capture_response: Some(true),
        ..opts("chosen")
    };
    invocation().sync_scope(|| {
        traced_sync_in(settings, &PRICE, || Ok::<u8, PwError>(1), exit!(Result<u8, PwError>)).unwrap();
        // The attribute's choice wins over the variable's, as in Powertools.
        traced_sync_in(settings, &CHOSEN, || 2u8, exit!(u8));
    });
    let docs = received(&daemon);
    assert!(docs[0].get("metadata").is_none(), "{docs:?}");
    assert_eq!(docs[1]["metadata"]["service_undefined"]["chosen response"], 2);
}

#[tokio::test]
async fn unsampled_disabled_or_no_invocation_sends_nothing_and_fails_nothing() {
    let (sampled_daemon, settings) = daemon(&[]);
    let annotate = || async {
        put_annotation("k", 1)?;
        put_metadata("k", &"v")?;
        Ok::<(), PwError>(())
    };
    let unsampled = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0";
    Invocation::new("r")
        .with_xray_trace_id(unsampled)
        .scope(traced(settings, &HANDLER, annotate(), exit!(Result<(), PwError>)))
        .await
        .unwrap();
    traced(settings, &HANDLER, annotate(), exit!(Result<(), PwError>))
        .await
        .unwrap();
    let (disabled_daemon, disabled) = daemon(&[("POWERTOOLS_TRACE_DISABLED", "true")]);
    invocation()
        .scope(traced(disabled, &HANDLER, annotate(), exit!(Result<(), PwError>)))
        .await
        .unwrap();
    assert!(received(&sampled_daemon).is_empty());
    assert!(received(&disabled_daemon).is_empty());
}

#[tokio::test]
async fn concurrent_invocations_never_mix() {
    let (daemon, settings) = daemon(&[]);
    let run = |root: &'static str, parent: &'static str| {
        let header = format!("Root={root};Parent={parent};Sampled=1");
        let body = async move {
            tokio::task::yield_now().await;
            let inner = async {
                tokio::task::yield_now().await;
                1u8
            };
            traced(settings, &PRICE, inner, exit!(u8)).await
        };
        Invocation::new(root)
            .with_xray_trace_id(header)
            .scope(traced(settings, &HANDLER, body, exit!(u8)))
    };
    let a = ("1-5759e988-aaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa");
    let b = ("1-5759e988-bbbbbbbbbbbbbbbbbbbbbbbb", "bbbbbbbbbbbbbbbb");
    tokio::join!(run(a.0, a.1), run(b.0, b.1));
    let docs = received(&daemon);
    assert_eq!(docs.len(), 4);
    for (root, parent) in [a, b] {
        let mine: Vec<&serde_json::Value> = docs.iter().filter(|d| d["trace_id"] == root).collect();
        assert_eq!(mine.len(), 2, "{docs:?}");
        let handler = mine.iter().find(|d| d["name"] == "## handler").unwrap();
        let price = mine.iter().find(|d| d["name"] == "## price").unwrap();
        assert_eq!(handler["parent_id"], parent);
        assert_eq!(price["parent_id"], handler["id"]);
    }
}

#[tokio::test]
#[allow(clippy::async_yields_async)] // the body hands the pending child out on purpose
async fn a_child_still_open_when_the_outermost_ends_is_sent_in_progress_before_it_returns() {
    let (daemon, settings) = daemon(&[]);
    let (release, wait) = tokio::sync::oneshot::channel::<()>();
    let body = async move {
        // The child is polled once (so it opened) and left pending.
        let mut child = Box::pin(traced(settings, &PRICE, async move { wait.await.is_ok() }, exit!(bool)));
        assert!(futures_util::poll!(child.as_mut()).is_pending());
        child
    };
    let child = invocation().scope(traced(settings, &HANDLER, body, |_, _| {})).await;
    let docs = received(&daemon);
    assert_eq!(docs.len(), 2, "{docs:?}");
    assert_eq!(docs[0]["name"], "## handler");
    assert_eq!(docs[1]["name"], "## price");
    assert_eq!(docs[1]["in_progress"], true);
    // Finishing later sends nothing more.
    release.send(()).unwrap();
    assert!(invocation().scope(child).await);
    assert!(received(&daemon).is_empty());
}

#[tokio::test]
async fn a_dropped_or_panicking_call_is_still_sent() {
    let (daemon, settings) = daemon(&[]);
    let started = AtomicBool::new(false);
    let body = async {
        let mut pending = Box::pin(traced(settings, &PRICE, std::future::pending::<u8>(), exit!(u8)));
        assert!(futures_util::poll!(pending.as_mut()).is_pending());
        started.store(true, Ordering::Relaxed);
        drop(pending);
        std::panic::panic_any("boom".to_owned())
    };
    let outcome = AssertUnwindSafe(invocation().scope(traced(settings, &HANDLER, body, |_: &(), _| {})))
        .catch_unwind()
        .await;
    assert!(outcome.is_err() && started.load(Ordering::Relaxed));
    let docs = received(&daemon);
    assert_eq!(docs.len(), 2, "{docs:?}");
    assert_eq!(docs[0]["name"], "## price");
    assert!(docs[0]["end_time"].is_f64() && docs[0].get("in_progress").is_none());
    assert_eq!(docs[1]["fault"], true);
    assert_eq!(docs[1]["cause"]["exceptions"][0]["message"], "the function panicked");
}

#[test]
fn a_value_with_no_rendering_is_not_captured() {
    struct Opaque;
    let (daemon, settings) = daemon(&[]);
    invocation().sync_scope(|| traced_sync_in(settings, &PRICE, || Opaque, exit!(Opaque)));
    let docs = received(&daemon);
    assert_eq!(docs.len(), 1);
    assert!(docs[0].get("metadata").is_none());
}
