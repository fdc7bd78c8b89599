//! End to end through the real runtime: the `order-service` binary, built by
//! cargo, runs the real `lambda_runtime` loop against a Runtime API emulator
//! on loopback, with API Gateway REST (v1), HTTP API (v2) and ALB events kept
//! as fixtures. What it posts back is the wire JSON API Gateway or the ALB
//! would receive.

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use support::{RuntimeApi, start_function};

const REST_V1: &str = include_str!("fixtures/apigw_rest_v1.json");
const HTTP_V2: &str = include_str!("fixtures/apigw_http_v2.json");
const ALB: &str = include_str!("fixtures/alb.json");

struct Run {
    outcomes: Vec<(String, String, Value)>,
    log_lines: Vec<Value>,
    /// The EMF lines of `#[metrics]`, written to the same stdout.
    emf_lines: Vec<Value>,
}

/// Runs the binary under the emulator for `events`, then stops it.
fn run_invocations(events: &[(&str, &str)]) -> Run {
    let runtime = support::runtime();
    runtime.block_on(async {
        let api = RuntimeApi::start().await;
        for (request_id, event) in events {
            api.push(request_id, event);
        }
        let mut child = start_function(&api, "INFO", Stdio::piped());
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<String>>()
        });

        let outcomes = api.outcomes(events.len(), Duration::from_secs(60)).await;
        // The runtime loop never ends by itself: stop it as Lambda would.
        let _ = child.kill();
        let _ = child.wait();
        let lines = reader.join().unwrap();
        assert_eq!(
            outcomes.len(),
            events.len(),
            "every invocation answered: {outcomes:?}\n{lines:#?}"
        );
        // Every EMF line the function wrote, against the embedded metric format's schema.
        let emf: Vec<String> = lines.iter().filter(|l| l.starts_with("{\"_aws\"")).cloned().collect();
        pypwext_tests::check_emf(&emf);
        Run {
            outcomes: outcomes
                .into_iter()
                .map(|o| {
                    (
                        o.request_id,
                        o.kind,
                        serde_json::from_str(&o.body).unwrap_or(Value::String(o.body)),
                    )
                })
                .collect(),
            log_lines: lines
                .iter()
                .filter(|l| !l.starts_with("{\"_aws\""))
                .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("a log line that is not JSON: {l}")))
                .collect(),
            emf_lines: emf
                .iter()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("an EMF line that is not JSON: {l}")))
                .collect(),
        }
    })
}

fn body_of(response: &Value) -> Value {
    serde_json::from_str(response["body"].as_str().expect("a text body")).expect("a JSON body")
}

#[test]
fn rest_http_and_alb_events_through_the_real_runtime() {
    let run = run_invocations(&[("req-rest-1", REST_V1), ("req-http-2", HTTP_V2), ("req-alb-3", ALB)]);
    for (request_id, kind, _) in &run.outcomes {
        assert_eq!(kind, "response", "{request_id} answered, not failed");
    }

    // REST v1: statusCode, headers and multiValueHeaders, body, isBase64Encoded.
    let (_, _, rest) = &run.outcomes[0];
    assert_eq!(rest["statusCode"], 201, "{rest}");
    assert_eq!(rest["isBase64Encoded"], false);
    // lambda_http answers REST with every header in multiValueHeaders.
    assert!(rest["headers"].is_object(), "{rest}");
    assert_eq!(
        rest["multiValueHeaders"]["content-type"],
        serde_json::json!(["application/json"])
    );
    let body = body_of(rest);
    assert_eq!(body["lines"][0]["sku"], "APPLE");
    assert_eq!(
        body["error"]["msg"], "unknown product KIWI",
        "the collected error, reported"
    );
    assert!(body["error"].get("action").is_none());

    // HTTP API v2: single-valued headers, and cookies on their own.
    let (_, _, http) = &run.outcomes[1];
    assert_eq!(http["statusCode"], 200, "{http}");
    assert_eq!(http["headers"]["content-type"], "application/json", "{http}");
    assert_eq!(http["multiValueHeaders"], serde_json::json!({}), "{http}");
    assert_eq!(http["cookies"], serde_json::json!([]));
    assert_eq!(body_of(http)["offer_cents"], 808);

    // ALB: a base64 body that does not parse: a 400 naming the field.
    let (_, _, alb) = &run.outcomes[2];
    assert_eq!(alb["statusCode"], 400);
    assert!(alb["statusDescription"].as_str().unwrap().starts_with("400"), "{alb}");
    assert_eq!(body_of(alb)["error"]["details"]["field"], "items[0].quantity");

    // Log lines: every one carries the invocation's request id; cold start once.
    let mut cold = Vec::new();
    for line in &run.log_lines {
        let request_id = line["function_request_id"]
            .as_str()
            .expect("every line has the request id");
        assert!(
            ["req-rest-1", "req-http-2", "req-alb-3"].contains(&request_id),
            "{line}"
        );
        assert_eq!(line["function_name"], "order-service");
        assert_eq!(line["function_memory_size"], 256);
        // The runtime's own span fields are not keys: the line has them as
        // `function_request_id` and `xray_trace_id`, as Powertools writes them.
        for runtime_key in ["requestId", "xrayTraceId", "task_id"] {
            assert!(line.get(runtime_key).is_none(), "{runtime_key} in {line}");
        }
        if line["cold_start"] == true {
            cold.push(request_id.to_owned());
        }
    }
    cold.dedup();
    assert_eq!(cold, ["req-rest-1"], "cold_start is true for the first invocation only");
    let correlations: Vec<&str> = run
        .log_lines
        .iter()
        .filter_map(|l| l["correlation_id"].as_str())
        .collect();
    assert!(correlations.contains(&"rest-api-request-1"));
    assert!(correlations.contains(&"http-api-request-1"));
    // ALB: the event's own x-amzn-trace-id header, as Powertools reads it, not the
    // invocation's trace id that lambda_http puts in its place.
    assert!(
        correlations.contains(&"Root=1-6741a000-alb0trace0000000000000001"),
        "{correlations:?}"
    );
    assert!(
        !correlations.contains(&"Root=1-6741a000-req-alb-3;Sampled=1"),
        "{correlations:?}"
    );
    // Metrics: the cold start once, named after the function, and the REST order counted.
    let cold_starts: Vec<&Value> = run.emf_lines.iter().filter(|l| l.get("ColdStart").is_some()).collect();
    assert_eq!(cold_starts.len(), 1, "{:?}", run.emf_lines);
    assert_eq!(cold_starts[0]["function_name"], "order-service");
    let placed: Vec<&Value> = run
        .emf_lines
        .iter()
        .filter(|l| l.get("OrdersPlaced").is_some())
        .collect();
    assert_eq!(placed.len(), 1, "{:?}", run.emf_lines);
    assert_eq!(placed[0]["service"], "order-service");
    let all = serde_json::to_string(&run.log_lines).unwrap();
    for secret in ["rest-secret-token", "http-secret-token", "http-secret-cookie"] {
        assert!(!all.contains(secret), "{secret} reached a log line");
    }
}
