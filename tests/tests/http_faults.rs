//! The retry rules against scripted servers on loopback (raw TCP, so that a
//! fault is exactly the fault): exact attempt counts per method, bounded wall
//! time, never a POST sent twice, and never past the deadline.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use pypwext::http::{HttpSession, WithDeadline};
use pypwext::lambda::Invocation;
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpListener;

/// What the server does with one request.
#[derive(Debug, Clone)]
enum Fault {
    Status(u16),
    RetryAfter(u16, u64),
    /// Reads the request, then closes the connection without a word.
    Reset,
    /// Reads the request and never answers.
    Hang,
    /// Promises 100 bytes of body, sends 10, closes.
    Truncated,
    /// Waits, then answers 200.
    SlowHeaders(Duration),
}

#[derive(Default)]
struct Log {
    /// The method of every request received, in order.
    methods: Vec<String>,
    /// The `Authorization` of every request received, in order.
    authorizations: Vec<Option<String>>,
}

struct Server {
    addr: SocketAddr,
    log: Arc<Mutex<Log>>,
}

impl Server {
    /// Serves `script` (one fault per request, in order), then 200s.
    async fn start(script: Vec<Fault>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Log::default()));
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let served = log.clone();
        pypwext_tests::serve_each_request(listener, move |request, mut stream| {
            let log = served.clone();
            let script = script.clone();
            async move {
                {
                    let mut log = log.lock().unwrap();
                    log.authorizations
                        .push(request.header("authorization").map(str::to_owned));
                    log.methods.push(request.method);
                }
                let fault = script.lock().unwrap().pop_front();
                let answer = |status: u16, extra: &str| {
                    format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n{extra}\r\nok")
                };
                match fault {
                    None => {
                        let _ = stream.write_all(answer(200, "").as_bytes()).await;
                    }
                    Some(Fault::Status(status)) => {
                        let _ = stream.write_all(answer(status, "").as_bytes()).await;
                    }
                    Some(Fault::RetryAfter(status, secs)) => {
                        let _ = stream
                            .write_all(answer(status, &format!("retry-after: {secs}\r\n")).as_bytes())
                            .await;
                    }
                    Some(Fault::Reset) => drop(stream),
                    Some(Fault::Hang) => tokio::time::sleep(Duration::from_secs(60)).await,
                    Some(Fault::Truncated) => {
                        let _ = stream
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\nconnection: close\r\n\r\n0123456789")
                            .await;
                    }
                    Some(Fault::SlowHeaders(delay)) => {
                        tokio::time::sleep(delay).await;
                        let _ = stream.write_all(answer(200, "").as_bytes()).await;
                    }
                }
            }
        });
        Server { addr, log }
    }

    fn url(&self) -> String {
        format!("http://{}/resource", self.addr)
    }

    fn attempts(&self, method: &str) -> usize {
        self.log.lock().unwrap().methods.iter().filter(|m| *m == method).count()
    }
}

fn session(total: u32, timeout: Duration) -> HttpSession {
    HttpSession::builder()
        .total_retries(total)
        .backoff_factor(0.01)
        .timeout(timeout)
        .build()
        .unwrap()
}

fn run<F: std::future::Future>(future: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(30), future)
            .await
            .expect("bounded: 30 s")
    })
}

#[test]
fn a_503_burst_is_retried_for_get_and_never_for_post() {
    run(async {
        let server = Server::start(vec![Fault::Status(503), Fault::Status(503)]).await;
        let session = session(3, Duration::from_secs(5));
        let response = session.get(server.url()).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(server.attempts("GET"), 3, "two 503s, then the 200");

        let server = Server::start(vec![Fault::Status(503), Fault::Status(503)]).await;
        let response = session.post(server.url()).body("{}").send().await.unwrap();
        assert_eq!(response.status(), 503, "a POST answers with its first status");
        assert_eq!(server.attempts("POST"), 1, "never a second POST");
    });
}

#[test]
fn retries_stop_at_total() {
    run(async {
        let server = Server::start(vec![Fault::Status(502); 10]).await;
        let response = session(3, Duration::from_secs(5))
            .put(server.url())
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 502);
        assert_eq!(server.attempts("PUT"), 4, "one try and three retries");

        let server = Server::start(vec![Fault::Status(404)]).await;
        let response = session(3, Duration::from_secs(5))
            .get(server.url())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
        assert_eq!(server.attempts("GET"), 1, "404 is not in the status list");
    });
}

