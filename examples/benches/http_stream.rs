//! Streaming bodies in bounded memory: 1 GiB from a loopback server through
//! an `#[http_method]` call returning `HttpStream`, each chunk fed to SHA-256
//! and dropped; then 1 GiB the other way, a `BodyStream` upload the server
//! hashes. Prints the time, the throughput and the peak RSS growth of the
//! process over its level before the transfer (`VmHWM` after resetting it
//! through `/proc/self/clear_refs`, and the highest `VmRSS` sampled while
//! the bytes move). The server runs in the same process, so the growth
//! counts both ends. Goal: at most 64 MiB; the bench exits with 1 when a
//! transfer misses it or a digest is wrong. A control transfer of 256 MiB
//! whose reader keeps every chunk shows that the meter sees a body held
//! whole.
//!
//! Run with `cargo bench -p pypwext-examples --bench http_stream`
//! (`PYPWEXT_BENCH_STREAM_MIB` moves another amount).

use std::convert::Infallible;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt as _;
use futures_util::stream;
use http_body_util::{BodyExt as _, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::TokioIo;
use pypwext::http::{BodyStream, HttpSession, HttpStream};
use pypwext::{PwError, http_method};
use sha2::{Digest as _, Sha256};

/// The pieces the server sends and the client uploads.
const PIECE: usize = 64 << 10;
/// The goal for the peak RSS growth.
const GOAL: u64 = 64 << 20;
/// The size of the control transfer, whose reader holds the body.
const CONTROL: u64 = 256 << 20;

type ServerBody = StreamBody<Pin<Box<dyn futures_util::Stream<Item = Result<Frame<Bytes>, Infallible>> + Send>>>;

/// One piece of the pattern every transfer repeats: not all one byte, so
/// that a digest notices a chunk out of place.
fn piece() -> Bytes {
    Bytes::from((0..PIECE).map(|i| (i % 251) as u8).collect::<Vec<u8>>())
}

/// The SHA-256 of `pieces` times the pattern, computed here.
fn expected_digest(pieces: u64) -> Vec<u8> {
    let piece = piece();
    let mut hasher = Sha256::new();
    for _ in 0..pieces {
        hasher.update(&piece);
    }
    hasher.finalize().to_vec()
}

/// `GET /bytes/<pieces>` streams the pattern that many times; `PUT /hash`
/// hashes the body it receives, chunk by chunk, and answers the hex digest.
async fn answer(request: hyper::Request<Incoming>) -> Result<hyper::Response<ServerBody>, Infallible> {
    let reply = |bytes: Bytes| -> ServerBody { StreamBody::new(Box::pin(stream::iter([Ok(Frame::data(bytes))]))) };
    if let Some(pieces) = request.uri().path().strip_prefix("/bytes/") {
        let pieces: u64 = pieces.parse().unwrap_or(0);
        let piece = piece();
        let body: ServerBody = StreamBody::new(Box::pin(
            stream::iter(0..pieces).map(move |_| Ok(Frame::data(piece.clone()))),
        ));
        return Ok(hyper::Response::new(body));
    }
    let mut body = request.into_body();
    let mut hasher = Sha256::new();
    while let Some(Ok(frame)) = body.frame().await {
        if let Some(data) = frame.data_ref() {
            hasher.update(data);
        }
    }
    Ok(hyper::Response::new(reply(Bytes::from(hex(&hasher.finalize())))))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

static SESSION: LazyLock<HttpSession> = LazyLock::new(|| {
    HttpSession::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap_or_else(|err| panic!("{err}"))
});

#[http_method(url = "http://127.0.0.1:{port}/bytes/{pieces}", session = SESSION)]
async fn download(port: u16, pieces: u64) -> Result<HttpStream, PwError> {}

#[http_method(method = "PUT", url = "http://127.0.0.1:{port}/hash", body = data, session = SESSION)]
async fn upload(port: u16, data: BodyStream) -> Result<String, PwError> {}

/// A value of `/proc/self/status` in bytes (`VmRSS`, `VmHWM`).
fn status_bytes(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

/// Resets `VmHWM` to the current RSS; false where the kernel does not let it.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// What one transfer measured.
struct Measured {
    seconds: f64,
    chunks: u64,
    largest_chunk: usize,
    growth: u64,
    digest_ok: bool,
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}

/// `hold`: keep every chunk until the end, as a reader that collects the
/// body would; the control that shows the meter sees a body held whole.
async fn measure_download(port: u16, pieces: u64, expected: &[u8], hold: bool) -> Result<Measured, PwError> {
    let baseline = status_bytes("VmRSS");
    let peak_reset = reset_peak();
    let started = Instant::now();
    let mut body = download(port, pieces).await?;
    let mut hasher = Sha256::new();
    let (mut chunks, mut largest_chunk, mut sampled) = (0u64, 0usize, baseline);
    let mut held = Vec::new();
    while let Some(chunk) = body.chunk().await? {
        hasher.update(&chunk);
        if hold {
            held.push(chunk.clone());
        }
        chunks += 1;
        largest_chunk = largest_chunk.max(chunk.len());
        if chunks.is_multiple_of(256) {
            sampled = sampled.max(status_bytes("VmRSS"));
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let peak = if peak_reset { status_bytes("VmHWM") } else { 0 }.max(sampled);
    drop(held);
    Ok(Measured {
        seconds,
        chunks,
        largest_chunk,
        growth: peak.saturating_sub(baseline),
        digest_ok: hasher.finalize().as_slice() == expected,
    })
}

async fn measure_upload(port: u16, pieces: u64, expected: &[u8]) -> Result<Measured, PwError> {
    let baseline = status_bytes("VmRSS");
    let peak_reset = reset_peak();
    let started = Instant::now();
    let piece = piece();
    let sampled = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(baseline));
    let sampler = sampled.clone();
    let parts = stream::iter(0..pieces).map(move |n| {
        if n % 256 == 0 {
            sampler.fetch_max(status_bytes("VmRSS"), std::sync::atomic::Ordering::Relaxed);
        }
        Ok::<_, Infallible>(piece.clone())
    });
    let digest = upload(port, BodyStream::new(parts)).await?;
    let seconds = started.elapsed().as_secs_f64();
    let sampled = sampled.load(std::sync::atomic::Ordering::Relaxed);
    let peak = if peak_reset { status_bytes("VmHWM") } else { 0 }.max(sampled);
    Ok(Measured {
        seconds,
        chunks: pieces,
        largest_chunk: PIECE,
        growth: peak.saturating_sub(baseline),
        digest_ok: digest == hex(expected),
    })
}

fn report(what: &str, bytes: u64, m: &Measured) -> bool {
    let met = m.growth <= GOAL && m.digest_ok;
    println!(
        "{what:<9} {:>7.0} MiB in {:>6.2} s  {:>7.0} MiB/s  {:>6} chunks (largest {:>6} B)  peak RSS growth {:>6.1} MiB (goal <= {:.0} MiB: {})  sha-256 {}",
        mib(bytes),
        m.seconds,
        mib(bytes) / m.seconds,
        m.chunks,
        m.largest_chunk,
        mib(m.growth),
        mib(GOAL),
        if m.growth <= GOAL { "met" } else { "NOT MET" },
        if m.digest_ok { "ok" } else { "WRONG" },
    );
    met
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; nothing to parse.
    let total_mib: u64 = std::env::var("PYPWEXT_BENCH_STREAM_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let pieces = total_mib * (1 << 20) / PIECE as u64;
    let bytes = pieces * PIECE as u64;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|err| panic!("a tokio runtime: {err}"));
    let expected = expected_digest(pieces);
    let outcome = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|err| PwError::new(pypwext::StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?;
        let port = listener
            .local_addr()
            .map_err(|err| PwError::new(pypwext::StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?
            .port();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), hyper::service::service_fn(answer)),
                );
            }
        });
        // Warm up: the connection, the session, the allocator's first arenas.
        let warm = 256;
        measure_download(port, warm, &expected_digest(warm), false).await?;
        measure_upload(port, warm, &expected_digest(warm)).await?;
        let down = measure_download(port, pieces, &expected, false).await?;
        let up = measure_upload(port, pieces, &expected).await?;
        let control_pieces = pieces.min(CONTROL / PIECE as u64);
        let control = measure_download(port, control_pieces, &expected_digest(control_pieces), true).await?;
        Ok::<_, PwError>((down, up, control, control_pieces * PIECE as u64))
    });
    match outcome {
        Ok((down, up, control, control_bytes)) => {
            let down_met = report("download", bytes, &down);
            let up_met = report("upload", bytes, &up);
            println!(
                "control: a download of {:.0} MiB whose reader keeps every chunk grows the RSS by {:.1} MiB (the meter sees a body held whole)",
                mib(control_bytes),
                mib(control.growth)
            );
            if down_met && up_met {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(err) => {
            eprintln!("http_stream bench: {err}");
            ExitCode::FAILURE
        }
    }
}
