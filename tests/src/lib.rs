//! Helpers shared by the integration tests in `tests/`.

use std::fmt;

pub mod dynamodb;
pub mod moto;
pub mod parameters;
pub mod redis_server;
pub mod xray;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

/// A JSON object read with its keys in the order they were written, which
/// `serde_json::Value` does not keep.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedObject(pub Vec<(String, serde_json::Value)>);

impl OrderedObject {
    /// Parses one JSON line; panics with the line when it is not an object.
    pub fn parse(line: &str) -> OrderedObject {
        match serde_json::from_str(line) {
            Ok(object) => object,
            Err(err) => panic!("not a JSON object ({err}): {line}"),
        }
    }

    /// The keys, in written order.
    pub fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<'de> Deserialize<'de> for OrderedObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor;
        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = OrderedObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedObject, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry()? {
                    entries.push((key, value));
                }
                Ok(OrderedObject(entries))
            }
        }
        deserializer.deserialize_map(OrderedVisitor)
    }
}

/// `true` when `s` has the shape `2021-11-24 13:38:50,673+0000`.
pub fn is_powertools_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 28
        && s.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == ' ',
            13 | 16 => c == ':',
            19 => c == ',',
            23 => c == '+',
            _ => c.is_ascii_digit(),
        })
        && &s[23..] == "+0000"
}

/// Installs, once per test binary, a global subscriber that takes every event
/// and writes it nowhere.
///
/// `tracing` caches each callsite's interest process-wide, computed the first
/// time the callsite runs. A test thread with no subscriber would cache
/// "never", hiding that line from a test that captures it with
/// `with_default` on another thread. With this global subscriber registered,
/// no callsite is ever cached as "never", and each scoped subscriber still
/// filters by its own level. Call it first in every test that logs.
pub fn install_global_subscriber() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let everything = pypwext::logging::builder()
            .level(tracing::level_filters::LevelFilter::TRACE)
            .writer(std::io::sink)
            .build();
        // Only this function sets it; a second binary-wide call is a no-op.
        let _ = tracing::subscriber::set_global_default(everything);
    });
}

/// Runs `f` with a Powertools logger at `level` (service `svc`) writing to
/// memory; what `f` returned and the lines it wrote.
pub fn capture<R>(
    level: impl Into<tracing::level_filters::LevelFilter>,
    f: impl FnOnce() -> R,
) -> (R, Vec<OrderedObject>) {
    install_global_subscriber();
    let sink = pypwext::logging::MemoryWriter::new();
    let subscriber = pypwext::logging::builder()
        .service("svc")
        .level(level)
        .writer(sink.clone())
        .build();
    let out = tracing::subscriber::with_default(subscriber, f);
    (out, sink.lines().iter().map(|l| OrderedObject::parse(l)).collect())
}

/// The keys of a line, in order, inside an invocation with every key set.
pub const INVOCATION_LINE_KEYS: &[&str] = &[
    "level",
    "location",
    "message",
    "timestamp",
    "service",
    "cold_start",
    "function_name",
    "function_memory_size",
    "function_arn",
    "function_request_id",
    "correlation_id",
    "xray_trace_id",
];

/// One HTTP/1.1 request read off a socket by a test server.
#[derive(Debug, Clone)]
pub struct RawRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request-target: path and query.
    pub target: String,
    /// The headers as sent (names as written).
    pub headers: Vec<(String, String)>,
    /// The body (`content-length` bytes).
    pub body: Vec<u8>,
}

impl RawRequest {
    /// A header's value, by name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one request (head and `content-length` body); `None` when the peer
/// closes first. Test servers use it to see exactly what a client sent.
pub async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<RawRequest> {
    use tokio::io::AsyncReadExt as _;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            l.split_once(':')
                .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(RawRequest {
        method,
        target,
        headers,
        body: buf[head_end..].to_vec(),
    })
}

/// Serves `listener` until the test ends: each connection in a task of its
/// own, its one request read and handed with the stream to `answer`, which
/// writes the reply (or does not: a fault). Must be called inside a runtime.
pub fn serve_each_request<F, Fut>(listener: tokio::net::TcpListener, answer: F)
where
    F: Fn(RawRequest, tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let answer = std::sync::Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                if let Some(request) = read_request(&mut stream).await {
                    answer(request, stream).await;
                }
            });
        }
    });
}

/// The Python of the test command's venv (`PYPWEXT_PYTHON`, which
/// `scripts/test.sh` exports; else the venv it makes). Panics, saying how to
/// get one, when there is none: a test that needs it never passes without it.
pub fn python() -> String {
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/python-venv/bin/python");
    std::env::var("PYPWEXT_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .or_else(|| std::path::Path::new(venv).exists().then(|| venv.to_owned()))
        .expect(
            "PYPWEXT_PYTHON names a Python with aws-lambda-powertools and jsonschema: run the tests with scripts/test.sh",
        )
}

/// Checks every line against the EMF JSON Schema (`tests/schemas/emf.json`,
/// written from the embedded metric format specification) and the references
/// it cannot express, with `tests/py/emf_check.py`. Panics with each problem.
pub fn check_emf(lines: &[String]) {
    use std::io::Write as _;
    let dir = env!("CARGO_MANIFEST_DIR");
    let mut child = std::process::Command::new(python())
        .arg(format!("{dir}/py/emf_check.py"))
        .arg(format!("{dir}/schemas/emf.json"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the EMF check runs");
    {
        let mut stdin = child.stdin.take().expect("the check's stdin");
        for line in lines {
            writeln!(stdin, "{line}").expect("the check reads the lines");
        }
    }
    let output = child.wait_with_output().expect("the EMF check ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "EMF lines the specification refuses:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout.trim(), format!("ok {}", lines.len()), "every line checked");
}

/// Checks every X-Ray document (one JSON document a line) against the JSON
/// Schema of the segment document (`tests/schemas/xray-segment.json`, written
/// from AWS's description) with `tests/py/xray_check.py`. Panics with each
/// problem.
pub fn check_xray(documents: &[String]) {
    use std::io::Write as _;
    let dir = env!("CARGO_MANIFEST_DIR");
    let mut child = std::process::Command::new(python())
        .arg(format!("{dir}/py/xray_check.py"))
        .arg(format!("{dir}/schemas/xray-segment.json"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the X-Ray check runs");
    {
        let mut stdin = child.stdin.take().expect("the check's stdin");
        for document in documents {
            writeln!(stdin, "{document}").expect("the check reads the documents");
        }
    }
    let output = child.wait_with_output().expect("the X-Ray check ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "X-Ray documents the segment document format refuses:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout.trim(),
        format!("ok {}", documents.len()),
        "every document checked"
    );
}
