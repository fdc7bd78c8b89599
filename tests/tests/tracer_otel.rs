//! The `otel` feature end to end: `trace-probe`'s scenarios with
//! `OTEL_EXPORTER_OTLP_ENDPOINT` set export OpenTelemetry spans over
//! OTLP/HTTP to a loopback receiver that decodes them with the
//! OpenTelemetry project's own protobuf definitions (`py/otlp_receiver.py`,
//! the `opentelemetry-proto` package), instead of X-Ray documents over
//! UDP. Each span is checked against the X-Ray document the same scenario
//! sends without the variable, and the calls' trace headers against the
//! spans' ids.

use std::collections::BTreeMap;
use std::process::Command;

use pypwext_tests::xray::{OtlpReceiver, call_server, check_call_headers, daemon, received};
use serde_json::{Value, json};

const ROOT_1: &str = "1-5759e988-bd862e3fe1be46a994272793";
const HEADER_1: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
const HEADER_2: &str = "Root=1-5759e988-bd862e3fe1be46a994272794;Parent=53995c3f42cd8ad9;Sampled=1";

/// Runs `trace-probe` with `args`, the service `orders`, a UDP daemon of
/// its own and, when given, the OTLP endpoint; returns what the daemon got.
fn probe(args: &[&str], otlp_endpoint: Option<&str>) -> Vec<Value> {
    let daemon = daemon();
    let mut command = Command::new(env!("CARGO_BIN_EXE_trace-probe"));
    command
        .args(args)
        .env("AWS_XRAY_DAEMON_ADDRESS", daemon.local_addr().unwrap().to_string())
        .env("POWERTOOLS_SERVICE_NAME", "orders")
        .env("AWS_LAMBDA_FUNCTION_NAME", "orders-fn");
    if let Some(endpoint) = otlp_endpoint {
        command.env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
    }
    let output = command.output().expect("trace-probe starts");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    received(&daemon)
        .iter()
        .map(|doc| serde_json::from_str(doc).unwrap())
        .collect()
}

/// The OpenTelemetry trace id of an X-Ray one.
fn otel_trace_id(xray: &str) -> String {
    xray.trim_start_matches("1-").replace('-', "")
}

/// The name of the document (or span) with `id` among `all`, else the id.
fn name_of(id: &str, all: &[Value], id_key: &str) -> String {
    all.iter()
        .find(|item| item[id_key] == id)
        .map_or_else(|| id.to_owned(), |item| item["name"].as_str().unwrap().to_owned())
}

