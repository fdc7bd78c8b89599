//! A session's request and response lines: what was sent and what came back,
//! with the signature, the session token and the credentials never written.

use pypwext::InfoClassification;
use pypwext::http::{Credentials, HttpSession};
use pypwext_tests::{capture, read_request};
use tokio::io::AsyncWriteExt as _;

#[test]
fn request_lines_never_show_credentials_or_signatures() {
    let secret = "logging/secret/key";
    let token = "logging-session-token-value";
    let ((), lines) = capture(tracing::Level::INFO, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(async move {
                let (mut stream, _) = listener.accept().await.unwrap();
                let _ = read_request(&mut stream).await;
                let _ = stream
                    .write_all(b"HTTP/1.1 201 Created\r\nset-cookie: session=abc\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                    .await;
            });
            let host = "logapi.execute-api.eu-west-1.amazonaws.com";
            let session = HttpSession::builder()
                .credentials(Credentials::new("AKIALOGGINGTEST00001", secret, Some(token.to_owned())))
                .resolve(host, addr)
                .log_requests(tracing::Level::INFO, InfoClassification::CorporateSensitiveInfo)
                .build()
                .unwrap();
            let response = session
                .post(format!("http://{host}:{}/prod/orders?id=7", addr.port()))
                .header("cookie", "theirs=secret-cookie")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
        });
    });
    let messages: Vec<&str> = lines
        .iter()
        .map(|l| l.get("message").unwrap().as_str().unwrap())
        .collect();
    assert_eq!(messages, ["HTTP request", "HTTP response"]);
    let request = &lines[0];
    assert_eq!(request.get("method").unwrap(), "POST");
    assert!(
        request
            .get("url")
            .unwrap()
            .as_str()
            .unwrap()
            .ends_with("/prod/orders?id=7")
    );
    assert_eq!(request.get("classification").unwrap(), "CORPORATE_SENSITIVE_INFO");
    let headers: serde_json::Value = serde_json::from_str(request.get("headers").unwrap().as_str().unwrap()).unwrap();
    assert_eq!(headers["authorization"], "*****", "signed, and redacted");
    assert_eq!(headers["x-amz-security-token"], "*****");
    assert_eq!(headers["cookie"], "*****");
    assert_eq!(lines[1].get("status").unwrap(), 201);
    let all = format!("{lines:?}");
    for never in [secret, token, "Signature=", "secret-cookie", "session=abc"] {
        assert!(!all.contains(never), "{never} reached a log line");
    }
}
