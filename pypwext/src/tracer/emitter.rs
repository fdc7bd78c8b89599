//! Sends documents to the X-Ray daemon: one UDP datagram each, in the
//! daemon's framing (`{"format":"json","version":1}`, a newline, the
//! document), as the X-Ray SDKs send them. A send is one `send_to` on a
//! socket of the process: a few microseconds, done when the call ends, so
//! nothing is left to send after the response (Lambda may freeze the process
//! right after it).

use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};

use super::document::Document;
use crate::log_target::TRACER as TARGET;

/// What precedes every document in a datagram.
const HEADER: &[u8] = b"{\"format\":\"json\",\"version\":1}\n";

/// The largest datagram sent: the daemon takes segment documents of up to
/// 64 kB.
pub(crate) const MAX_DATAGRAM_BYTES: usize = 64 * 1000;

/// A socket and the daemon's address.
#[derive(Debug)]
pub(crate) struct Emitter {
    socket: UdpSocket,
    daemon: SocketAddr,
    /// Whether a failed send was reported at WARNING already (later ones go
    /// to DEBUG: a daemon that is down would otherwise flood the log).
    warned: AtomicBool,
}

impl Emitter {
    /// An emitter for the daemon at `address` (`host:port`), resolved now.
    pub(crate) fn new(address: &str) -> Result<Emitter, String> {
        let daemon = address
            .to_socket_addrs()
            .map_err(|err| err.to_string())?
            .next()
            .ok_or_else(|| "the name resolves to no address".to_owned())?;
        let local: SocketAddr = if daemon.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(local).map_err(|err| err.to_string())?;
        // Connected once: a send skips `send_to`'s route lookup (about 3 µs
        // of 8 on loopback across CPUs), and a daemon that is not listening
        // shows as a send error.
        socket.connect(daemon).map_err(|err| err.to_string())?;
        Ok(Emitter {
            socket,
            daemon,
            warned: AtomicBool::new(false),
        })
    }

    /// Sends one document; see [`datagram`] for one that is too big.
    pub(crate) fn send(&self, document: &Document) {
        let Some(bytes) = datagram(document) else { return };
        if let Err(err) = self.socket.send(&bytes) {
            if self.warned.swap(true, Ordering::Relaxed) {
                tracing::debug!(target: TARGET, "a subsegment was not sent to the X-Ray daemon at {}: {err}", self.daemon);
            } else {
                tracing::warn!(
                    target: TARGET,
                    "a subsegment was not sent to the X-Ray daemon at {}: {err}; check AWS_XRAY_DAEMON_ADDRESS (later failures are logged at DEBUG)",
                    self.daemon
                );
            }
        }
    }
}

/// The datagram of one document. A document too big for one datagram is
/// sent without its metadata, with one WARNING line that says so; one still
/// too big is not sent, with a WARNING line: a document is never cut.
pub(crate) fn datagram(document: &Document) -> Option<Vec<u8>> {
    let bytes = frame(document);
    if bytes.len() <= MAX_DATAGRAM_BYTES {
        return Some(bytes);
    }
    let mut lighter = document.clone();
    lighter.metadata = Default::default();
    let smaller = frame(&lighter);
    if smaller.len() <= MAX_DATAGRAM_BYTES {
        tracing::warn!(
            target: TARGET,
            "the subsegment {:?} was sent without its metadata: with it, it took {} bytes, over the X-Ray daemon's {MAX_DATAGRAM_BYTES}; put less in pypwext::tracer::put_metadata or turn off capture_response",
            document.name,
            bytes.len()
        );
        return Some(smaller);
    }
    tracing::warn!(
        target: TARGET,
        "the subsegment {:?} was not sent: it takes {} bytes even without its metadata, over the X-Ray daemon's {MAX_DATAGRAM_BYTES}; put shorter values in its annotations",
        document.name,
        smaller.len()
    );
    None
}

fn frame(document: &Document) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(512);
    bytes.extend_from_slice(HEADER);
    // A document is plain data with string keys: serializing it cannot fail.
    let _ = serde_json::to_writer(&mut bytes, document);
    bytes
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;

    fn document() -> Document {
        Document::start("1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8", "## f".into())
    }

    fn daemon() -> (UdpSocket, Emitter) {
        let daemon = UdpSocket::bind("127.0.0.1:0").unwrap();
        daemon.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let emitter = Emitter::new(&daemon.local_addr().unwrap().to_string()).unwrap();
        (daemon, emitter)
    }

    fn receive(daemon: &UdpSocket) -> Vec<u8> {
        let mut buf = vec![0; 70_000];
        let (len, _) = daemon.recv_from(&mut buf).unwrap();
        buf.truncate(len);
        buf
    }

    #[test]
    fn a_document_arrives_in_the_daemon_s_framing() {
        let (daemon, emitter) = daemon();
        let mut doc = document();
        doc.end_time = Some(doc.start_time + 1.0);
        emitter.send(&doc);
        let bytes = receive(&daemon);
        let text = String::from_utf8(bytes).unwrap();
        let (header, body) = text.split_once('\n').unwrap();
        assert_eq!(header, r#"{"format":"json","version":1}"#);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(body).unwrap(),
            serde_json::to_value(&doc).unwrap()
        );
    }

    #[test]
    fn a_document_over_64_kb_loses_its_metadata_with_a_warning_and_is_never_cut() {
        let sink = crate::logging::MemoryWriter::new();
        let logger = crate::logging::builder().writer(sink.clone()).build();
        let (daemon, emitter) = daemon();
        let mut doc = document();
        doc.annotations.insert("kept".into(), json!("yes"));
        let big = serde_json::value::to_raw_value(&"x".repeat(70_000)).unwrap();
        doc.metadata.put("svc", "big", big);
        tracing::subscriber::with_default(logger, || emitter.send(&doc));
        let bytes = receive(&daemon);
        assert!(bytes.len() <= MAX_DATAGRAM_BYTES);
        let body: serde_json::Value = serde_json::from_slice(&bytes[HEADER.len()..]).unwrap();
        assert_eq!(body["annotations"], json!({"kept": "yes"}));
        assert!(body.get("metadata").is_none(), "{body}");
        let lines = sink.lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        let line: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(line["level"], "WARNING");
        assert!(
            line["message"]
                .as_str()
                .unwrap()
                .contains("was sent without its metadata"),
            "{line}"
        );

        // Too big without metadata too: not sent, said so.
        let mut huge = document();
        huge.annotations.insert("big".into(), json!("y".repeat(70_000)));
        let sink = crate::logging::MemoryWriter::new();
        let logger = crate::logging::builder().writer(sink.clone()).build();
        assert_eq!(tracing::subscriber::with_default(logger, || datagram(&huge)), None);
        assert!(sink.lines()[0].contains("was not sent"), "{:?}", sink.lines());
    }

    #[test]
    fn an_address_that_does_not_resolve_is_an_error() {
        assert!(Emitter::new("no-such-host.invalid:2000").is_err());
    }
}
