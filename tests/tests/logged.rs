//! `#[logged]`: entry, exit and exception lines, rendering, skip and redact,
//! sync and async, panics, and no work when the level is off.

use std::sync::atomic::{AtomicUsize, Ordering};

use pypwext::{ErrorAction, InfoClassification, PwError, StatusCode, collect_errors, current_collector, logged};
use pypwext_tests::OrderedObject;
use serde::Serialize;
use serde_json::json;
use tracing::level_filters::LevelFilter;

/// The 1-based line of this file on which `needle` first appears.
fn line_of(needle: &str) -> usize {
    include_str!("logged.rs")
        .lines()
        .position(|l| l.contains(needle))
        .unwrap()
        + 1
}

use pypwext_tests::capture;

fn message(line: &OrderedObject) -> serde_json::Value {
    line.get("message").unwrap().clone()
}

#[derive(Serialize, Debug)]
struct Customer {
    name: String,
    tier: u8,
}

#[derive(Debug)]
#[allow(dead_code)]
struct DebugOnly(u32);

#[logged(operation = "price", classification = Pii, out_classification = InfoClassification::Na)]
fn price(customer: &Customer, sku: String, hint: DebugOnly) -> Result<u64, PwError> {
    if sku == "none" {
        return Err(PwError::new(StatusCode::NOT_FOUND, "no such sku"));
    }
    let _ = hint;
    Ok(u64::from(customer.tier) * 100)
}

#[test]
fn entry_and_exit_lines() {
    let customer = Customer {
        name: "Ada".into(),
        tier: 3,
    };
    let (out, lines) = capture(tracing::Level::DEBUG, || price(&customer, "APPLE".into(), DebugOnly(7)));
    assert_eq!(out.unwrap(), 300);
    assert_eq!(lines.len(), 2);

    let entry = &lines[0];
    assert_eq!(
        entry.keys(),
        [
            "level",
            "location",
            "message",
            "timestamp",
            "service",
            "classification",
            "operation"
        ]
    );
    assert_eq!(entry.get("level").unwrap(), "DEBUG");
    assert_eq!(
        entry.get("location").unwrap(),
        &format!("price:{}", line_of("fn price("))
    );
    assert_eq!(entry.get("classification").unwrap(), "PII");
    assert_eq!(
        message(entry),
        json!({"msg": "Entering price", "args": {"customer": {"name": "Ada", "tier": 3}, "sku": "APPLE", "hint": "DebugOnly(7)"}})
    );

    let exit = &lines[1];
    assert_eq!(exit.get("level").unwrap(), "INFO");
    assert!(
        exit.get("classification").is_none(),
        "out_classification = Na is left out"
    );
    assert_eq!(
        exit.get("operation").unwrap(),
        "price",
        "out_operation defaults to operation"
    );
    assert_eq!(message(exit), json!({"msg": "Exiting price", "return": 300}));
}

/// An argument whose `Debug` calls a `#[logged]` function: a line is made
/// while another line's message is being written.
struct LogsWhenShown;

impl std::fmt::Debug for LogsWhenShown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "shown {}", shown_inside(2))
    }
}

#[logged(level = "info")]
fn shown_inside(n: u32) -> u32 {
    n * 10
}

#[logged(level = "info")]
fn shows(value: LogsWhenShown, n: u32) -> u32 {
    let _ = value;
    n + 1
}

#[test]
fn a_line_made_while_another_is_being_written_leaves_both_whole() {
    let (out, lines) = capture(tracing::Level::INFO, || shows(LogsWhenShown, 5));
    assert_eq!(out, 6);
    let messages: Vec<serde_json::Value> = lines.iter().map(message).collect();
    assert_eq!(
        messages,
        [
            json!({"msg": "Entering shown_inside", "args": {"n": 2}}),
            json!({"msg": "Exiting shown_inside", "return": 20}),
            json!({"msg": "Entering shows", "args": {"value": "shown 20", "n": 5}}),
            json!({"msg": "Exiting shows", "return": 6}),
        ]
    );
}

