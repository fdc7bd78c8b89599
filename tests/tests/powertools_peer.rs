//! The golden peer: the same invocation (context, event, trace header,
//! message, an appended key, an extra key, one error) logged by Powertools for
//! AWS Lambda (Python 3, from PyPI) and by pypwext, compared key by key.
//!
//! Every difference that remains is listed in [`DIFFERENCES`] with its reason:
//! that list is the documentation of where we differ, and the test fails
//! when a difference appears that is not listed or a listed one goes away.
//!
//! Needs `PYPWEXT_PYTHON`, a Python with `aws-lambda-powertools` 3.x:
//! `scripts/test.sh` (the README's test command) makes one.

use std::sync::Arc;

use lambda_http::aws_lambda_events::apigw::ApiGatewayProxyRequestContext;
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt as _};
use pypwext::logging::{self, MemoryWriter, correlation_paths};
use pypwext::{PwError, StatusCode, logged};
use pypwext_tests::{OrderedObject, is_powertools_timestamp};

const TRACE_HEADER: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
const REQUEST_ID: &str = "c6af9ac6-7b61-11e6-9a41-93e812345678";
const ARN: &str = "arn:aws:lambda:eu-west-1:123456789012:function:orders";

/// Powertools' side: `Logger.inject_lambda_context` with the REST correlation
/// path, `append_keys`, `info` with `extra`, `exception`.
const POWERTOOLS: &str = r#"
import os, sys
os.environ["_X_AMZN_TRACE_ID"] = sys.argv[1]
from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths

logger = Logger(service="order-service", level="INFO")

class Context:
    function_name = "orders"
    memory_limit_in_mb = 512
    invoked_function_arn = sys.argv[3]
    aws_request_id = sys.argv[2]
    tenant_id = "tenant-7"

@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event, context):
    logger.append_keys(order_id=42)
    logger.info("order accepted", extra={"items": 3})
    try:
        raise ValueError("no stock for sku-1")
    except ValueError:
        logger.exception("order failed")

handler({"requestContext": {"requestId": "api-req-1"}, "headers": {}, "body": "{}"}, Context())
"#;

/// Where a key differs, on which line (`INFO`, `ERROR` or both), and why.
struct Difference {
    line: &'static str,
    key: &'static str,
    what: Kind,
    why: &'static str,
}

#[derive(Debug, PartialEq, Clone, Copy)]
enum Kind {
    /// Only Powertools writes the key.
    OnlyPowertools,
    /// Only pypwext writes the key.
    OnlyOurs,
    /// Both write it; the values differ.
    Value,
    /// Both write it, at another place among Powertools' own keys.
    Place,
}

const DIFFERENCES: &[Difference] = &[
    Difference {
        line: "INFO ERROR",
        key: "location",
        what: Kind::Value,
        why: "both `<name>:<line>`; a `tracing` event does not know its function, so a plain \
              `tracing::info!` names its module path (`#[logged]` lines name their function)",
    },
    Difference {
        line: "INFO ERROR",
        key: "tenant_id",
        what: Kind::OnlyOurs,
        why: "Lambda sets a tenant id on the context under tenant isolation; Powertools \
              TypeScript writes it, Powertools Python 3.37 does not",
    },
    Difference {
        line: "ERROR",
        key: "exception",
        what: Kind::Value,
        why: "a Rust error chain (`error: source: …`), not a Python traceback",
    },
    Difference {
        line: "ERROR",
        key: "exception_name",
        what: Kind::Value,
        why: "the Rust error's type name (`PwError`), not the Python exception class",
    },
    Difference {
        line: "ERROR",
        key: "stack_trace",
        what: Kind::OnlyPowertools,
        why: "Powertools 3 adds the Python frames; a Rust error has no frames at run time \
              (its chain is in `exception`)",
    },
    Difference {
        line: "ERROR",
        key: "xray_trace_id",
        what: Kind::Place,
        why: "the contract writes it with the invocation's keys, before `exception`; Powertools \
              Python adds it after every other key when it formats the line. Queries select \
              keys by name, so the order does not change what they find",
    },
];

fn python() -> String {
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/python-venv/bin/python");
    std::env::var("PYPWEXT_PYTHON")
        .ok()
        .or_else(|| std::path::Path::new(venv).exists().then(|| venv.to_owned()))
        .expect("PYPWEXT_PYTHON names a Python with aws-lambda-powertools: run the tests with scripts/test.sh")
}

