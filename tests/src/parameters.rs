//! What the `parameters_*` tests and the parameters bench share: an SDK
//! configuration for a loopback endpoint, and a counting proxy.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// An SDK configuration for `endpoint` (moto's server, a stand-in, a
/// proxy): region `us-east-1`, moto's test credentials, pypwext's HTTPS
/// client (which speaks plain HTTP to loopback too).
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .endpoint_url(endpoint)
        .http_client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
                .build_https(),
        )
        .load()
        .await
}

/// A loopback HTTP proxy in front of a server: forwards each request (one
/// per connection) and counts them by operation (`X-Amz-Target`, else the
/// method and path). While failing, it closes each connection unanswered:
/// a network failure as the client sees it.
#[derive(Clone)]
pub struct CountingProxy {
    endpoint: String,
    counts: Arc<Mutex<HashMap<String, usize>>>,
    failing: Arc<AtomicBool>,
}

impl CountingProxy {
    /// Starts the proxy in front of `upstream` (`http://127.0.0.1:port`);
    /// must be called inside a runtime.
    pub async fn start(upstream: &str) -> CountingProxy {
        let upstream = upstream
            .strip_prefix("http://")
            .expect("an http:// upstream")
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let proxy = CountingProxy {
            endpoint: format!("http://{}", listener.local_addr().expect("its address")),
            counts: Arc::default(),
            failing: Arc::default(),
        };
        let shared = proxy.clone();
        crate::serve_each_request(listener, move |request, mut client| {
            let proxy = shared.clone();
            let upstream = upstream.clone();
            async move {
                let operation = request
                    .header("x-amz-target")
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("{} {}", request.method, request.target));
                *proxy.counts.lock().unwrap().entry(operation).or_default() += 1;
                if proxy.failing.load(Ordering::SeqCst) {
                    return; // dropped unanswered
                }
                let Ok(mut server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.target);
                for (name, value) in &request.headers {
                    if !name.eq_ignore_ascii_case("connection") {
                        head.push_str(&format!("{name}: {value}\r\n"));
                    }
                }
                head.push_str("Connection: close\r\n\r\n");
                let mut response = Vec::new();
                if server.write_all(head.as_bytes()).await.is_ok()
                    && server.write_all(&request.body).await.is_ok()
                    && server.read_to_end(&mut response).await.is_ok()
                {
                    let _ = client.write_all(&response).await;
                    let _ = client.shutdown().await;
                }
            }
        });
        proxy
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// How many requests of `operation` (`AmazonSSM.GetParameter`) came in.
    pub fn count(&self, operation: &str) -> usize {
        self.counts.lock().unwrap().get(operation).copied().unwrap_or(0)
    }

    /// Every request, of any operation.
    pub fn total(&self) -> usize {
        self.counts.lock().unwrap().values().sum()
    }

    /// Closes connections unanswered (`true`) or forwards them again.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }
}
