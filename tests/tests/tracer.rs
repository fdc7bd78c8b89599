//! `#[traced]` end to end: documents received by a loopback UDP "daemon"
//! from a child process (`trace-probe`; the tracer's environment is
//! process-global), checked against the JSON Schema of the segment document,
//! against Powertools' Tracer (Python, with the AWS X-Ray SDK in Lambda mode)
//! running the same handler, and, for outgoing calls, against what a
//! loopback server received.

use std::collections::BTreeMap;
use std::net::UdpSocket;
use std::process::Command;

use pypwext_tests::xray::{call_server, check_call_headers, daemon, received};
use pypwext_tests::{check_xray, python};
use serde_json::{Value, json};

const ROOT_1: &str = "1-5759e988-bd862e3fe1be46a994272793";
const ROOT_2: &str = "1-5759e988-bd862e3fe1be46a994272794";
const HEADER_1: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
const HEADER_2: &str = "Root=1-5759e988-bd862e3fe1be46a994272794;Parent=53995c3f42cd8ad9;Sampled=1";

fn parse(docs: &[String]) -> Vec<Value> {
    docs.iter().map(|d| serde_json::from_str(d).unwrap()).collect()
}

/// Runs `command` with the daemon's address (and the service) and waits for it.
fn run(mut command: Command, daemon: &UdpSocket) {
    let output = command
        .env("AWS_XRAY_DAEMON_ADDRESS", daemon.local_addr().unwrap().to_string())
        .env("POWERTOOLS_SERVICE_NAME", "orders")
        .output()
        .expect("the process starts");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn probe(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trace-probe"));
    command.args(args);
    command
}

#[test]
fn the_schema_check_refuses_what_the_segment_document_format_refuses() {
    let good = json!({"type": "subsegment", "id": "70de5b6f19ff9a0a", "trace_id": ROOT_1,
        "parent_id": "53995c3f42cd8ad8", "name": "## handler", "start_time": 1.7e9, "end_time": 1.7e9 + 1.0});
    check_xray(&[good.to_string()]);
    let with = |key: &str, value: Value| {
        let mut doc = good.clone();
        doc[key] = value;
        doc.to_string()
    };
    let without = |key: &str| {
        let mut doc = good.clone();
        doc.as_object_mut().unwrap().remove(key);
        doc.to_string()
    };
    let bad = [
        without("parent_id"),
        without("end_time"),
        with("id", json!("70DE5B6F19FF9A0A")),
        with("trace_id", json!("1-5759e988-bd862e3f")),
        with("name", json!("a (b)")),
        with("name", json!("n".repeat(201))),
        with("namespace", json!("local")),
        with("annotations", json!({"order-id": 1})),
        with("annotations", json!({"order_id": {"nested": true}})),
        with("metadata", json!({"AWS.internal": {"k": 1}})),
        with("in_progress", json!(true)),
        with("throttle", json!(true)),
        with("http", json!({"response": {"status": "200"}})),
        with("end_time", json!(1.0)),
        with("colour", json!("blue")),
    ];
    for doc in bad {
        let refused = std::panic::catch_unwind(|| check_xray(std::slice::from_ref(&doc)));
        assert!(refused.is_err(), "the check let through {doc}");
    }
}

/// Where pypwext's documents differ from Powertools', and why. The
/// comparison below checks every other field of every document.
///
/// - `name`: Powertools names a method `## <module>.<qualname>`
///   (`## __main__.price`), a handler `## <name>`; pypwext names both
///   `## <fn>` (a Rust path would read `## trace_probe::price`, which says
///   less than the function's name in a trace of one function).
/// - `namespace`: the X-Ray SDK writes `"local"` on its own subsegments, a
///   value AWS's description of the format does not define (only `aws` and
///   `remote`); pypwext leaves it out.
/// - `in_progress: false`: the SDK writes it on every finished subsegment;
///   pypwext writes `in_progress` only when it is `true` (the format's
///   description: "set to true instead of an end_time").
/// - `metadata.<service>.<fn> error`: the SDK cannot serialize an exception
///   and writes `{}`; pypwext writes the error's text.
/// - `cause`: the SDK adds `working_directory`, and `remote` and a Python
///   `stack` to each exception; pypwext writes `id`, `message` and `type`
///   (Rust has no cheap stack trace of an `Err`).
/// - Ids and times differ run to run; each is checked for its form, the
///   order of the times and the ids' relations (parents, traces).
const IGNORED: &[&str] = &["id", "start_time", "end_time", "in_progress", "namespace"];

/// A document without what differs run to run or on purpose (`IGNORED`), its
/// parent as the name of the parent document (or the trace header's parent),
/// and its cause as the messages and types of its exceptions.
fn comparable(doc: &Value, all: &[Value]) -> Value {
    let mut doc = doc.clone();
    let object = doc.as_object_mut().unwrap();
    for key in IGNORED {
        object.remove(*key);
    }
    let name = object["name"].as_str().unwrap().replace("## __main__.", "## ");
    object.insert("name".into(), name.into());
    let parent = object["parent_id"].as_str().unwrap().to_owned();
    let parent = all
        .iter()
        .find(|d| d["id"] == parent.as_str())
        .map_or(parent, |d| d["name"].as_str().unwrap().replace("## __main__.", "## "));
    object.insert("parent_id".into(), parent.into());
    if let Some(cause) = object.get_mut("cause") {
        let exceptions: Vec<Value> = cause["exceptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| json!({"message": e["message"], "type": e["type"]}))
            .collect();
        *cause = json!({ "exceptions": exceptions });
    }
    if let Some(metadata) = object.get_mut("metadata") {
        for (_, entries) in metadata.as_object_mut().unwrap() {
            for (key, value) in entries.as_object_mut().unwrap() {
                let key = key.replace("__main__.", "");
                if key.ends_with(" error") {
                    *value = json!("<the error>");
                }
            }
            let renamed: serde_json::Map<String, Value> = entries
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.replace("__main__.", ""), v.clone()))
                .collect();
            *entries = Value::Object(renamed);
        }
    }
    doc
}

