//! The Powertools JSON line: keys, order, values, escaping, invocation keys.

use pypwext::lambda::Invocation;
use pypwext::logging::{self, MemoryWriter};
use pypwext::{ErrorAction, ErrorCollector, InfoClassification, PwError, StatusCode, collect_errors};
use pypwext_tests::{OrderedObject, is_powertools_timestamp};

/// The 1-based line of this file on which `needle` first appears.
fn line_of(needle: &str) -> usize {
    include_str!("log_line.rs")
        .lines()
        .position(|l| l.contains(needle))
        .unwrap()
        + 1
}

fn capture(level: tracing::Level, f: impl FnOnce()) -> Vec<OrderedObject> {
    pypwext_tests::capture(level, f).1
}

#[test]
fn a_plain_event_has_the_envelope_then_its_fields() {
    let event_line = line!() + 2;
    let lines = capture(tracing::Level::INFO, || {
        tracing::info!(
            order_id = 42,
            customer = "alice",
            paid = true,
            ratio = 0.5,
            "order accepted"
        );
    });
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(
        line.keys(),
        [
            "level",
            "location",
            "message",
            "timestamp",
            "service",
            "order_id",
            "customer",
            "paid",
            "ratio"
        ]
    );
    assert_eq!(line.get("level").unwrap(), "INFO");
    assert_eq!(line.get("message").unwrap(), "order accepted");
    assert_eq!(line.get("service").unwrap(), "svc");
    assert_eq!(line.get("order_id").unwrap(), 42);
    assert_eq!(line.get("paid").unwrap(), true);
    assert_eq!(line.get("ratio").unwrap(), 0.5);
    let timestamp = line.get("timestamp").unwrap().as_str().unwrap();
    assert!(is_powertools_timestamp(timestamp), "{timestamp}");
    let location = line.get("location").unwrap().as_str().unwrap();
    assert_eq!(location, format!("log_line:{event_line}"));
}

#[test]
fn level_names_are_powertools_names() {
    let lines = capture(tracing::Level::TRACE, || {
        tracing::trace!("t");
        tracing::debug!("d");
        tracing::info!("i");
        tracing::warn!("w");
        tracing::error!("e");
    });
    let levels: Vec<&str> = lines
        .iter()
        .map(|l| l.get("level").unwrap().as_str().unwrap())
        .collect();
    assert_eq!(levels, ["VERBOSE", "DEBUG", "INFO", "WARNING", "ERROR"]);
}

#[test]
fn fields_never_leak_into_the_next_line() {
    let lines = capture(tracing::Level::INFO, || {
        tracing::info!(secret = "s3cr3t", classification = "PII", "first");
        tracing::info!("second");
    });
    assert_eq!(
        lines[1].keys(),
        ["level", "location", "message", "timestamp", "service"]
    );
    assert_eq!(lines[0].get("classification").unwrap(), "PII");
}

#[test]
fn special_fields_take_their_place_and_defaults_are_left_out() {
    let lines = capture(tracing::Level::INFO, || {
        tracing::info!(
            extra = 1,
            operation = "create-offer",
            log_type = "AUDIT",
            classification = "PII",
            "audited"
        );
        tracing::info!(classification = "NA", log_type = "STD", "plain");
        tracing::info!(service = "forged", cold_start = true, "clash");
    });
    assert_eq!(
        lines[0].keys(),
        [
            "level",
            "location",
            "message",
            "timestamp",
            "service",
            "classification",
            "type",
            "operation",
            "extra"
        ]
    );
    assert_eq!(lines[0].get("type").unwrap(), "AUDIT");
    assert_eq!(
        lines[1].keys(),
        ["level", "location", "message", "timestamp", "service"]
    );
    assert_eq!(
        lines[2].get("service").unwrap(),
        "svc",
        "an event cannot overwrite the envelope"
    );
    assert_eq!(lines[2].get("event_service").unwrap(), "forged");
    assert_eq!(lines[2].get("event_cold_start").unwrap(), true);
}