#[test]
fn an_err_is_an_exception_line_with_the_arguments_it_can_still_reach() {
    let customer = Customer {
        name: "Bob".into(),
        tier: 1,
    };
    let (out, lines) = capture(tracing::Level::INFO, || price(&customer, "none".into(), DebugOnly(0)));
    assert!(out.is_err());
    assert_eq!(
        lines.len(),
        1,
        "entry is DEBUG (off), exit is replaced by the exception"
    );
    let line = &lines[0];
    assert_eq!(line.get("level").unwrap(), "ERROR");
    assert_eq!(
        message(line),
        json!({"msg": "Exception in price", "args": {"customer": {"name": "Bob", "tier": 1}}, "moved_args": ["sku", "hint"]}),
        "the entry line was off: the body took sku and hint unrendered, so they are named, not shown"
    );
    assert_eq!(line.get("exception").unwrap(), "no such sku");
    assert_eq!(line.get("exception_name").unwrap(), "PwError");
    let keys = line.keys();
    assert_eq!(&keys[keys.len() - 2..], ["exception", "exception_name"]);
}

#[logged(skip(token), redact(password), log_exception = false, level = "info")]
fn login(user: &str, password: &str, token: u64) -> Result<bool, std::io::Error> {
    if token == 0 {
        return Err(std::io::Error::other("token expired"));
    }
    Ok(user == "ada" && password == "pw")
}

#[test]
fn skip_and_redact_and_no_exception_line() {
    let (_, lines) = capture(tracing::Level::INFO, || {
        login("ada", "pw", 1).unwrap();
        login("ada", "pw", 0).unwrap_err();
    });
    assert_eq!(lines.len(), 3, "two entries, one exit, no exception line");
    assert_eq!(
        message(&lines[0]),
        json!({"msg": "Entering login", "args": {"user": "ada", "password": "*****"}})
    );
    assert!(!lines.iter().any(|l| l.get("level").unwrap() == "ERROR"));
}

#[logged(level = "info")]
fn explode(n: u8) -> u8 {
    if n > 0 {
        panic!("boom {n}");
    }
    n
}

#[test]
fn a_panic_is_logged_then_resumed() {
    let (caught, lines) = capture(tracing::Level::INFO, || std::panic::catch_unwind(|| explode(4)));
    let payload = caught.unwrap_err();
    assert_eq!(payload.downcast_ref::<String>().unwrap(), "boom 4");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1].get("exception").unwrap(), "boom 4");
    assert_eq!(lines[1].get("exception_name").unwrap(), "panic");
    assert_eq!(
        message(&lines[1]),
        json!({"msg": "Exception in explode", "args": {"n": 4}})
    );
}

static RENDERED: AtomicUsize = AtomicUsize::new(0);

struct Counted;

impl Serialize for Counted {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RENDERED.fetch_add(1, Ordering::SeqCst);
        serializer.serialize_unit()
    }
}

#[logged(log_exception = false)]
fn hot(value: &Counted) -> Counted {
    let _ = value;
    Counted
}

#[logged]
fn hot_with_exceptions(value: &Counted) -> Result<Counted, PwError> {
    let _ = value;
    Ok(Counted)
}

#[test]
fn nothing_is_rendered_when_the_levels_are_off() {
    RENDERED.store(0, Ordering::SeqCst);
    let (_, lines) = capture(tracing::Level::WARN, || {
        hot(&Counted);
    });
    assert!(lines.is_empty());
    assert_eq!(
        RENDERED.load(Ordering::SeqCst),
        0,
        "entry DEBUG and exit INFO are off at WARN"
    );

    let (_, lines) = capture(LevelFilter::OFF, || {
        hot_with_exceptions(&Counted).unwrap();
    });
    assert!(lines.is_empty());
    assert_eq!(
        RENDERED.load(Ordering::SeqCst),
        0,
        "with every level off, not even for a possible exception"
    );

    let (_, _) = capture(tracing::Level::WARN, || {
        hot_with_exceptions(&Counted).unwrap();
    });
    assert_eq!(
        RENDERED.load(Ordering::SeqCst),
        0,
        "with ERROR on, a call that succeeds renders nothing either"
    );

    let (_, lines) = capture(tracing::Level::WARN, || {
        assert!(failing_hot(&Counted, 3).is_err());
    });
    assert_eq!(
        RENDERED.load(Ordering::SeqCst),
        1,
        "a failure renders the arguments once, for its exception line"
    );
    assert_eq!(
        message(&lines[0]),
        json!({"msg": "Exception in failing_hot", "args": {"value": null, "attempt": 3}})
    );
}

#[logged]
fn failing_hot(value: &Counted, attempt: u32) -> Result<Counted, PwError> {
    let _ = (value, attempt);
    Err(PwError::new(StatusCode::CONFLICT, "busy"))
}