#[test]
fn retry_after_is_honoured_and_can_be_ignored() {
    run(async {
        let server = Server::start(vec![Fault::RetryAfter(429, 1)]).await;
        let started = Instant::now();
        let response = session(2, Duration::from_secs(5))
            .get(server.url())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(server.attempts("GET"), 2);
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "waited as Retry-After said"
        );

        let server = Server::start(vec![Fault::RetryAfter(429, 5)]).await;
        let ignoring = HttpSession::builder()
            .total_retries(2)
            .backoff_factor(0.01)
            .respect_retry_after(false)
            .build()
            .unwrap();
        let started = Instant::now();
        ignoring.get(server.url()).send().await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(2), "did not wait 5 s");
    });
}

#[test]
fn a_reset_after_sending_is_retried_only_for_idempotent_methods() {
    run(async {
        let server = Server::start(vec![Fault::Reset, Fault::Reset]).await;
        let session = session(3, Duration::from_secs(5));
        assert_eq!(session.get(server.url()).send().await.unwrap().status(), 200);
        assert_eq!(server.attempts("GET"), 3);

        let server = Server::start(vec![Fault::Reset]).await;
        assert!(session.post(server.url()).body("{}").send().await.is_err());
        assert_eq!(
            server.attempts("POST"),
            1,
            "the POST may have been processed: not sent again"
        );
    });
}

#[test]
fn read_timeouts_and_slow_headers_are_retried_for_get_only() {
    run(async {
        let session = session(2, Duration::from_millis(200));
        let server = Server::start(vec![Fault::Hang, Fault::SlowHeaders(Duration::from_millis(600))]).await;
        let started = Instant::now();
        assert_eq!(session.get(server.url()).send().await.unwrap().status(), 200);
        assert_eq!(server.attempts("GET"), 3);
        assert!(started.elapsed() < Duration::from_secs(5));

        let server = Server::start(vec![Fault::Hang]).await;
        let err = session.post(server.url()).body("{}").send().await.unwrap_err();
        assert!(pypwext::http::http_error(err).code() == 504);
        assert_eq!(server.attempts("POST"), 1);
    });
}

#[test]
fn a_truncated_body_fails_the_read_not_the_request() {
    run(async {
        let server = Server::start(vec![Fault::Truncated]).await;
        let response = session(3, Duration::from_secs(2))
            .get(server.url())
            .send()
            .await
            .unwrap();
        assert!(response.text().await.is_err(), "10 of 100 promised bytes");
        assert_eq!(
            server.attempts("GET"),
            1,
            "the status was fine: the middleware had nothing to retry"
        );
    });
}

#[test]
fn no_retry_or_pause_goes_past_the_invocation_deadline() {
    run(async {
        // Always 503, with back-offs that would take seconds.
        let server = Server::start(vec![Fault::Status(503); 50]).await;
        let slow = HttpSession::builder()
            .total_retries(20)
            .backoff_factor(1.0)
            .build()
            .unwrap();
        let deadline = SystemTime::now() + Duration::from_millis(1_500);
        let started = Instant::now();
        let response = Invocation::new("deadline-test")
            .with_deadline(deadline)
            .scope(slow.get(server.url()).send())
            .await
            .unwrap();
        assert_eq!(response.status(), 503, "the last answer, when time runs out");
        assert!(
            started.elapsed() < Duration::from_millis(1_500),
            "stopped in time: {:?}",
            started.elapsed()
        );

        // One attempt that would hang: cut at the deadline (less the margin), not at 30 s.
        let server = Server::start(vec![Fault::Hang]).await;
        let started = Instant::now();
        let err = HttpSession::new()
            .unwrap()
            .get(server.url())
            .with_deadline(SystemTime::now() + Duration::from_millis(500))
            .send()
            .await
            .unwrap_err();
        assert_eq!(pypwext::http::http_error(err).code(), 504);
        assert!(
            started.elapsed() < Duration::from_millis(900),
            "{:?}",
            started.elapsed()
        );
    });
}

#[test]
fn every_attempt_is_signed_afresh() {
    run(async {
        let server = Server::start(vec![Fault::Status(503)]).await;
        let host = "retry.execute-api.eu-west-1.amazonaws.com";
        let session = HttpSession::builder()
            .credentials(pypwext::http::Credentials::new(
                "AKIARETRYTEST0000001",
                "retry-secret",
                None,
            ))
            .resolve(host, server.addr)
            .backoff_factor(0.0)
            .build()
            .unwrap();
        let response = session
            .get(format!("http://{host}:{}/prod/x", server.addr.port()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let log = server.log.lock().unwrap();
        assert_eq!(log.methods.len(), 2);
        // The retry middleware resends the request as it was before signing:
        // a second `Authorization` means the second attempt was signed again.
        assert!(
            log.authorizations
                .iter()
                .all(|a| a.as_deref().is_some_and(|a| a.contains("/execute-api/aws4_request"))),
            "{:?}",
            log.authorizations
        );
    });
}
