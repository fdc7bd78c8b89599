//! What the tracer tests send to and receive from: a loopback UDP socket
//! standing in for the X-Ray daemon, a loopback OTLP/HTTP receiver that
//! decodes with the OpenTelemetry project's own protobuf definitions
//! (`py/otlp_receiver.py`), and a loopback server for traced calls.

use std::io::{BufRead as _, BufReader};
use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt as _;

use crate::RawRequest;

/// A loopback UDP socket standing in for the X-Ray daemon.
pub fn daemon() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a loopback UDP socket");
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .expect("a read timeout");
    socket
}

/// The documents the daemon received (after the process that sent them
/// ended), in order, checked for the daemon's framing; at most 1000, and
/// done at the first quiet half second.
pub fn received(daemon: &UdpSocket) -> Vec<String> {
    let mut docs = Vec::new();
    let mut buf = vec![0; 70_000];
    for _ in 0..1000 {
        let Ok(len) = daemon.recv(&mut buf) else { break };
        let text = std::str::from_utf8(&buf[..len]).expect("a datagram is UTF-8");
        let (framing, doc) = text.split_once('\n').expect("the daemon's header line");
        assert_eq!(framing, r#"{"format":"json","version":1}"#);
        docs.push(doc.to_owned());
    }
    docs
}

/// `py/otlp_receiver.py`, running: an OTLP/HTTP endpoint on a free
/// loopback port. Its output is read as it comes (a pipe's buffer would
/// not hold 500 invocations' spans, and the receiver would stop answering).
/// Stopped, and its spans handed over, by [`OtlpReceiver::spans`]; killed
/// when dropped.
pub struct OtlpReceiver {
    child: Child,
    lines: Option<std::thread::JoinHandle<Vec<String>>>,
    port: u16,
}

impl OtlpReceiver {
    /// Starts the receiver with the test venv's Python.
    pub fn start() -> OtlpReceiver {
        let mut child = Command::new(crate::python())
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/py/otlp_receiver.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the OTLP receiver starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("its stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("its first line");
        let port = first
            .trim()
            .strip_prefix("listening ")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| {
                panic!("the receiver did not start (needs opentelemetry-proto: run scripts/test.sh): {first:?}")
            });
        let lines = std::thread::spawn(move || stdout.lines().map_while(Result::ok).collect());
        OtlpReceiver {
            child,
            lines: Some(lines),
            port,
        }
    }

    /// `OTEL_EXPORTER_OTLP_ENDPOINT` for it.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops it and returns every span it decoded, in the order received
    /// (one JSON object each; see the script for the fields).
    pub fn spans(mut self) -> Vec<serde_json::Value> {
        drop(self.child.stdin.take());
        let lines = self
            .lines
            .take()
            .expect("read once")
            .join()
            .expect("the receiver's output");
        let _ = self.child.wait();
        lines
            .iter()
            .map(|line| {
                let span: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
                assert!(span.get("error").is_none(), "the receiver refused a request: {span}");
                span
            })
            .collect()
    }
}

impl Drop for OtlpReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback server for traced calls: `/offers/7` answers JSON, `/missing`
/// 404, `/flaky` 503 the first time and 200 after, the Lambda invocation
/// of `prices` 200. Returns its port and the requests it saw. Must be
/// called inside a runtime.
pub async fn call_server() -> (u16, Arc<Mutex<Vec<RawRequest>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let port = listener.local_addr().expect("its address").port();
    let seen: Arc<Mutex<Vec<RawRequest>>> = Arc::default();
    let recorded = seen.clone();
    crate::serve_each_request(listener, move |request, mut stream| {
        let recorded = recorded.clone();
        async move {
            let flaky_before = {
                let mut recorded = recorded.lock().expect("the request list");
                let before = recorded.iter().filter(|r| r.target == "/flaky").count();
                recorded.push(request.clone());
                before
            };
            let (status, body) = match request.target.as_str() {
                "/offers/7?token=secret" => (200, r#"{"offers":[]}"#),
                "/flaky" if flaky_before == 0 => (503, "busy"),
                "/flaky" => (200, "ok"),
                "/2015-03-31/functions/prices/invocations" => (200, r#"{"total":1}"#),
                _ => (404, "none"),
            };
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    (port, seen)
}

/// Checks what [`call_server`] saw from `trace-probe calls`: five requests
/// (four calls, one retried), each carrying `X-Amzn-Trace-Id` in trace
/// `root` with the id `parent_of` gives its path (the call's subsegment or
/// span) as its parent.
pub fn check_call_headers(seen: &[RawRequest], root: &str, parent_of: impl Fn(&str) -> String) {
    assert_eq!(seen.len(), 5, "four calls, one retried");
    for request in seen {
        let path = request.target.split('?').next().unwrap_or_default();
        assert_eq!(
            request.header("x-amzn-trace-id"),
            Some(format!("Root={root};Parent={};Sampled=1", parent_of(path)).as_str()),
            "{}",
            request.target
        );
    }
}