#[test]
fn values_cannot_break_or_forge_a_line() {
    pypwext_tests::install_global_subscriber();
    let evil = "x\"}\n{\"level\":\"ERROR\",\"message\":\"forged\"}\r\n";
    let sink = MemoryWriter::new();
    let subscriber = logging::builder().service("svc\n").writer(sink.clone()).build();
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(field = evil, debug = ?evil, "msg {evil}");
    });
    let lines = sink.lines();
    assert_eq!(lines.len(), 1, "one event, one line: {lines:?}");
    let line = OrderedObject::parse(&lines[0]);
    assert_eq!(line.get("field").unwrap(), evil);
    assert_eq!(line.get("debug").unwrap().as_str().unwrap(), format!("{evil:?}"));
    assert_eq!(line.get("message").unwrap().as_str().unwrap(), format!("msg {evil}"));
    assert_eq!(line.get("service").unwrap(), "svc\n");
    assert_eq!(line.get("level").unwrap(), "INFO");
}

/// Quotes, braces, backslashes and newlines: a value that, written unescaped,
/// would close the line and forge a second one.
const FORGERY: &str = "x\"},\"level\":\"ERROR\",\"message\":\"forged\"}\n{\"level\":\"CRITICAL\",\"x\":\"\\\"}\r\n\\";

struct Forgery;

impl std::fmt::Display for Forgery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(FORGERY)
    }
}

#[test]
fn no_field_name_lets_a_value_through_unescaped() {
    pypwext_tests::install_global_subscriber();
    let sink = MemoryWriter::new();
    let subscriber = logging::builder().service("svc").writer(sink.clone()).build();
    tracing::subscriber::with_default(subscriber, || {
        // `pypwext.message` is pypwext's own raw-JSON channel: from user code
        // it is an ordinary field like any other.
        tracing::info!(
            pypwext.message = %Forgery,
            message = %Forgery,
            level = %Forgery,
            location = %Forgery,
            classification = %Forgery,
            timestamp = %Forgery,
            service = %Forgery,
            cold_start = %Forgery,
            exception = %Forgery,
        );
        tracing::warn!(pypwext.message = ?FORGERY, "with a debug value");
    });
    let lines = sink.lines();
    assert_eq!(lines.len(), 2, "two events, two lines: {lines:?}");
    let line = OrderedObject::parse(&lines[0]);
    assert_eq!(
        line.keys(),
        [
            "level",
            "location",
            "message",
            "timestamp",
            "service",
            "classification",
            "exception",
            "pypwext.message",
            "event_level",
            "event_timestamp",
            "event_service",
            "event_cold_start"
        ]
    );
    assert_eq!(line.get("level").unwrap(), "INFO");
    assert_eq!(line.get("service").unwrap(), "svc");
    let timestamp = line.get("timestamp").unwrap().as_str().unwrap();
    assert!(is_powertools_timestamp(timestamp), "{timestamp}");
    for key in [
        "message",
        "location",
        "classification",
        "exception",
        "pypwext.message",
        "event_level",
        "event_timestamp",
        "event_service",
        "event_cold_start",
    ] {
        assert_eq!(line.get(key).unwrap(), FORGERY, "{key}");
    }
    let line = OrderedObject::parse(&lines[1]);
    assert_eq!(line.get("level").unwrap(), "WARNING");
    assert_eq!(line.get("message").unwrap(), "with a debug value");
    assert_eq!(
        line.get("pypwext.message").unwrap().as_str().unwrap(),
        format!("{FORGERY:?}")
    );
}

#[pypwext::logged(level = "info")]
fn greet(name: &str) -> String {
    format!("hello {name}")
}

#[test]
fn pypwext_own_messages_are_still_objects() {
    let lines = capture(tracing::Level::INFO, || {
        greet(FORGERY);
    });
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0].get("message").unwrap(),
        &serde_json::json!({"msg": "Entering greet", "args": {"name": FORGERY}})
    );
    assert_eq!(
        lines[1].get("message").unwrap(),
        &serde_json::json!({"msg": "Exiting greet", "return": format!("hello {FORGERY}")})
    );
}

