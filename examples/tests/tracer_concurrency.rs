//! Traced invocations through the real runtime loop, eight at a time: the
//! `concurrency-probe` binary (its handler and each step `#[traced]`) runs
//! `pypwext::lambda::run` with `AWS_LAMBDA_MAX_CONCURRENCY=8` against the
//! Runtime API emulator, which hands out 500 invocations, each with its own
//! sampled trace header. Every document a loopback UDP "daemon" receives —
//! or, with `OTEL_EXPORTER_OTLP_ENDPOINT` set (the `otel` feature, which
//! the `pypwext-tests` dev-dependency turns on), every span a loopback OTLP
//! receiver decodes — carries its own invocation's trace id and parent,
//! none is lost (counted), none mixes with another invocation's.

mod support;

use std::collections::BTreeMap;
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pypwext_tests::xray::OtlpReceiver;
use serde_json::{Value, json};
use support::{RuntimeApi, lambda_env};

const INVOCATIONS: usize = 500;

/// Invocation `n`: its request id, its own name, its steps (2 to 5), its
/// trace root and its Lambda segment (the parent of its handler).
fn invocation(n: usize) -> (String, String, u32, String, String) {
    (
        format!("req-{n:03}"),
        format!("inv-{n:03}"),
        2 + (n % 4) as u32,
        format!("1-6741a000-{n:024x}"),
        format!("{:016x}", 0xa000_0000_0000_0000u64 + n as u64),
    )
}

/// Runs the 500 invocations, the probe with `env`; returns how many answered.
fn run_invocations(env: &[(&str, String)]) -> usize {
    let runtime = support::runtime();
    runtime.block_on(async {
        let api = RuntimeApi::start().await;
        for n in 0..INVOCATIONS {
            let (request_id, id, steps, root, parent) = invocation(n);
            api.push_traced(
                &request_id,
                &support::http_event("/work", "api", &json!({"id": id, "steps": steps}).to_string()),
                &format!("Root={root};Parent={parent};Sampled=1"),
            );
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_concurrency-probe"))
            .envs(lambda_env(&api))
            .env("AWS_LAMBDA_MAX_CONCURRENCY", "8")
            .env("AWS_LAMBDA_LOG_LEVEL", "ERROR")
            .envs(env.iter().map(|(name, value)| (*name, value)))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the concurrency-probe binary starts");
        let outcomes = api.outcomes(INVOCATIONS, Duration::from_secs(120)).await;
        assert_eq!(api.max_in_flight(), 8, "eight invocations at once");
        let _ = child.kill();
        let _ = child.wait();
        outcomes.len()
    })
}

/// Checks the calls of all invocations, each as X-Ray's document says it
/// (`trace_id`, `id`, `parent_id`, `name`, `annotations`): one handler and
/// one call per step in each trace, each under its own parent, none lost,
/// none mixed.
fn check_invocations(docs: &[Value]) {
    let expected: usize = (0..INVOCATIONS).map(|n| 1 + invocation(n).2 as usize).sum();
    eprintln!("{} calls received, {expected} expected", docs.len());
    assert_eq!(
        docs.len(),
        expected,
        "one call per handler and per step: none lost, none extra"
    );
    let mut by_root: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for doc in docs {
        by_root.entry(doc["trace_id"].as_str().unwrap()).or_default().push(doc);
    }
    assert_eq!(by_root.len(), INVOCATIONS);
    let mut cold = 0;
    for n in 0..INVOCATIONS {
        let (_, id, steps, root, parent) = invocation(n);
        let mine = &by_root[root.as_str()];
        let handlers: Vec<&Value> = mine.iter().copied().filter(|d| d["name"] == "## work").collect();
        let [handler] = handlers[..] else {
            panic!("{id}: one handler: {mine:#?}")
        };
        assert_eq!(handler["parent_id"], parent.as_str(), "{id}: its own Lambda segment");
        assert_eq!(
            handler["annotations"]["work_id"],
            id.as_str(),
            "{id}: its own annotation"
        );
        cold += usize::from(handler["annotations"]["ColdStart"] == true);
        let steps_done: Vec<&Value> = mine.iter().copied().filter(|d| d["name"] == "## step").collect();
        assert_eq!(steps_done.len(), steps as usize, "{id}: one call per step");
        assert_eq!(mine.len(), 1 + steps as usize, "{id}: nothing else in its trace");
        for step in steps_done {
            assert_eq!(step["parent_id"], handler["id"], "{id}: its step under its own handler");
            assert_eq!(
                step["annotations"]["work_id"],
                id.as_str(),
                "{id}: its step's own annotation"
            );
        }
    }
    assert_eq!(cold, 1, "one cold start in the process");
}

#[test]
fn five_hundred_traced_invocations_eight_at_a_time_each_send_their_own_documents() {
    let daemon = UdpSocket::bind("127.0.0.1:0").unwrap();
    daemon.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let daemon_address = daemon.local_addr().unwrap().to_string();
    // Read while the function runs: the socket's buffer would not hold them all.
    let done = Arc::new(AtomicBool::new(false));
    let reading = done.clone();
    let reader = std::thread::spawn(move || {
        let mut docs = Vec::new();
        let mut buf = vec![0; 70_000];
        // Bounded: stops at the first quiet 200 ms after the function stopped,
        // or after 100 000 datagrams.
        for _ in 0..100_000 {
            match daemon.recv(&mut buf) {
                Ok(len) => docs.push(String::from_utf8_lossy(&buf[..len]).into_owned()),
                Err(_) if reading.load(Ordering::SeqCst) => break,
                Err(_) => {}
            }
        }
        docs
    });

    let answered = run_invocations(&[("AWS_XRAY_DAEMON_ADDRESS", daemon_address)]);
    done.store(true, Ordering::SeqCst);
    let datagrams = reader.join().unwrap();
    assert_eq!(answered, INVOCATIONS, "every invocation answered");

    let docs: Vec<String> = datagrams
        .iter()
        .map(|d| {
            let (framing, doc) = d.split_once('\n').expect("the daemon's header line");
            assert_eq!(framing, r#"{"format":"json","version":1}"#);
            doc.to_owned()
        })
        .collect();
    pypwext_tests::check_xray(&docs);
    let docs: Vec<Value> = docs.iter().map(|doc| serde_json::from_str(doc).unwrap()).collect();
    check_invocations(&docs);
}

#[test]
fn five_hundred_traced_invocations_eight_at_a_time_each_export_their_own_spans() {
    let receiver = OtlpReceiver::start();
    let answered = run_invocations(&[("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint())]);
    assert_eq!(answered, INVOCATIONS, "every invocation answered");
    let spans = receiver.spans();
    // Each span as the document it stands for: X-Ray's trace id from
    // OpenTelemetry's 32 hex digits, the annotations from the attributes.
    let docs: Vec<Value> = spans
        .iter()
        .map(|span| {
            let trace = span["trace_id"].as_str().unwrap();
            json!({
                "trace_id": format!("1-{}-{}", &trace[..8], &trace[8..]),
                "id": span["span_id"],
                "parent_id": span["parent_span_id"],
                "name": span["name"],
                "annotations": {
                    "work_id": span["attributes"]["work_id"],
                    "ColdStart": span["attributes"]["ColdStart"],
                },
            })
        })
        .collect();
    check_invocations(&docs);
}
