//! An independent check of what our session actually sends: requests signed
//! by `HttpSession` are captured by a loopback server, then botocore's
//! `SigV4Auth` (Python) recomputes their `Authorization` header from the same
//! time, keys, region and service. The two must be equal.
//!
//! Needs `PYPWEXT_PYTHON`, a Python with botocore: `scripts/test.sh` (the
//! README's test command) makes one.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use pypwext::http::{Credentials, HttpSession, SignFor};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const API_HOST: &str = "abc123xyz.execute-api.eu-west-1.amazonaws.com";
const LAMBDA_HOST: &str = "lambda.eu-west-1.amazonaws.com";

/// One captured request: method, target, headers, body.
#[derive(Debug, Clone)]
struct Captured {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

async fn capture_server() -> (SocketAddr, Arc<Mutex<Vec<Captured>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let captured = Arc::new(Mutex::new(Vec::new()));
    let store = captured.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let head_end = loop {
                    let n = stream.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break end + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let mut lines = head.split("\r\n");
                let mut request_line = lines.next().unwrap().split(' ');
                let method = request_line.next().unwrap().to_owned();
                let target = request_line.next().unwrap().to_owned();
                let headers: Vec<(String, String)> = lines
                    .filter(|l| !l.is_empty())
                    .map(|l| {
                        let (n, v) = l.split_once(':').unwrap();
                        (n.trim().to_owned(), v.trim().to_owned())
                    })
                    .collect();
                let length: usize = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                    .map_or(0, |(_, v)| v.parse().unwrap());
                while buf.len() < head_end + length {
                    let n = stream.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = buf[head_end..].to_vec();
                store.lock().unwrap().push(Captured {
                    method,
                    target,
                    headers,
                    body,
                });
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                    .await;
            });
        }
    });
    (addr, captured)
}

#[test]
fn botocore_computes_the_same_authorization_as_our_session() {
    // scripts/test.sh exports it; the venv it makes also serves a plain `cargo test`.
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/python-venv/bin/python");
    let python = std::env::var("PYPWEXT_PYTHON")
        .ok()
        .or_else(|| std::path::Path::new(venv).exists().then(|| venv.to_owned()))
        .expect("PYPWEXT_PYTHON names a Python with botocore: run the tests with scripts/test.sh");
    let credentials = Credentials::new(
        "AKIAPYPWEXTTEST00001",
        "pypwext/secret/key+for/the/botocore/check",
        Some("FwoGZXIvYXdzEXAMPLEsessiontoken//with/slashes+and+plus==".to_owned()),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let captured = runtime.block_on(async {
        let (addr, captured) = capture_server().await;
        let session = HttpSession::builder()
            .credentials(credentials.clone())
            .region("eu-west-1")
            .resolve(API_HOST, addr)
            .resolve(LAMBDA_HOST, addr)
            .build()
            .unwrap();
        let port = addr.port();
        // Signed because the host is API Gateway's.
        session
            .get(format!(
                "http://{API_HOST}:{port}/prod/orders/42?b=2&a=1&email=ada%40example.com"
            ))
            .send()
            .await
            .unwrap();
        session
            .post(format!("http://{API_HOST}:{port}/prod/offers"))
            .body(r#"{"customer":"ada","items":[{"sku":"APPLE","quantity":2}]}"#)
            .header("x-request-id", "req-77")
            .send()
            .await
            .unwrap();
        // Signed because it asks to be.
        session
            .post(format!(
                "http://{LAMBDA_HOST}:{port}/2015-03-31/functions/orders/invocations"
            ))
            .with_extension(SignFor {
                service: "lambda".to_owned(),
                region: None,
            })
            .header("x-amz-invocation-type", "RequestResponse")
            .body(r#"{"ping":true}"#)
            .send()
            .await
            .unwrap();
        captured.lock().unwrap().clone()
    });
    assert_eq!(captured.len(), 3);

    let cases: Vec<serde_json::Value> = captured
        .iter()
        .map(|c| {
            let host = c
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("host"))
                .unwrap()
                .1
                .clone();
            let service = if host.starts_with("lambda.") {
                "lambda"
            } else {
                "execute-api"
            };
            serde_json::json!({
                "method": c.method,
                "url": format!("http://{host}{}", c.target),
                "headers": c.headers,
                "body_hex": c.body.iter().map(|b| format!("{b:02x}")).collect::<String>(),
                "access_key": "AKIAPYPWEXTTEST00001",
                "secret_key": "pypwext/secret/key+for/the/botocore/check",
                "token": "FwoGZXIvYXdzEXAMPLEsessiontoken//with/slashes+and+plus==",
                "service": service,
                "region": "eu-west-1",
            })
        })
        .collect();
    let input = std::env::temp_dir().join(format!("pypwext-sigv4-{}.json", std::process::id()));
    std::fs::write(&input, serde_json::to_vec(&cases).unwrap()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/py/sigv4_check.py");
    let output = std::process::Command::new(&python)
        .arg(script)
        .arg(&input)
        .output()
        .expect("python runs");
    let _ = std::fs::remove_file(&input);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let expected: Vec<String> = serde_json::from_slice(&output.stdout).unwrap();

    for (captured, botocore) in captured.iter().zip(&expected) {
        let ours = &captured
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .unwrap()
            .1;
        assert_eq!(ours, botocore, "{} {}", captured.method, captured.target);
        let token = &captured
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-security-token"))
            .unwrap()
            .1;
        assert_eq!(token, "FwoGZXIvYXdzEXAMPLEsessiontoken//with/slashes+and+plus==");
    }
}