#[logged(level = "info")]
fn entry_on(order: Customer, sku: &str) -> Result<u64, PwError> {
    drop(order);
    Err(PwError::new(StatusCode::NOT_FOUND, format!("no {sku}")))
}

#[test]
fn with_the_entry_line_on_the_exception_line_shows_every_argument() {
    let order = Customer {
        name: "Cy".into(),
        tier: 2,
    };
    let (_, lines) = capture(tracing::Level::INFO, || entry_on(order, "pear").unwrap_err());
    assert_eq!(lines.len(), 2, "entry and exception");
    assert_eq!(
        message(&lines[1]),
        json!({"msg": "Exception in entry_on", "args": {"order": {"name": "Cy", "tier": 2}, "sku": "pear"}}),
        "rendered at entry, before the body took order"
    );
}

#[logged(out_level = "debug", log_type = Audit, operation = "fetch")]
async fn fetch(id: u32) -> Result<Option<String>, PwError> {
    tokio::task::yield_now().await;
    if id == 0 {
        return Err(PwError::new(StatusCode::BAD_REQUEST, "id 0").with_action(ErrorAction::Continue));
    }
    Ok(Some(format!("item {id}")))
}

#[test]
fn async_functions_are_logged_across_awaits() {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let (out, lines) = capture(tracing::Level::DEBUG, || runtime.block_on(fetch(5)));
    assert_eq!(out.unwrap().as_deref(), Some("item 5"));
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].get("type").unwrap(), "AUDIT");
    assert_eq!(
        lines[1].get("type").unwrap(),
        "AUDIT",
        "out_log_type defaults to log_type"
    );
    assert_eq!(lines[1].get("level").unwrap(), "DEBUG");
    assert_eq!(message(&lines[1]), json!({"msg": "Exiting fetch", "return": "item 5"}));
}

/// Logged on top of a root: logs the collected outcome, not the inner errors.
#[logged(level = "info")]
#[collect_errors(root)]
async fn batch(ids: Vec<u32>) -> Result<Option<usize>, PwError> {
    let mut found = 0;
    for id in ids {
        if inner(id).await?.is_some() {
            found += 1;
        }
    }
    Ok(Some(found * 100 + current_collector().map_or(0, |c| c.len())))
}

/// Collecting on top of logged: the error is logged, then collected.
#[collect_errors]
#[logged(level = "info")]
async fn inner(id: u32) -> Result<Option<u32>, PwError> {
    fetch(id).await.map(|found| found.map(|_| id))
}

#[test]
fn logged_composes_with_collect_errors_in_written_order() {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let (out, lines) = capture(tracing::Level::INFO, || runtime.block_on(batch(vec![1, 0, 2])));
    assert_eq!(out.unwrap(), Some(201));
    let summary: Vec<String> = lines
        .iter()
        .map(|l| {
            let m = message(l);
            let text = m
                .get("msg")
                .and_then(|v| v.as_str())
                .map_or_else(|| m.to_string(), str::to_owned);
            format!("{} {text}", l.get("level").unwrap().as_str().unwrap())
        })
        .collect();
    assert_eq!(
        summary,
        [
            "INFO Entering batch",
            "INFO Entering inner",
            "INFO Exiting inner",
            "INFO Entering inner",
            // `fetch` is logged too: its Err is an exception there, and in `inner`,
            "ERROR Exception in fetch",
            "ERROR Exception in inner",
            // then `#[collect_errors]` on top of `inner` collects it: a WARNING with the error as message.
            "WARNING id 0",
            "INFO Entering inner",
            "INFO Exiting inner",
            "INFO Exiting batch",
        ]
    );
}

#[logged(level = "info")]
fn authorize(request: &lambda_http::Request) -> bool {
    request.headers().contains_key("authorization")
}

#[test]
fn a_request_taken_by_reference_is_logged_by_its_view_and_shows_no_secret() {
    let request = lambda_http::http::Request::builder()
        .uri("https://example.com/orders")
        .header("Authorization", "Bearer s3cr3t-t0ken")
        .body(lambda_http::Body::Empty)
        .unwrap();
    let (allowed, lines) = capture(tracing::Level::INFO, || authorize(&request));
    assert!(allowed);
    let entry = message(&lines[0]);
    assert_eq!(entry["args"]["request"]["path"], "/orders", "{entry}");
    let all: String = lines.iter().map(|line| format!("{line:?}")).collect();
    assert!(!all.contains("s3cr3t"), "{all}");
}
