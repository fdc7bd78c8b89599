//! No value climbs out of the path a `#[http_method]` template names: for a
//! placeholder first, in the middle and last in the path, the path a
//! loopback server sees starts with the template's literal prefix and has
//! the template's number of segments, whatever the value (proptest); a value
//! that is `.` or `..` once decoded is a 400 before anything is sent.

use std::cell::Cell;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use pypwext::{HttpSession, PwError, StatusCode, http_method};
use tokio::io::AsyncWriteExt as _;

/// Answers every request with the request-target it saw; counts requests.
async fn path_echo() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    pypwext_tests::serve_each_request(listener, move |request, mut stream| {
        counter.fetch_add(1, Ordering::SeqCst);
        async move {
            let body = request.target;
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    (addr, count)
}

static QUICK: LazyLock<HttpSession> = LazyLock::new(|| {
    HttpSession::builder()
        .total_retries(0)
        .build()
        .expect("a session with valid settings")
});

#[http_method(url = "http://127.0.0.1:{port}/{id}/b/c", session = QUICK)]
async fn first(port: u16, id: &str) -> Result<String, PwError> {}

#[http_method(url = "http://127.0.0.1:{port}/a/{id}/c", session = QUICK)]
async fn middle(port: u16, id: &str) -> Result<String, PwError> {}

#[http_method(url = "http://127.0.0.1:{port}/a/b/{id}", session = QUICK)]
async fn last(port: u16, id: &str) -> Result<String, PwError> {}

/// The placeholder's position: the template's literal prefix, and the call.
#[derive(Debug, Clone, Copy)]
enum Position {
    First,
    Middle,
    Last,
}

impl Position {
    const ALL: [Position; 3] = [Position::First, Position::Middle, Position::Last];

    fn prefix(self) -> &'static str {
        match self {
            Position::First => "/",
            Position::Middle => "/a/",
            Position::Last => "/a/b/",
        }
    }

    /// The placeholder's segment in `path.split('/')` (the first is empty).
    fn segment(self) -> usize {
        match self {
            Position::First => 1,
            Position::Middle => 2,
            Position::Last => 3,
        }
    }

    async fn call(self, port: u16, id: &str) -> Result<String, PwError> {
        let call = async {
            match self {
                Position::First => first(port, id).await,
                Position::Middle => middle(port, id).await,
                Position::Last => last(port, id).await,
            }
        };
        tokio::time::timeout(Duration::from_secs(10), call)
            .await
            .expect("a loopback call answers within 10 s")
    }
}

/// Every template above has three segments: `/x/y/z`.
const SEGMENTS: usize = 3;

fn runtime() -> tokio::runtime::Runtime {
    pypwext_tests::install_global_subscriber();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Values built from the pieces that could change a path (dots in every
/// spelling, slashes, `%`, `?`, `#`, backslashes), mixed with any text.
fn values() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        ".", "..", "%2e", "%2E", "%252e", "%", "%%", "%2f", "%2F", "%5c", "/", "\\", "?", "#", ";", "&", "=", "a", "é",
        " ", "~", "\t", "\0", "%00",
    ]);
    prop_oneof![
        prop::collection::vec(token, 0..5).prop_map(|tokens| tokens.concat()),
        any::<String>(),
    ]
}

#[test]
fn no_value_leaves_the_template_path() {
    let runtime = runtime();
    let (addr, count) = runtime.block_on(path_echo());
    let mut runner = TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    });
    let (sent, refused) = (Cell::new(0usize), Cell::new(0usize));
    for position in Position::ALL {
        runner
            .run(&values(), |value| {
                let before = count.load(Ordering::SeqCst);
                match runtime.block_on(position.call(addr.port(), &value)) {
                    Ok(path) => {
                        sent.set(sent.get() + 1);
                        prop_assert!(
                            path.starts_with(position.prefix()),
                            "{position:?} {value:?}: the server saw {path}"
                        );
                        prop_assert_eq!(
                            path.split('/').count(),
                            SEGMENTS + 1,
                            "{:?} {:?}: the server saw {}",
                            position,
                            value,
                            path
                        );
                        prop_assert!(!path.contains(['?', '#']), "{position:?} {value:?}: {path}");
                        // The value is that one segment, as data.
                        let segment = path.split('/').nth(position.segment()).unwrap_or_default();
                        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
                        prop_assert_eq!(
                            decoded.as_ref(),
                            value.as_str(),
                            "{:?}: the server saw {}",
                            position,
                            path
                        );
                    }
                    Err(err) => {
                        refused.set(refused.get() + 1);
                        prop_assert_eq!(
                            err.code(),
                            StatusCode::BAD_REQUEST,
                            "{:?} {:?}: {}",
                            position,
                            value,
                            err
                        );
                        prop_assert_eq!(count.load(Ordering::SeqCst), before, "refused, so nothing was sent");
                        // Only a dot, however spelled, is refused: a value
                        // without `.` and `%` always goes through.
                        prop_assert!(value.contains(['.', '%']), "{position:?} {value:?}: {err}");
                    }
                }
                Ok(())
            })
            .unwrap();
    }
    // The generator reaches both outcomes: the property is not vacuous.
    let (sent, refused) = (sent.get(), refused.get());
    assert!(sent > 0 && refused > 0, "sent {sent}, refused {refused}");
}

#[test]
fn dot_segments_are_refused_at_every_position_before_sending() {
    let runtime = runtime();
    let (addr, count) = runtime.block_on(path_echo());
    for position in Position::ALL {
        for value in [".", "..", "%2e", "%2E%2e", ".%2E", "%2e.", "%252E"] {
            let err = runtime.block_on(position.call(addr.port(), value)).unwrap_err();
            assert_eq!(err.code(), StatusCode::BAD_REQUEST, "{position:?} {value}");
            assert!(
                err.message()
                    .contains("the value of `id` cannot stand in a path segment: `.` and `..`"),
                "{position:?} {value}: {}",
                err.message()
            );
        }
        // Dots that are not the whole segment stay data.
        for value in ["...", ".a", "a..", "%2e%2e%2e"] {
            let path = runtime.block_on(position.call(addr.port(), value)).unwrap();
            assert!(path.starts_with(position.prefix()), "{position:?} {value}: {path}");
        }
    }
    assert_eq!(
        count.load(Ordering::SeqCst),
        3 * 4,
        "only the calls that were not refused were sent"
    );
}
