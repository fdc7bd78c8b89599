//! A refused connection is retried for every method, POST included: nothing
//! was sent. Counted from the session's DEBUG `retrying` lines, so this test
//! has a binary of its own: `tracing`'s per-callsite interest is process-wide,
//! and another test's subscriber coming and going on another thread could
//! hide a line from this one's.

use std::time::Duration;

use pypwext::http::HttpSession;
use pypwext::logging::{self, MemoryWriter};

#[test]
fn a_refused_connection_is_retried_for_every_method() {
    pypwext_tests::install_global_subscriber();
    let sink = MemoryWriter::new();
    let subscriber = logging::builder()
        .level(tracing::Level::DEBUG)
        .writer(sink.clone())
        .build();
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            // A port nothing listens on: bind, note, close.
            let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap()
                .local_addr()
                .unwrap();
            let session = HttpSession::builder()
                .total_retries(2)
                .backoff_factor(0.01)
                .timeout(Duration::from_secs(1))
                .build()
                .unwrap();
            let sent = session.post(format!("http://{closed}/")).body("{}").send();
            let err = tokio::time::timeout(Duration::from_secs(20), sent)
                .await
                .expect("bounded")
                .unwrap_err();
            assert_eq!(pypwext::http::http_error(err).code(), 502);
        });
    });
    let retries = sink
        .lines()
        .iter()
        .filter(|l| l.contains("\"message\":\"retrying\""))
        .count();
    assert_eq!(
        retries,
        2,
        "nothing was sent, so even a POST goes again: {:?}",
        sink.lines()
    );
}