fn powertools_lines() -> Vec<OrderedObject> {
    let output = std::process::Command::new(python())
        .args(["-c", POWERTOOLS, TRACE_HEADER, REQUEST_ID, ARN])
        .env_remove("POWERTOOLS_DEV")
        .env_remove("AWS_LAMBDA_LOG_LEVEL")
        .env_remove("POWERTOOLS_LOG_LEVEL")
        .output()
        .expect("runs Python");
    assert!(
        output.status.success(),
        "Powertools' side failed (is aws-lambda-powertools installed? scripts/test.sh installs it): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(OrderedObject::parse)
        .collect()
}

#[logged(inject_lambda_context, correlation_id_path = correlation_paths::API_GATEWAY_REST, out_level = "debug")]
async fn handler(request: lambda_http::Request) -> Result<(), PwError> {
    let _ = request;
    logging::append_key("order_id", 42).unwrap();
    tracing::info!(items = 3, "order accepted");
    let error = PwError::new(StatusCode::CONFLICT, "no stock for sku-1");
    tracing::error!(
        exception = &error as &dyn std::error::Error,
        exception_name = "PwError",
        "order failed"
    );
    Ok(())
}

fn our_lines() -> Vec<OrderedObject> {
    let mut context = lambda_runtime::Context::default();
    context.request_id = REQUEST_ID.to_owned();
    context.invoked_function_arn = ARN.to_owned();
    context.xray_trace_id = Some(TRACE_HEADER.to_owned());
    context.tenant_id = Some("tenant-7".to_owned());
    context.env_config = Arc::new(lambda_runtime::Config {
        function_name: "orders".to_owned(),
        memory: 512,
        version: "$LATEST".to_owned(),
        log_stream: String::new(),
        log_group: String::new(),
    });
    let mut api = ApiGatewayProxyRequestContext::default();
    api.request_id = Some("api-req-1".to_owned());
    let request = http::Request::builder()
        .uri("https://api.example.com/orders")
        .body(Body::from("{}"))
        .unwrap()
        .with_lambda_context(context)
        .with_request_context(RequestContext::ApiGatewayV1(api));

    pypwext_tests::install_global_subscriber();
    let sink = MemoryWriter::new();
    let subscriber = logging::builder()
        .service("order-service")
        .level(tracing::Level::INFO)
        .writer(sink.clone())
        .build();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    tracing::subscriber::with_default(subscriber, || runtime.block_on(handler(request))).unwrap();
    sink.lines().iter().map(|line| OrderedObject::parse(line)).collect()
}

/// The differences found on one pair of lines, as (key, kind).
fn differences(theirs: &OrderedObject, ours: &OrderedObject) -> Vec<(String, Kind)> {
    let mut found = Vec::new();
    for key in theirs.keys() {
        match ours.get(key) {
            None => found.push((key.to_owned(), Kind::OnlyPowertools)),
            Some(value) if key == "timestamp" => {
                // Each is its own moment; the format is what must agree.
                let both = [value, theirs.get(key).unwrap()];
                assert!(
                    both.iter().all(|t| t.as_str().is_some_and(is_powertools_timestamp)),
                    "{both:?}"
                );
            }
            Some(value) if value != theirs.get(key).unwrap() => found.push((key.to_owned(), Kind::Value)),
            Some(_) => {}
        }
    }
    for key in ours.keys() {
        if theirs.get(key).is_none() {
            found.push((key.to_owned(), Kind::OnlyOurs));
        }
    }
    // The order of Powertools' own keys (not the event's or appended ones).
    const EXTRA: &[&str] = &["order_id", "items"];
    let shared = |line: &OrderedObject, other: &OrderedObject| -> Vec<String> {
        line.keys()
            .into_iter()
            .filter(|key| !EXTRA.contains(key) && other.get(key).is_some())
            .map(str::to_owned)
            .collect()
    };
    let (their_order, our_order) = (shared(theirs, ours), shared(ours, theirs));
    for key in &their_order {
        let place = |order: &[String]| {
            let without = |k: &String| k != key;
            let at = order.iter().position(|k| k == key);
            (at, order.iter().filter(|k| without(k)).cloned().collect::<Vec<_>>())
        };
        let (their_at, their_rest) = place(&their_order);
        let (our_at, our_rest) = place(&our_order);
        // A key is out of place when the others agree without it and it alone moved.
        if their_at != our_at && their_rest == our_rest {
            found.push((key.clone(), Kind::Place));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

#[test]
fn our_lines_match_powertools_python_3_key_by_key_but_for_the_listed_differences() {
    for difference in DIFFERENCES {
        assert!(!difference.why.is_empty(), "{} says why it differs", difference.key);
    }
    let theirs = powertools_lines();
    let ours = our_lines();
    assert_eq!(theirs.len(), 2, "Powertools wrote {theirs:?}");
    assert_eq!(ours.len(), 2, "we wrote {ours:?}");
    for (theirs, ours) in theirs.iter().zip(&ours) {
        let level = theirs.get("level").unwrap().as_str().unwrap();
        assert_eq!(ours.get("level").unwrap(), level);
        let mut listed: Vec<(String, Kind)> = DIFFERENCES
            .iter()
            .filter(|d| d.line.split(' ').any(|l| l == level))
            .map(|d| (d.key.to_owned(), d.what))
            .collect();
        listed.sort_by(|a, b| a.0.cmp(&b.0));
        let reasons: Vec<String> = DIFFERENCES
            .iter()
            .filter(|d| d.line.split(' ').any(|l| l == level))
            .map(|d| format!("{} ({:?}): {}", d.key, d.what, d.why))
            .collect();
        assert_eq!(
            differences(theirs, ours),
            listed,
            "{level} line\n Powertools: {:?}\n pypwext:    {:?}\n listed differences:\n  {}",
            theirs.keys(),
            ours.keys(),
            reasons.join("\n  ")
        );
        // Where the values differ by design, the shapes still agree.
        let location = ours.get("location").unwrap().as_str().unwrap();
        let (_, line) = location.rsplit_once(':').unwrap();
        assert!(line.parse::<u32>().is_ok(), "{location}");
    }
    // The values the differences name, for the record.
    assert_eq!(ours[1].get("exception").unwrap(), "no stock for sku-1");
    assert_eq!(
        ours[0].get("xray_trace_id").unwrap(),
        "1-5759e988-bd862e3fe1be46a994272793"
    );
}
