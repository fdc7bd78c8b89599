//! The stack with its X-Ray subsegment written by hand, as a function
//! without pypwext's tracer would send the same document: read the
//! invocation's trace header, time the handler, build the document with
//! `serde_json::json!` and send it as one datagram to the daemon. The
//! end-to-end bench compares `#[traced]` with it (`PYPWEXT_BENCH_TRACER=by-hand`),
//! and it with the untraced stack (`PYPWEXT_BENCH_TRACER=by-hand-floor`): what
//! pypwext costs over the protocol, and what the protocol costs anyone.
//! [`with_pypwext_datagram_only`] sends a fixed datagram of the same size
//! instead (`PYPWEXT_BENCH_TRACER=datagram-floor`): the send alone.

use std::hash::{BuildHasher as _, Hasher as _};
use std::net::UdpSocket;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use lambda_http::{Body, Request, RequestExt as _, Response};
use serde_json::json;

use crate::order_work::with_pypwext;

/// The traced form's subsegment name, so that both send the same document.
const NAME: &str = "## with_pypwext_traced";
const RESPONSE_KEY: &str = "with_pypwext_traced response";

static COLD_START: AtomicBool = AtomicBool::new(true);

/// `with_pypwext`, and its subsegment sent before the response leaves.
pub async fn with_pypwext_xray_by_hand(request: Request) -> Result<Response<Body>, lambda_http::Error> {
    let header = request
        .lambda_context_ref()
        .and_then(|context| context.xray_trace_id.clone());
    let start = epoch_seconds();
    let response = with_pypwext(request).await?;
    let cold_start = COLD_START.swap(false, Ordering::Relaxed);
    if let Some(header) = header {
        send(&header, start, cold_start, &response);
    }
    Ok(response)
}

/// `with_pypwext`, and one fixed datagram the size of its subsegment sent
/// before the response leaves: no header read, no document built.
pub async fn with_pypwext_datagram_only(request: Request) -> Result<Response<Body>, lambda_http::Error> {
    /// A subsegment as the traced form sends it (482 bytes with the frame).
    const DATAGRAM: &[u8] = br###"{"format":"json","version":1}
{"type":"subsegment","id":"92ce88fe6ecb7ca3","trace_id":"1-6741a000-0000000000000000000005db","parent_id":"b0000000000005db","name":"## with_pypwext_traced","start_time":1796580074.730157,"end_time":1796580074.730475,"annotations":{"ColdStart":false,"Service":"order-service"},"metadata":{"order-service":{"with_pypwext_traced response":{"status":201,"headers":{"content-type":"application/json"},"body":"{\"customer\":\"ada\",\"total_cents\":150}"}}}}"###;
    let response = with_pypwext(request).await?;
    if let Some(socket) = daemon() {
        let _ = socket.send(DATAGRAM);
    }
    Ok(response)
}

fn send(header: &str, start: f64, cold_start: bool, response: &Response<Body>) {
    let (mut root, mut parent, mut sampled) = (None, None, false);
    for field in header.split(';') {
        match field.split_once('=') {
            Some(("Root", value)) => root = Some(value),
            Some(("Parent", value)) => parent = Some(value),
            Some(("Sampled", value)) => sampled = value == "1",
            _ => {}
        }
    }
    let (Some(root), Some(parent), true) = (root, parent, sampled) else {
        return;
    };
    let headers: serde_json::Map<String, serde_json::Value> = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().into()))
        .collect();
    let body = match response.body() {
        Body::Text(text) => text.as_str(),
        _ => "",
    };
    let service = service();
    let document = json!({
        "type": "subsegment",
        "id": format!("{:016x}", random_u64()),
        "trace_id": root,
        "parent_id": parent,
        "name": NAME,
        "start_time": start,
        "end_time": epoch_seconds(),
        "annotations": {"ColdStart": cold_start, "Service": service},
        "metadata": {service: {RESPONSE_KEY: {
            "status": response.status().as_u16(),
            "headers": headers,
            "body": body,
        }}},
    });
    let mut datagram = b"{\"format\":\"json\",\"version\":1}\n".to_vec();
    if serde_json::to_writer(&mut datagram, &document).is_ok()
        && let Some(socket) = daemon()
    {
        let _ = socket.send(&datagram);
    }
}

/// A socket connected to `AWS_XRAY_DAEMON_ADDRESS`, made at the first send.
fn daemon() -> Option<&'static UdpSocket> {
    static SOCKET: OnceLock<Option<UdpSocket>> = OnceLock::new();
    SOCKET
        .get_or_init(|| {
            let address = std::env::var("AWS_XRAY_DAEMON_ADDRESS").ok()?;
            let socket = UdpSocket::bind("127.0.0.1:0").ok()?;
            socket.connect(address).ok()?;
            Some(socket)
        })
        .as_ref()
}

fn service() -> &'static str {
    static SERVICE: OnceLock<String> = OnceLock::new();
    SERVICE.get_or_init(|| std::env::var("POWERTOOLS_SERVICE_NAME").unwrap_or_else(|_| "service_undefined".to_owned()))
}

fn epoch_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_micros() as f64 / 1e6)
}

fn random_u64() -> u64 {
    std::collections::hash_map::RandomState::new().build_hasher().finish()
}
