//! Streaming bodies of `#[http_method]` calls against a loopback hyper
//! server: an answer read chunk by chunk as it arrives (`HttpStream`), a
//! request body sent as it is produced (`BodyStream`), and no retry of a
//! body that cannot be replayed.
//!
//! "As it arrives" is checked with a hand-shake: the server sends the next
//! part of a body only after the client said it got the last one (and the
//! client produces the next part of an upload only after the server got the
//! last one). A side that held the body whole would wait for ever, which
//! the bounded waits turn into a failure.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{self, StreamExt as _};
use http_body_util::{BodyExt as _, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::TokioIo;
use pypwext::http::{BodyStream, HttpSession, HttpStream};
use pypwext::{PwError, StatusCode, http_method};
use serde::Deserialize;
use tokio::sync::{Notify, mpsc};

/// The longest any one wait of these tests may take.
const WAIT: Duration = Duration::from_secs(10);

type ServerBody = StreamBody<Pin<Box<dyn futures_util::Stream<Item = Result<Frame<Bytes>, std::io::Error>> + Send>>>;

/// Serves `answer` on a free loopback port, each connection on its own task.
async fn serve<F, Fut>(answer: F) -> SocketAddr
where
    F: Fn(hyper::Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = hyper::Response<ServerBody>> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let answer = answer.clone();
                    async move { Ok::<_, Infallible>(answer(request).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// A server body made of the chunks `stream` yields.
fn body_of<S>(stream: S) -> ServerBody
where
    S: futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
{
    StreamBody::new(Box::pin(stream.map(|chunk| chunk.map(Frame::data))))
}

fn text(status: u16, body: &str) -> hyper::Response<ServerBody> {
    let body = Bytes::copy_from_slice(body.as_bytes());
    hyper::Response::builder()
        .status(status)
        .body(body_of(stream::iter([Ok(body)])))
        .unwrap()
}

fn run<F: std::future::Future>(future: F) -> F::Output {
    pypwext_tests::install_global_subscriber();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(60), future)
            .await
            .expect("the test finishes within a minute")
    })
}

/// No back-off: a retry, when there is one, is immediate.
static SESSION: LazyLock<HttpSession> = LazyLock::new(|| {
    HttpSession::builder()
        .backoff_factor(0.0)
        .total_retries(3)
        .build()
        .expect("valid settings")
});

#[http_method(url = "http://127.0.0.1:{port}/download/{what}", session = SESSION)]
async fn download(port: u16, what: &str) -> Result<HttpStream, PwError> {}

#[test]
fn chunks_arrive_in_order_each_before_the_next_is_sent() {
    run(async {
        // The client's "got it" after each chunk; the server waits for it.
        let acks = Arc::new(Notify::new());
        let server_acks = acks.clone();
        let addr = serve(move |_request| {
            let acks = server_acks.clone();
            async move {
                let parts = stream::unfold(0u32, move |n| {
                    let acks = acks.clone();
                    async move {
                        if n == 5 {
                            return None;
                        }
                        if n > 0 && tokio::time::timeout(WAIT, acks.notified()).await.is_err() {
                            let stalled = std::io::Error::other("the client never got the last chunk");
                            return Some((Err(stalled), 5));
                        }
                        Some((Ok(Bytes::from(format!("chunk-{n};"))), n + 1))
                    }
                });
                hyper::Response::new(body_of(parts))
            }
        })
        .await;

        let mut body = download(addr.port(), "parts").await.expect("a 200 stream");
        assert_eq!(body.status(), StatusCode::OK);
        let mut received = String::new();
        let mut chunks = 0;
        while let Some(chunk) = body.chunk().await.expect("every chunk arrives") {
            received.push_str(std::str::from_utf8(&chunk).unwrap());
            chunks += 1;
            acks.notify_one();
            assert!(chunks <= 50, "a bounded number of chunks");
        }
        assert_eq!(received, "chunk-0;chunk-1;chunk-2;chunk-3;chunk-4;");
        assert!(chunks >= 5, "each part came as it was sent: {chunks} chunks");
    });
}

#[test]
fn a_large_body_is_read_in_bounded_memory() {
    const TOTAL: u64 = 128 << 20;
    const PIECE: usize = 64 << 10;
    // The most the server may be ahead of the client: socket buffers and
    // hyper's, not the body.
    const AHEAD: u64 = 32 << 20;
    run(async {
        let sent = Arc::new(AtomicU64::new(0));
        let server_sent = sent.clone();
        let addr = serve(move |_request| {
            let sent = server_sent.clone();
            async move {
                let piece = Bytes::from(vec![7u8; PIECE]);
                let pieces = stream::iter(0..TOTAL / PIECE as u64).map(move |_| {
                    sent.fetch_add(PIECE as u64, Ordering::SeqCst);
                    Ok(piece.clone())
                });
                hyper::Response::new(body_of(pieces))
            }
        })
        .await;

        let mut body = download(addr.port(), "large").await.expect("a 200 stream");
        let (mut received, mut chunks, mut most_ahead) = (0u64, 0u64, 0u64);
        while let Some(chunk) = body.next().await {
            let chunk = chunk.expect("every chunk arrives");
            received += chunk.len() as u64;
            chunks += 1;
            most_ahead = most_ahead.max(sent.load(Ordering::SeqCst).saturating_sub(received));
        }
        assert_eq!(received, TOTAL, "the whole body arrived");
        assert!(chunks > 100, "in many chunks: {chunks}");
        assert!(
            most_ahead <= AHEAD,
            "the body was held, not streamed: the server was {most_ahead} bytes ahead of the reader"
        );
    });
}

#[test]
fn a_failed_stream_is_a_pw_error_with_the_start_of_its_body() {
    run(async {
        let addr = serve(|_request| async { text(404, r#"{"why":"no such export"}"#) }).await;
        let err = download(addr.port(), "missing").await.expect_err("a 404 is an error");
        assert_eq!(err.code(), StatusCode::NOT_FOUND);
        assert_eq!(
            err.details().unwrap()["body"]["why"],
            "no such export",
            "{:?}",
            err.details()
        );
    });
}

#[derive(Debug, Deserialize)]
struct Received {
    bytes: u64,
    checksum: u64,
    parts: u64,
}

/// A checksum that depends on every byte and its order.
fn checksum(state: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(state, |sum, &b| sum.wrapping_mul(31).wrapping_add(u64::from(b)))
}

#[http_method(method = "PUT", url = "http://127.0.0.1:{port}/upload", body = data, session = SESSION)]
async fn upload(port: u16, data: BodyStream) -> Result<Received, PwError> {}

#[test]
fn an_upload_is_sent_as_it_is_produced_and_received_whole() {
    const PARTS: u64 = 64;
    const PIECE: usize = 256 << 10;
    run(async {
        // The server's "got it" after each part; the client waits for it
        // before it produces the next.
        let (got_tx, got_rx) = mpsc::channel::<()>(1);
        let addr = serve(move |request: hyper::Request<Incoming>| {
            let got = got_tx.clone();
            async move {
                let mut body = request.into_body();
                let (mut bytes, mut sum) = (0u64, 0u64);
                while let Some(frame) = body.frame().await {
                    let Ok(frame) = frame else {
                        return text(400, "the upload broke off");
                    };
                    if let Some(data) = frame.data_ref() {
                        let before = bytes / PIECE as u64;
                        bytes += data.len() as u64;
                        sum = checksum(sum, data);
                        for _ in before..bytes / PIECE as u64 {
                            let _ = got.send(()).await;
                        }
                    }
                }
                let parts = bytes / PIECE as u64;
                text(200, &format!(r#"{{"bytes":{bytes},"checksum":{sum},"parts":{parts}}}"#))
            }
        })
        .await;

        let parts = stream::unfold((0u64, got_rx), |(n, mut got)| async move {
            if n == PARTS {
                return None;
            }
            if n > 0 && !matches!(tokio::time::timeout(WAIT, got.recv()).await, Ok(Some(()))) {
                let stalled = std::io::Error::other("the server never got the last part");
                return Some((Err(stalled), (PARTS, got)));
            }
            Some((Ok(Bytes::from(vec![(n % 251) as u8; PIECE])), (n + 1, got)))
        });
        let received = upload(addr.port(), BodyStream::new(parts))
            .await
            .expect("the upload is answered 200");

        let expected = (0..PARTS).fold(0, |sum, n| checksum(sum, &vec![(n % 251) as u8; PIECE]));
        assert_eq!(received.bytes, PARTS * PIECE as u64, "every byte arrived");
        assert_eq!(received.parts, PARTS);
        assert_eq!(received.checksum, expected, "in order");
    });
}

#[http_method(method = "PUT", url = "http://127.0.0.1:{port}/busy", body = data, session = SESSION)]
async fn put_streamed(port: u16, data: BodyStream) -> Result<(), PwError> {}

#[http_method(method = "PUT", url = "http://127.0.0.1:{port}/busy", body = data, session = SESSION)]
async fn put_whole(port: u16, data: &str) -> Result<(), PwError> {}

#[test]
fn a_streamed_body_is_sent_once_and_its_retryable_failure_returned() {
    run(async {
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let addr = serve(move |request: hyper::Request<Incoming>| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                // Read the body, so that the client sees the answer, not a reset.
                let _ = request.into_body().collect().await;
                text(503, r#"{"why":"busy"}"#)
            }
        })
        .await;

        // A body that can be sent again: a PUT that meets a 503 is retried, 3 times.
        let err = put_whole(addr.port(), "note").await.expect_err("503 in the end");
        assert_eq!(err.code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(requests.swap(0, Ordering::SeqCst), 4, "sent once and retried 3 times");

        // A streamed body cannot be: the first 503 is the answer.
        let chunks = stream::iter(["no", "te"].map(|s| Ok::<_, std::io::Error>(Bytes::from_static(s.as_bytes()))));
        let err = put_streamed(addr.port(), BodyStream::new(chunks))
            .await
            .expect_err("the 503, not retried");
        assert_eq!(err.code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(err.details().unwrap()["body"]["why"], "busy");
        assert_eq!(requests.load(Ordering::SeqCst), 1, "a streamed body is sent once");
    });
}

#[http_method(url = "http://127.0.0.1:{port}/teapot", session = SESSION)]
async fn any_status(port: u16, mut response: HttpStream, response_code: StatusCode) -> Result<(u16, String), PwError> {
    let mut text = String::new();
    let mut chunks = 0;
    while let Some(chunk) = response.chunk().await? {
        text.push_str(&String::from_utf8_lossy(&chunk));
        chunks += 1;
        assert!(chunks <= 50, "a bounded number of chunks");
    }
    Ok((response_code.as_u16(), text))
}

#[test]
fn a_response_parameter_streams_the_answer_whatever_its_status() {
    run(async {
        let addr = serve(|_request| async {
            let parts = stream::iter(["short ", "and ", "stout"].map(|s| Ok(Bytes::from_static(s.as_bytes()))));
            hyper::Response::builder().status(418).body(body_of(parts)).unwrap()
        })
        .await;
        let (code, text) = any_status(addr.port())
            .await
            .expect("every status is the body's to see");
        assert_eq!(code, 418);
        assert_eq!(text, "short and stout");
    });
}

#[test]
fn a_large_failed_answer_keeps_only_the_start_of_its_body() {
    run(async {
        let addr = serve(|_request| async {
            let piece = Bytes::from(vec![b'x'; 64 << 10]);
            let pieces = stream::iter(0..64).map(move |_| Ok(piece.clone()));
            hyper::Response::builder().status(500).body(body_of(pieces)).unwrap()
        })
        .await;
        let err = download(addr.port(), "broken").await.expect_err("a 500 is an error");
        assert_eq!(err.code(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = err.details().unwrap()["body"].as_str().unwrap().to_owned();
        assert_eq!(body.len(), 64 << 10, "the first 64 KiB of a 4 MiB body");
    });
}
