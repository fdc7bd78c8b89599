//! Traced invocations through the real runtime loop, eight at a time: the
//! `concurrency-probe` binary (its handler and each step `#[traced]`) runs
//! `pypwext::lambda::run` with `AWS_LAMBDA_MAX_CONCURRENCY=8` against the
//! Runtime API emulator, which hands out 500 invocations, each with its own
//! sampled trace header. A loopback UDP "daemon" receives every document:
//! each carries its own invocation's trace id and parent, none is lost
//! (counted), none mixes with another invocation's.

mod support;

use std::collections::BTreeMap;
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;
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

    let runtime = support::runtime();
    let outcomes = runtime.block_on(async {
        let api = RuntimeApi::start().await;
        for n in 0..INVOCATIONS {
            let (request_id, id, steps, root, parent) = invocation(n);
            api.push_traced(
                &request_id,
                &support::http_event(
                    "/work",
                    "api",
                    &serde_json::json!({"id": id, "steps": steps}).to_string(),
                ),
                &format!("Root={root};Parent={parent};Sampled=1"),
            );
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_concurrency-probe"))
            .envs(lambda_env(&api))
            .env("AWS_LAMBDA_MAX_CONCURRENCY", "8")
            .env("AWS_LAMBDA_LOG_LEVEL", "ERROR")
            .env("AWS_XRAY_DAEMON_ADDRESS", &daemon_address)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the concurrency-probe binary starts");
        let outcomes = api.outcomes(INVOCATIONS, Duration::from_secs(120)).await;
        assert_eq!(api.max_in_flight(), 8, "eight invocations at once");
        let _ = child.kill();
        let _ = child.wait();
        outcomes
    });
    done.store(true, Ordering::SeqCst);
    let datagrams = reader.join().unwrap();
    assert_eq!(outcomes.len(), INVOCATIONS, "every invocation answered");

    let docs: Vec<String> = datagrams
        .iter()
        .map(|d| {
            let (framing, doc) = d.split_once('\n').expect("the daemon's header line");
            assert_eq!(framing, r#"{"format":"json","version":1}"#);
            doc.to_owned()
        })
        .collect();
    let expected: usize = (0..INVOCATIONS).map(|n| 1 + invocation(n).2 as usize).sum();
    eprintln!("{} documents received, {expected} expected", docs.len());
    assert_eq!(
        docs.len(),
        expected,
        "one document per handler and per step: none lost, none extra"
    );
    pypwext_tests::check_xray(&docs);

    // By trace: each invocation's documents, and only its own.
    let mut by_root: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for doc in &docs {
        let doc: Value = serde_json::from_str(doc).unwrap();
        by_root
            .entry(doc["trace_id"].as_str().unwrap().to_owned())
            .or_default()
            .push(doc);
    }
    assert_eq!(by_root.len(), INVOCATIONS);
    let mut cold = 0;
    for n in 0..INVOCATIONS {
        let (_, id, steps, root, parent) = invocation(n);
        let mine = &by_root[&root];
        let handlers: Vec<&Value> = mine.iter().filter(|d| d["name"] == "## work").collect();
        let [handler] = handlers[..] else {
            panic!("{id}: one handler subsegment: {mine:#?}")
        };
        assert_eq!(handler["parent_id"], parent.as_str(), "{id}: its own Lambda segment");
        assert_eq!(
            handler["annotations"]["work_id"],
            id.as_str(),
            "{id}: its own annotation"
        );
        cold += usize::from(handler["annotations"]["ColdStart"] == true);
        let step_docs: Vec<&Value> = mine.iter().filter(|d| d["name"] == "## step").collect();
        assert_eq!(step_docs.len(), steps as usize, "{id}: one subsegment per step");
        assert_eq!(mine.len(), 1 + steps as usize, "{id}: nothing else in its trace");
        for step in step_docs {
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
