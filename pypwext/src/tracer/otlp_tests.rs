use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::mpsc;

use opentelemetry::trace::{SpanKind, Status};
use opentelemetry::{Array, InstrumentationScope, KeyValue, SpanId, TraceId, Value};
use serde_json::json;

use super::super::document::{Aws, Document, Http, HttpRequest, HttpResponse};
use super::*;

const ROOT: &str = "1-5759e988-bd862e3fe1be46a994272793";
const LAMBDA_SEGMENT: &str = "53995c3f42cd8ad8";

fn scope() -> InstrumentationScope {
    InstrumentationScope::builder("pypwext").build()
}

fn attribute<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

#[test]
fn x_ray_trace_ids_are_read_as_32_hex_digits_and_bad_ones_refused() {
    assert_eq!(
        trace_id(ROOT),
        Some(TraceId::from_hex("5759e988bd862e3fe1be46a994272793").unwrap())
    );
    for bad in [
        "2-5759e988-bd862e3fe1be46a994272793",
        "1-5759e98-bd862e3fe1be46a9942727930",
        "1-5759e988-bd862e3fe1be46a99427279",
        "1-5759e988bd862e3fe1be46a994272793",
        "1-zzzzzzzz-bd862e3fe1be46a994272793",
        "",
    ] {
        assert_eq!(trace_id(bad), None, "{bad}");
    }
}

#[test]
fn a_traced_call_is_an_internal_span_with_x_ray_s_ids_annotations_and_metadata() {
    let mut doc = Document::start(ROOT, LAMBDA_SEGMENT, "## handler".into());
    doc.end_time = Some(doc.start_time + 0.5);
    doc.annotations.insert("ColdStart".into(), json!(true));
    doc.annotations.insert("Service".into(), json!("orders"));
    doc.annotations.insert("order_id".into(), json!(7));
    doc.annotations.insert("ratio".into(), json!(0.5));
    doc.metadata.put(
        "orders",
        "handler response",
        serde_json::value::to_raw_value(&json!({"total": 70})).unwrap(),
    );
    let span = span(&doc, true, &scope()).unwrap();

    assert_eq!(span.name, "## handler");
    assert_eq!(span.span_kind, SpanKind::Internal);
    assert_eq!(span.span_context.trace_id(), trace_id(ROOT).unwrap());
    assert_eq!(span.span_context.span_id(), SpanId::from_hex(&doc.id).unwrap());
    assert!(span.span_context.is_sampled());
    assert_eq!(span.parent_span_id, SpanId::from_hex(LAMBDA_SEGMENT).unwrap());
    assert!(span.parent_span_is_remote);
    let took = span.end_time.duration_since(span.start_time).unwrap();
    assert!((took.as_secs_f64() - 0.5).abs() < 1e-3, "{took:?}");

    assert_eq!(attribute(&span, "ColdStart"), Some(&Value::Bool(true)));
    assert_eq!(attribute(&span, "Service"), Some(&Value::from("orders")));
    assert_eq!(attribute(&span, "order_id"), Some(&Value::I64(7)));
    assert_eq!(attribute(&span, "ratio"), Some(&Value::F64(0.5)));
    let Some(Value::Array(Array::String(keys))) = attribute(&span, "aws.xray.annotations") else {
        panic!("no annotation list: {:?}", span.attributes);
    };
    let mut keys: Vec<&str> = keys.iter().map(|key| key.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["ColdStart", "Service", "order_id", "ratio"]);
    let Some(Value::String(metadata)) = attribute(&span, "aws.xray.metadata.orders") else {
        panic!("no metadata: {:?}", span.attributes);
    };
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(metadata.as_str()).unwrap(),
        json!({"handler response": {"total": 70}})
    );
    assert_eq!(span.status, Status::Unset);
    assert!(span.events.events.is_empty());
}

#[test]
fn a_failed_call_is_an_error_with_its_exception_event_and_a_nested_one_has_a_local_parent() {
    let mut doc = Document::start(ROOT, "70de5b6f19ff9a0a", "## reserve".into());
    doc.end_time = Some(doc.start_time);
    doc.fail("order 7 is out of stock".into(), "OutOfStock".into());
    let span = span(&doc, false, &scope()).unwrap();
    assert!(!span.parent_span_is_remote);
    assert_eq!(span.parent_span_id, SpanId::from_hex("70de5b6f19ff9a0a").unwrap());
    assert_eq!(span.status, Status::error("order 7 is out of stock"));
    let [event] = &span.events.events[..] else {
        panic!("{:?}", span.events);
    };
    assert_eq!(event.name, "exception");
    assert_eq!(
        event.attributes,
        [
            KeyValue::new("exception.type", "OutOfStock"),
            KeyValue::new("exception.message", "order 7 is out of stock"),
        ]
    );
    assert!(attribute(&span, "aws.xray.annotations").is_none());
}

