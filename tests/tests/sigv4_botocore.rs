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
use pypwext_tests::RawRequest;
use tokio::io::AsyncWriteExt as _;

const API_HOST: &str = "abc123xyz.execute-api.eu-west-1.amazonaws.com";
const LAMBDA_HOST: &str = "lambda.eu-west-1.amazonaws.com";

async fn capture_server() -> (SocketAddr, Arc<Mutex<Vec<RawRequest>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let captured = Arc::new(Mutex::new(Vec::new()));
    let store = captured.clone();
    pypwext_tests::serve_each_request(listener, move |request, mut stream| {
        let store = store.clone();
        async move {
            store.lock().unwrap().push(request);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                .await;
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
            let host = c.header("host").unwrap().to_owned();
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
        let ours = captured.header("authorization").unwrap();
        assert_eq!(ours, botocore, "{} {}", captured.method, captured.target);
        let token = captured.header("x-amz-security-token").unwrap();
        assert_eq!(token, "FwoGZXIvYXdzEXAMPLEsessiontoken//with/slashes+and+plus==");
    }
}