/// The form of what `comparable` leaves out.
fn check_ids_and_times(docs: &[Value]) {
    for doc in docs {
        let id = doc["id"].as_str().unwrap();
        assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{doc}");
        let (start, end) = (doc["start_time"].as_f64().unwrap(), doc["end_time"].as_f64().unwrap());
        assert!(start > 1.7e9 && end >= start, "{doc}");
    }
}

#[test]
fn powertools_tracer_sends_the_same_documents_as_we_do() {
    let theirs_daemon = daemon();
    let mut script = Command::new(python());
    script
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/py/powertools_tracer.py"))
        .args([HEADER_1, HEADER_2])
        // The X-Ray SDK's Lambda mode; the header is each invocation's, set by the script.
        .env("LAMBDA_TASK_ROOT", "/var/task")
        .env("_X_AMZN_TRACE_ID", HEADER_1)
        .env("AWS_LAMBDA_FUNCTION_NAME", "orders-fn");
    run(script, &theirs_daemon);
    let theirs_raw = received(&theirs_daemon);

    let ours_daemon = daemon();
    run(probe(&["peer", HEADER_1, HEADER_2]), &ours_daemon);
    let ours_raw = received(&ours_daemon);

    check_xray(&ours_raw);
    let (theirs, ours) = (parse(&theirs_raw), parse(&ours_raw));
    assert_eq!(
        ours.len(),
        theirs.len(),
        "as many documents\nours: {ours:#?}\ntheirs: {theirs:#?}"
    );
    assert_eq!(
        theirs.len(),
        4,
        "price, reserve and the handler, then the failed handler"
    );
    check_ids_and_times(&ours);
    check_ids_and_times(&theirs);
    for (n, (mine, peer)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(
            comparable(mine, &ours),
            comparable(peer, &theirs),
            "document {n}, field by field, except {IGNORED:?}"
        );
    }
    // The relations the comparison names rather than compares.
    assert_eq!(ours[0]["parent_id"], ours[2]["id"]);
    assert_eq!(
        (&ours[2]["trace_id"], &ours[3]["trace_id"]),
        (&json!(ROOT_1), &json!(ROOT_2))
    );
    assert_eq!(ours[3]["parent_id"], "53995c3f42cd8ad9");
}