#[test]
fn a_remote_call_is_a_client_span_with_http_attributes_and_its_resends() {
    let mut doc = Document::start(ROOT, "70de5b6f19ff9a0a", "prices".into());
    doc.end_time = Some(doc.start_time + 0.01);
    doc.namespace = Some("remote");
    doc.http = Some(Http {
        request: HttpRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:9/2015-03-31/functions/prices/invocations".into(),
            traced: true,
        },
        response: Some(HttpResponse {
            status: 503,
            content_length: None,
        }),
    });
    doc.aws = Some(Aws {
        operation: "Invoke",
        function_name: Some("prices".into()),
        retries: 2,
    });
    doc.attempts = 3;
    doc.fault = true;
    let span = span(&doc, false, &scope()).unwrap();
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(attribute(&span, "http.request.method"), Some(&Value::from("POST")));
    assert_eq!(
        attribute(&span, "url.full"),
        Some(&Value::from(
            "http://127.0.0.1:9/2015-03-31/functions/prices/invocations"
        ))
    );
    assert_eq!(attribute(&span, "http.response.status_code"), Some(&Value::I64(503)));
    assert_eq!(attribute(&span, "rpc.method"), Some(&Value::from("Invoke")));
    assert_eq!(
        attribute(&span, "aws.lambda.function.name"),
        Some(&Value::from("prices"))
    );
    assert_eq!(attribute(&span, "http.request.resend_count"), Some(&Value::I64(2)));
    assert_eq!(span.status, Status::error("answered 503"));
}

#[test]
fn a_subsegment_sent_open_ends_when_sent_and_says_it_was_in_progress() {
    let mut doc = Document::start(ROOT, "70de5b6f19ff9a0a", "## spawned".into());
    doc.in_progress = true;
    let before = SystemTime::now();
    let span = span(&doc, false, &scope()).unwrap();
    assert!(span.end_time >= before);
    assert_eq!(attribute(&span, "aws.xray.inprogress"), Some(&Value::Bool(true)));
}

/// A loopback "collector": answers each request 200 and hands its request
/// line over; at most `count` requests, each read within 10 s.
fn collector(count: usize) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}/v1/traces", listener.local_addr().unwrap());
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(count) {
            let Ok(mut stream) = stream else { return };
            stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut request = Vec::new();
            let mut buf = [0; 4096];
            // The headers, then the body of the length they give.
            while let Ok(len) = stream.read(&mut buf) {
                if len == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..len]);
                let text = String::from_utf8_lossy(&request);
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|line| {
                            line.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|n| n.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            let head = String::from_utf8_lossy(&request)
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = sender.send(head);
        }
    });
    (endpoint, receiver)
}

#[test]
fn a_flush_returns_once_the_collector_has_the_spans() {
    let (endpoint, requests) = collector(1);
    let otlp = Otlp::new(&endpoint, "orders", Some("orders-fn")).unwrap();
    let mut doc = Document::start(ROOT, LAMBDA_SEGMENT, "## handler".into());
    doc.end_time = Some(doc.start_time);
    otlp.send(&doc, true);
    otlp.flush();
    // Already there: the flush waited for the export.
    assert_eq!(requests.try_recv().as_deref(), Ok("POST /v1/traces HTTP/1.1"));
}

#[test]
fn a_collector_that_is_not_there_gives_one_warning_and_nothing_fails() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let sink = crate::logging::MemoryWriter::new();
    let logger = crate::logging::builder().writer(sink.clone()).build();
    tracing::subscriber::with_default(logger, || {
        let otlp = Otlp::new(&format!("http://127.0.0.1:{port}/v1/traces"), "orders", None).unwrap();
        for _ in 0..2 {
            let mut doc = Document::start(ROOT, LAMBDA_SEGMENT, "## handler".into());
            doc.end_time = Some(doc.start_time);
            otlp.send(&doc, true);
            otlp.flush();
        }
    });
    let warnings: Vec<String> = sink
        .lines()
        .into_iter()
        .filter(|line| line.contains("WARNING"))
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("spans were not exported to http://127.0.0.1:"),
        "{warnings:?}"
    );
}