#[test]
fn errors_are_written_with_their_sources() {
    let err =
        PwError::new(StatusCode::BAD_GATEWAY, "order store failed").with_source(std::io::Error::other("timed out"));
    let lines = capture(tracing::Level::INFO, || {
        tracing::error!(error = &err as &(dyn std::error::Error + 'static), "failed");
    });
    assert_eq!(lines[0].get("error").unwrap(), "order store failed: timed out");
}

#[test]
fn invocation_keys_are_on_every_line_of_the_invocation() {
    let lines = capture(tracing::Level::INFO, || {
        Invocation::new("req-1")
            .with_function(
                "order-service",
                256,
                "arn:aws:lambda:eu-west-1:1:function:order-service",
            )
            .with_correlation_id("corr-9")
            .with_xray_trace_id("Root=1-5759e988-bd862e3fe1be46a994272793")
            .sync_scope(|| {
                tracing::info!(n = 1, "inside");
            });
        tracing::info!("outside");
    });
    let mut expected = pypwext_tests::INVOCATION_LINE_KEYS.to_vec();
    expected.push("n");
    assert_eq!(lines[0].keys(), expected);
    assert_eq!(lines[0].get("function_request_id").unwrap(), "req-1");
    assert_eq!(lines[0].get("function_memory_size").unwrap(), 256);
    assert!(lines[0].get("tenant_id").is_none(), "no tenant, no key");
    // The root id, as Powertools writes it, not the whole header.
    assert_eq!(
        lines[0].get("xray_trace_id").unwrap(),
        "1-5759e988-bd862e3fe1be46a994272793"
    );
    assert_eq!(
        lines[1].keys(),
        ["level", "location", "message", "timestamp", "service"]
    );
}

#[collect_errors]
fn fails_on(flag: bool) -> Result<(), PwError> {
    if flag {
        return Err(PwError::new(StatusCode::CONFLICT, "duplicate \"order\"")
            .with_action(ErrorAction::Continue)
            .with_classification(InfoClassification::Pii)
            .with_details(serde_json::json!({"id": 7})));
    }
    Ok(())
}

#[collect_errors(log = false)]
fn fails_quietly() -> Result<(), PwError> {
    Err(PwError::new(StatusCode::GONE, "quiet").with_action(ErrorAction::Continue))
}

#[test]
fn each_collected_error_is_one_warning_line() {
    let collector = ErrorCollector::new();
    let lines = capture(tracing::Level::INFO, || {
        collector.sync_scope(|| {
            fails_on(true).unwrap();
            fails_on(false).unwrap();
            fails_quietly().unwrap();
        });
    });
    assert_eq!(collector.len(), 2);
    assert_eq!(lines.len(), 1, "log = false writes nothing");
    let line = &lines[0];
    assert_eq!(line.get("level").unwrap(), "WARNING");
    assert_eq!(line.get("classification").unwrap(), "PII");
    assert_eq!(
        line.get("message").unwrap(),
        &serde_json::json!({"code":409,"action":"CONTINUE","msg":"duplicate \"order\"","classification":"PII","details":{"id":7}})
    );
    assert_eq!(
        line.get("location").unwrap(),
        &format!("fails_on:{}", line_of("fn fails_on("))
    );
}

#[test]
fn sampling_rate_follows_service_when_sampling_is_configured() {
    let sink = pypwext::logging::MemoryWriter::new();
    let sampled = pypwext::logging::builder()
        .service("svc")
        .level(tracing::Level::INFO)
        .sample_rate(0.25)
        .writer(sink.clone())
        .build();
    tracing::subscriber::with_default(sampled, || tracing::info!(n = 1, "sampled"));
    let line = OrderedObject::parse(&sink.lines()[0]);
    assert_eq!(
        line.keys(),
        [
            "level",
            "location",
            "message",
            "timestamp",
            "service",
            "sampling_rate",
            "n"
        ]
    );
    assert_eq!(line.get("sampling_rate").unwrap(), 0.25);

    // Without sampling, no key.
    let lines = capture(tracing::Level::INFO, || tracing::info!("plain"));
    assert!(lines[0].get("sampling_rate").is_none());
}

#[test]
fn tenant_id_sits_between_correlation_id_and_xray_trace_id() {
    let lines = capture(tracing::Level::INFO, || {
        Invocation::new("req-t")
            .with_correlation_id("corr-t")
            .with_tenant_id("tenant-42")
            .with_xray_trace_id("Root=1-abc")
            .sync_scope(|| tracing::info!("for a tenant"));
    });
    let keys = lines[0].keys();
    let at = |key: &str| keys.iter().position(|k| *k == key).unwrap();
    assert_eq!(lines[0].get("tenant_id").unwrap(), "tenant-42");
    assert_eq!(at("tenant_id"), at("correlation_id") + 1);
    assert_eq!(at("xray_trace_id"), at("tenant_id") + 1);
}

#[test]
fn span_fields_are_keys_of_the_line_and_the_innermost_wins() {
    let event_line = line!() + 7;
    let lines = capture(tracing::Level::INFO, || {
        let order = tracing::info_span!("order", order_id = 5, stage = "outer");
        let _order = order.enter();
        let payment = tracing::info_span!("payment", stage = "inner", attempt = tracing::field::Empty);
        let _payment = payment.enter();
        payment.record("attempt", 2);
        tracing::info!(stage = "event", "paid");
    });
    let line = &lines[0];
    assert_eq!(line.get("order_id").unwrap(), 5);
    assert_eq!(line.get("attempt").unwrap(), 2, "recorded after the span was made");
    // The event's own field beats both spans'; each name once.
    assert_eq!(line.get("stage").unwrap(), "event");
    assert_eq!(line.keys().iter().filter(|k| **k == "stage").count(), 1);
    // Where the line was written, never a span's name.
    assert_eq!(line.get("location").unwrap(), &format!("log_line:{event_line}"));
}

#[test]
fn an_inner_span_beats_an_outer_one_and_an_appended_key_yields_to_both() {
    let lines = capture(tracing::Level::INFO, || {
        Invocation::new("req-s").sync_scope(|| {
            pypwext::logging::append_key("step", "appended").unwrap();
            pypwext::logging::append_key("kept", true).unwrap();
            let outer = tracing::info_span!("outer", step = "outer");
            let _outer = outer.enter();
            let inner = tracing::info_span!("inner", step = "inner", level = "not the line's");
            let _inner = inner.enter();
            tracing::info!("in both");
        });
    });
    let line = &lines[0];
    assert_eq!(line.get("step").unwrap(), "inner");
    assert_eq!(line.keys().iter().filter(|k| **k == "step").count(), 1);
    assert_eq!(line.get("kept").unwrap(), true);
    // A span field named like a key of the line cannot forge it.
    assert_eq!(line.get("level").unwrap(), "INFO");
    assert_eq!(line.get("span_level").unwrap(), "not the line's");
}

#[test]
fn no_span_or_event_field_writes_a_key_of_the_line_twice() {
    let sink = pypwext::logging::MemoryWriter::new();
    let sampled = pypwext::logging::builder()
        .service("svc")
        .level(tracing::Level::INFO)
        .sample_rate(0.5)
        .writer(sink.clone())
        .build();
    tracing::subscriber::with_default(sampled, || {
        let span = tracing::info_span!("forger", message = "from the span", service = "other", location = "x:1");
        let _span = span.enter();
        tracing::info!(sampling_rate = 1.0, tenant_id = "t", "the event's message");
    });
    let line = OrderedObject::parse(&sink.lines()[0]);
    let keys = line.keys();
    let mut unique = keys.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "a key twice in {keys:?}");
    assert_eq!(line.get("message").unwrap(), "the event's message");
    assert_eq!(line.get("service").unwrap(), "svc");
    assert_eq!(line.get("sampling_rate").unwrap(), 0.5);
    assert_eq!(line.get("span_message").unwrap(), "from the span");
    assert_eq!(line.get("span_location").unwrap(), "x:1");
    assert_eq!(line.get("event_sampling_rate").unwrap(), 1.0);
    assert_eq!(line.get("event_tenant_id").unwrap(), "t");
}
