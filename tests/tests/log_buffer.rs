//! Log buffering (`BufferConfig`, `flush_buffer`): an invocation's verbose
//! lines are held and written only when it goes wrong, in order, with their
//! own timestamps; the oldest go when the buffer is full, and the flush says
//! how many; nothing is held outside an invocation.

use lambda_http::{Body, RequestExt as _};
use pypwext::lambda::Invocation;
use pypwext::logging::{self, BufferConfig, MemoryWriter, flush_buffer};
use pypwext::{PwError, PwResponse, StatusCode, service_response};
use pypwext_tests::OrderedObject;
use tracing::Level;

fn subscriber(sink: &MemoryWriter, buffer: BufferConfig) -> impl tracing::Subscriber + Send + Sync {
    pypwext_tests::install_global_subscriber();
    logging::builder()
        .service("svc")
        .level(Level::INFO)
        .buffer(buffer)
        .writer(sink.clone())
        .build()
}

fn lines(sink: &MemoryWriter) -> Vec<OrderedObject> {
    sink.lines().iter().map(|line| OrderedObject::parse(line)).collect()
}

fn messages(lines: &[OrderedObject]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            format!(
                "{} {}",
                line.get("level").unwrap().as_str().unwrap(),
                line.get("message").unwrap().as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn held_lines_are_dropped_when_the_invocation_ends_well_and_written_before_an_error() {
    let sink = MemoryWriter::new();
    tracing::subscriber::with_default(subscriber(&sink, BufferConfig::default()), || {
        Invocation::new("req-ok").sync_scope(|| {
            tracing::debug!("ok: held");
            tracing::info!("ok: written");
        });
        Invocation::new("req-failing").sync_scope(|| {
            tracing::debug!("failing: held 1");
            std::thread::sleep(std::time::Duration::from_millis(2));
            tracing::info!("failing: written");
            tracing::debug!("failing: held 2");
            tracing::error!("failing: the error");
            tracing::debug!("failing: held after the flush");
        });
        tracing::debug!("outside: neither held nor written at INFO");
        Invocation::new("req-later").sync_scope(flush_buffer);
    });
    let lines = lines(&sink);
    assert_eq!(
        messages(&lines),
        [
            "INFO ok: written",
            "INFO failing: written",
            "DEBUG failing: held 1",
            "DEBUG failing: held 2",
            "ERROR failing: the error",
        ]
    );
    // Each with its own time: the first held line is older than the line written after it.
    let time = |line: &OrderedObject| line.get("timestamp").unwrap().as_str().unwrap().to_owned();
    assert!(
        time(&lines[2]) < time(&lines[1]),
        "{} vs {}",
        time(&lines[2]),
        time(&lines[1])
    );
    for line in &lines[1..] {
        assert_eq!(line.get("function_request_id").unwrap(), "req-failing");
    }
}

#[test]
fn a_full_buffer_lets_the_oldest_go_and_the_flush_says_how_many() {
    let sink = MemoryWriter::new();
    let buffer = BufferConfig {
        max_bytes: 1000,
        ..BufferConfig::default()
    };
    tracing::subscriber::with_default(subscriber(&sink, buffer), || {
        Invocation::new("req-1").sync_scope(|| {
            for n in 0..20 {
                tracing::debug!(n, "held line");
            }
            tracing::debug!(big = "x".repeat(2000), "longer than the whole buffer: written now");
            flush_buffer();
            flush_buffer();
        });
    });
    let lines = lines(&sink);
    assert_eq!(
        lines[0].get("message").unwrap(),
        "longer than the whole buffer: written now"
    );
    let held: Vec<u64> = lines[1..lines.len() - 1]
        .iter()
        .map(|line| line.get("n").unwrap().as_u64().unwrap())
        .collect();
    assert!(!held.is_empty() && held.len() < 20, "{held:?}");
    let evicted = 20 - held.len() as u64;
    assert_eq!(
        held,
        (evicted..20).collect::<Vec<_>>(),
        "the newest lines, in order: {:#?}",
        sink.lines()
    );
    let warning = lines.last().unwrap();
    assert_eq!(warning.get("level").unwrap(), "WARNING");
    assert_eq!(warning.get("buffer_evicted_lines").unwrap(), evicted);
    assert!(
        warning
            .get("message")
            .unwrap()
            .as_str()
            .unwrap()
            .contains("BufferConfig::max_bytes"),
        "says what to do"
    );
    // Each line ends with '\n'; the sum of the held ones fits the buffer.
    let held_bytes: usize = sink.lines()[1..lines.len() - 1].iter().map(|l| l.len() + 1).sum();
    assert!(held_bytes <= 1000, "{held_bytes}");
}

#[test]
fn without_flush_on_error_only_flush_buffer_writes_and_at_info_holds_info_too() {
    let sink = MemoryWriter::new();
    let buffer = BufferConfig {
        at: Level::INFO,
        flush_on_error: false,
        ..BufferConfig::default()
    };
    tracing::subscriber::with_default(subscriber(&sink, buffer), || {
        Invocation::new("req-1").sync_scope(|| {
            tracing::info!("held info");
            tracing::warn!("written warning");
            tracing::error!("written error, no flush");
            tracing::trace!("never: TRACE is held only with at: TRACE");
            flush_buffer();
        });
    });
    assert_eq!(
        messages(&lines(&sink)),
        [
            "WARNING written warning",
            "ERROR written error, no flush",
            "INFO held info"
        ]
    );
}

#[service_response]
async fn refuse(request: lambda_http::Request) -> Result<PwResponse, PwError> {
    tracing::debug!("working on it");
    if request.uri().path() == "/refused" {
        return Err(PwError::new(StatusCode::NOT_FOUND, "no such order"));
    }
    Ok(PwResponse::ok())
}

#[service_response]
async fn explode() -> Result<PwResponse, PwError> {
    tracing::debug!("about to panic");
    panic!("boom");
}

fn request(path: &str) -> lambda_http::Request {
    let mut context = lambda_runtime::Context::default();
    context.request_id = format!("req{}", path.replace('/', "-"));
    http::Request::builder()
        .uri(format!("https://api.example.com{path}"))
        .body(Body::Empty)
        .unwrap()
        .with_lambda_context(context)
}

#[test]
fn a_failing_or_panicking_handler_flushes_and_a_good_one_does_not() {
    let sink = MemoryWriter::new();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    tracing::subscriber::with_default(subscriber(&sink, BufferConfig::default()), || {
        runtime.block_on(async {
            assert_eq!(refuse(request("/ok")).await.unwrap().status(), 200);
            assert_eq!(refuse(request("/refused")).await.unwrap().status(), 404);
            assert_eq!(explode(request("/panic")).await.unwrap().status(), 500);
        });
    });
    let lines = lines(&sink);
    let held: Vec<&str> = lines
        .iter()
        .filter(|line| line.get("level").unwrap() == "DEBUG")
        .map(|line| line.get("function_request_id").unwrap().as_str().unwrap())
        .collect();
    assert_eq!(held, ["req-refused", "req-panic"], "{:#?}", sink.lines());
}

#[test]
fn concurrent_invocations_hold_and_flush_only_their_own_lines() {
    const INVOCATIONS: usize = 1_000;
    let sink = MemoryWriter::new();
    let _guard = tracing::subscriber::set_default(subscriber(&sink, BufferConfig::default()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dispatch = tracing::dispatcher::get_default(Clone::clone);
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..INVOCATIONS {
            tasks.spawn(tracing::instrument::WithSubscriber::with_subscriber(
                Invocation::new(format!("req-{i}")).scope(async move {
                    logging::append_key("invocation_key", i).unwrap();
                    for step in 0..3 {
                        tokio::task::yield_now().await;
                        tracing::debug!(step, "held");
                    }
                    if i % 2 == 1 {
                        tracing::error!("odd ones fail");
                    }
                }),
                dispatch.clone(),
            ));
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
    });
    let lines = lines(&sink);
    assert_eq!(
        lines.len(),
        INVOCATIONS / 2 * 4,
        "three held lines and the error of each odd one"
    );
    let mut steps_seen = vec![Vec::new(); INVOCATIONS];
    for line in &lines {
        let request_id = line.get("function_request_id").unwrap().as_str().unwrap();
        let i = request_id.trim_start_matches("req-").parse::<usize>().unwrap();
        assert_eq!(line.get("invocation_key").unwrap(), i as u64, "{request_id}");
        assert_eq!(i % 2, 1, "an invocation that did not fail wrote a held line");
        if let Some(step) = line.get("step") {
            steps_seen[i].push(step.as_u64().unwrap());
        }
    }
    for (i, steps) in steps_seen.iter().enumerate().filter(|(i, _)| i % 2 == 1) {
        assert_eq!(steps, &[0, 1, 2], "invocation {i}: its own held lines, in order");
    }
}