#[test]
fn traced_alone_on_a_lambda_event_handler_joins_each_event_s_trace() {
    let daemon = daemon();
    run(probe(&["event", HEADER_1, HEADER_2]), &daemon);
    let raw = received(&daemon);
    check_xray(&raw);
    let docs = parse(&raw);
    // Two events of their own, and the call inside a running invocation;
    // the event without a trace header sent nothing.
    assert_eq!(docs.len(), 3, "{docs:#?}");
    for doc in &docs {
        assert_eq!(doc["name"], "## on_event");
        assert_eq!(doc["annotations"]["Service"], "orders");
    }
    let expected = [
        (ROOT_1, "53995c3f42cd8ad8", 0, true),
        (ROOT_2, "53995c3f42cd8ad9", 1, false),
        // The running invocation's trace, not the event's.
        (ROOT_1, "53995c3f42cd8ad8", 10, false),
    ];
    for (doc, (root, parent, order_id, cold_start)) in docs.iter().zip(expected) {
        assert_eq!(doc["trace_id"], root, "{doc}");
        assert_eq!(doc["parent_id"], parent, "{doc}");
        assert_eq!(doc["annotations"]["order_id"], order_id, "{doc}");
        assert_eq!(doc["annotations"]["ColdStart"], cold_start, "{doc}");
        assert_eq!(
            doc["metadata"]["orders"]["on_event response"],
            json!({"order_id": order_id}),
            "{doc}"
        );
    }
}

#[test]
fn calls_join_the_trace_as_remote_subsegments_and_send_their_own_parent() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (port, seen) = runtime.block_on(call_server());
    let daemon = daemon();
    let port_arg = port.to_string();
    run(probe(&["calls", HEADER_1, &port_arg]), &daemon);
    let raw = received(&daemon);
    check_xray(&raw);
    let docs = parse(&raw);
    let handler = docs
        .iter()
        .find(|d| d["name"] == "## calls_handler")
        .expect("the handler's subsegment");
    assert_eq!(handler["parent_id"], "53995c3f42cd8ad8");
    let remote: Vec<&Value> = docs.iter().filter(|d| d["namespace"] == "remote").collect();
    assert_eq!(remote.len(), 4, "{docs:#?}");
    let by_path: BTreeMap<String, &Value> = remote
        .iter()
        .map(|d| {
            let url = d["http"]["request"]["url"].as_str().unwrap();
            (url.split_once(&format!(":{port}")).unwrap().1.to_owned(), *d)
        })
        .collect();
    for doc in &remote {
        assert_eq!(doc["parent_id"], handler["id"], "{doc}");
        assert_eq!(doc["trace_id"], ROOT_1);
        assert_eq!(doc["http"]["request"]["traced"], true);
    }

    // The #[http_method] call: the URL without its query string.
    let offers = by_path["/offers/7"];
    assert_eq!(offers["name"], "127.0.0.1");
    assert_eq!(offers["http"]["request"]["method"], "GET");
    assert_eq!(offers["http"]["response"], json!({"status": 200, "content_length": 13}));
    assert!(offers.get("error").is_none() && offers.get("fault").is_none());
    // A 404 is an error; a 503 retried into a 200 is one subsegment of two attempts.
    assert_eq!(by_path["/missing"]["error"], true);
    assert_eq!(by_path["/missing"]["http"]["response"]["status"], 404);
    let flaky = by_path["/flaky"];
    assert_eq!(flaky["http"]["response"]["status"], 200);
    assert_eq!(flaky["metadata"]["http"]["request"]["attempts"], 2);
    // The Lambda invocation names its function.
    let lambda = by_path["/2015-03-31/functions/prices/invocations"];
    assert_eq!(lambda["name"], "prices");
    assert_eq!(
        lambda["aws"],
        json!({"operation": "Invoke", "function_name": "prices", "retries": 0})
    );

    // What the server received: each request's header names its own subsegment.
    check_call_headers(&seen.lock().unwrap(), ROOT_1, |path| {
        by_path[path]["id"].as_str().unwrap().to_owned()
    });
}

#[test]
fn calls_in_an_invocation_that_is_not_sampled_pass_the_decision_on_and_send_nothing() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (port, seen) = runtime.block_on(call_server());
    let daemon = daemon();
    let unsampled = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0";
    run(probe(&["calls", unsampled, &port.to_string()]), &daemon);
    assert!(received(&daemon).is_empty(), "nothing is sent");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 5, "the same calls");
    for request in seen.iter() {
        assert_eq!(request.header("x-amzn-trace-id"), Some(unsampled), "{}", request.target);
    }
}