/// One span checked against the X-Ray document of the same call.
fn check_span_against_document(span: &Value, doc: &Value, spans: &[Value], docs: &[Value]) {
    let at = format!("span {}", span["name"]);
    assert_eq!(span["name"], doc["name"], "{at}");
    assert_eq!(
        span["trace_id"],
        otel_trace_id(doc["trace_id"].as_str().unwrap()),
        "{at}"
    );
    assert_eq!(span["flags"].as_u64().unwrap() & 0xff, 1, "{at}: sampled");
    // The same parent: a traced call's name, or Lambda's segment itself.
    let span_parent = name_of(span["parent_span_id"].as_str().unwrap(), spans, "span_id");
    let doc_parent = name_of(doc["parent_id"].as_str().unwrap(), docs, "id");
    assert_eq!(span_parent, doc_parent, "{at}: parent");
    let expected_kind = if doc["namespace"] == "remote" {
        "SPAN_KIND_CLIENT"
    } else {
        "SPAN_KIND_INTERNAL"
    };
    assert_eq!(span["kind"], expected_kind, "{at}");
    let (start, end) = (span["start"].as_u64().unwrap(), span["end"].as_u64().unwrap());
    assert!(start > 1_700_000_000_000_000_000 && end >= start, "{at}: {start} {end}");

    // Annotations: attributes of their own, listed in aws.xray.annotations.
    let attributes = span["attributes"].as_object().unwrap();
    let annotations = doc["annotations"].as_object().cloned().unwrap_or_default();
    for (key, value) in &annotations {
        assert_eq!(attributes.get(key), Some(value), "{at}: annotation {key}");
    }
    let mut listed: Vec<String> = attributes
        .get("aws.xray.annotations")
        .and_then(Value::as_array)
        .map(|keys| keys.iter().map(|k| k.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default();
    listed.sort();
    let mut keys: Vec<String> = annotations.keys().cloned().collect();
    keys.sort();
    assert_eq!(listed, keys, "{at}: aws.xray.annotations");
    // Metadata: one JSON attribute per namespace.
    let metadata = doc["metadata"].as_object().cloned().unwrap_or_default();
    for (namespace, entries) in &metadata {
        let text = attributes[&format!("aws.xray.metadata.{namespace}")].as_str().unwrap();
        assert_eq!(
            &serde_json::from_str::<Value>(text).unwrap(),
            entries,
            "{at}: metadata {namespace}"
        );
    }
    let metadata_attributes = attributes
        .keys()
        .filter(|k| k.starts_with("aws.xray.metadata."))
        .count();
    assert_eq!(metadata_attributes, metadata.len(), "{at}");

    // A fault or an error is the span's error; each exception an event.
    let failed = doc["fault"] == true || doc["error"] == true;
    assert_eq!(span["status"]["code"] == "STATUS_CODE_ERROR", failed, "{at}: status");
    let exceptions: Vec<Value> = doc["cause"]["exceptions"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|e| json!({"name": "exception", "attributes": {"exception.type": e["type"], "exception.message": e["message"]}}))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(span["events"], Value::Array(exceptions), "{at}: events");
}

/// The part of every request the receiver got that is the same for all.
fn check_request_and_resource(spans: &[Value]) {
    for span in spans {
        assert_eq!(span["path"], "/v1/traces");
        assert_eq!(span["content_type"], "application/x-protobuf");
        assert_eq!(span["scope"]["name"], "pypwext");
        assert_eq!(
            span["resource"],
            json!({"service.name": "orders", "cloud.provider": "aws", "cloud.platform": "aws_lambda", "faas.name": "orders-fn"})
        );
    }
}

#[test]
fn each_traced_call_is_a_span_that_says_what_its_x_ray_document_says() {
    let docs = probe(&["peer", HEADER_1, HEADER_2], None);
    assert_eq!(
        docs.len(),
        4,
        "price, reserve, the handler, the failed handler: {docs:#?}"
    );

    let receiver = OtlpReceiver::start();
    let endpoint = receiver.endpoint();
    let over_udp = probe(&["peer", HEADER_1, HEADER_2], Some(&endpoint));
    assert!(
        over_udp.is_empty(),
        "with an OTLP endpoint nothing goes to the daemon: {over_udp:#?}"
    );
    let spans = receiver.spans();
    assert_eq!(spans.len(), docs.len(), "one span a document: {spans:#?}");
    check_request_and_resource(&spans);
    // Spans are exported in the order their calls ended, as documents are sent.
    for (span, doc) in spans.iter().zip(&docs) {
        check_span_against_document(span, doc, &spans, &docs);
    }
    // The relations by id: the nested calls under the handler, each
    // handler under its invocation's Lambda segment, from its header.
    assert_eq!(spans[0]["parent_span_id"], spans[2]["span_id"]);
    assert_eq!(spans[1]["parent_span_id"], spans[2]["span_id"]);
    assert_eq!(spans[2]["parent_span_id"], "53995c3f42cd8ad8");
    assert_eq!(spans[3]["parent_span_id"], "53995c3f42cd8ad9");
    assert_eq!(spans[3]["trace_id"], "5759e988bd862e3fe1be46a994272794");
    assert!(spans.iter().all(|s| s["span_id"].as_str().unwrap().len() == 16));
    // OTLP's span flags: a handler's parent is remote (Lambda's segment),
    // a nested call's is not.
    let remote_bits = |span: &Value| span["flags"].as_u64().unwrap() & 0x300;
    assert_eq!((remote_bits(&spans[2]), remote_bits(&spans[3])), (0x300, 0x300));
    assert_eq!((remote_bits(&spans[0]), remote_bits(&spans[1])), (0x100, 0x100));
}

#[test]
fn calls_are_client_spans_and_each_request_names_its_own_span_as_parent() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (port, seen) = runtime.block_on(call_server());
    let docs = probe(&["calls", HEADER_1, &port.to_string()], None);
    seen.lock().unwrap().clear();

    let receiver = OtlpReceiver::start();
    let endpoint = receiver.endpoint();
    assert!(probe(&["calls", HEADER_1, &port.to_string()], Some(&endpoint)).is_empty());
    let spans = receiver.spans();
    check_request_and_resource(&spans);
    assert_eq!(spans.len(), docs.len(), "{spans:#?}");
    for (span, doc) in spans.iter().zip(&docs) {
        check_span_against_document(span, doc, &spans, &docs);
    }

    let clients: BTreeMap<String, &Value> = spans
        .iter()
        .filter(|s| s["kind"] == "SPAN_KIND_CLIENT")
        .map(|s| {
            let url = s["attributes"]["url.full"].as_str().unwrap();
            (url.split_once(&format!(":{port}")).unwrap().1.to_owned(), s)
        })
        .collect();
    assert_eq!(clients.len(), 4, "{spans:#?}");
    let offers = clients["/offers/7"];
    assert_eq!(offers["attributes"]["http.request.method"], "GET");
    assert_eq!(offers["attributes"]["http.response.status_code"], 200);
    assert_eq!(clients["/missing"]["attributes"]["http.response.status_code"], 404);
    assert_eq!(clients["/flaky"]["attributes"]["http.request.resend_count"], 1);
    let lambda = clients["/2015-03-31/functions/prices/invocations"];
    assert_eq!(lambda["attributes"]["aws.lambda.function.name"], "prices");
    assert_eq!(lambda["attributes"]["rpc.method"], "Invoke");

    // Propagation: the X-Ray header each request carried names the span
    // of its call, in the trace the spans are in.
    check_call_headers(&seen.lock().unwrap(), ROOT_1, |path| {
        clients[path]["span_id"].as_str().unwrap().to_owned()
    });
    for span in clients.values() {
        assert_eq!(span["trace_id"], otel_trace_id(ROOT_1));
    }
}
