use super::*;
use crate::errors::{InfoClassification, LogEntryType};
use crate::logging::inject::prepare_injection;
use crate::logging::logged::{EntryArgs, Logged, logged_async};
use tracing::Level;

static INJECT: InjectLambdaContext = InjectLambdaContext::new("handler", 1, &[], false);
static RESPONSE: ServiceResponse = ServiceResponse {
    function: "handler",
    location: "handler:1",
    just_status_code: false,
    code_from_error: true,
    always_return: true,
    collect_root: true,
};
static LOGGED: Logged = Logged {
    function: "handler",
    line: 1,
    location: "handler:1",
    level: Level::INFO,
    out_level: Level::INFO,
    classification: InfoClassification::Na,
    log_type: LogEntryType::Std,
    operation: None,
    out_classification: InfoClassification::Na,
    out_log_type: LogEntryType::Std,
    out_operation: None,
    log_exception: true,
};

/// `#[logged] #[collect_errors(root)] #[service_response]` as the macros
/// put it together, around a handler that answers 200.
fn stack(
    request: lambda_http::Request,
) -> Pin<Box<impl Future<Output = Result<http::Response<Body>, lambda_http::Error>>>> {
    start_handler(&INJECT, prepare_injection, request, |request| {
        logged_async(
            &LOGGED,
            EntryArgs::default(),
            |_| {},
            service_response(&RESPONSE, request, |_slot| {
                Ok(async { Handled::Response(PwResponse::ok()) })
            }),
            |_, _| {},
        )
    })
}

#[test]
fn the_stack_holds_the_request_once_not_once_per_layer() {
    let future = stack(lambda_http::Request::default());
    let (stack, request) = (
        std::mem::size_of_val(&*future),
        std::mem::size_of::<lambda_http::Request>(),
    );
    // `async` layers kept the request and each inner future beside what
    // they awaited, which this bound rejects.
    assert!(
        stack < 2 * request,
        "the stack takes {stack} bytes for a {request}-byte request"
    );
    let response = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

// Answer: the probe exactly as `expand.rs` writes it, `&&&Probe`; a
// macro, not a generic function, so that the call is resolved on the
// concrete type, as in generated code.
macro_rules! handled_ok {
    ($value:expr) => {
        (&&&Probe::new(OkValue($value))).pypwext_handled()
    };
}
macro_rules! handled_err {
    ($error:expr) => {
        (&&&Probe::new(ErrValue($error))).pypwext_handled()
    };
}

/// Neither an answer nor an error.
struct Order;

/// Compiles only for a type the lower row would take as well.
fn converts_into_lambda_error<E: Into<lambda_http::Error>>() {}

fn passed_through(handled: Handled) -> http::Response<Body> {
    let Handled::Passthrough(future) = handled else {
        panic!("not passed through: {handled:?}");
    };
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn answer_ok_row_1_pw_response() {
    match handled_ok!(PwResponse::ok().with_field("id", 7)) {
        Handled::Response(response) => assert_eq!(response.status(), StatusCode::OK),
        other => panic!("not a PwResponse: {other:?}"),
    }
}

#[test]
fn answer_ok_row_2_into_response() {
    let response = passed_through(handled_ok!((StatusCode::CREATED, "made".to_owned())));
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.body(), &Body::Text("made".to_owned()));
    let response = passed_through(handled_ok!("plain".to_owned()));
    assert_eq!(response.body(), &Body::Text("plain".to_owned()));
}

#[test]
fn answer_err_row_1_pw_error() {
    converts_into_lambda_error::<PwError>();
    // Beats `Into<lambda_http::Error>`, which `PwError` has too.
    match handled_err!(PwError::new(StatusCode::CONFLICT, "taken")) {
        Handled::Raised(error) => {
            assert_eq!(error.code(), StatusCode::CONFLICT);
            assert_eq!(error.message(), "taken");
        }
        other => panic!("not raised: {other:?}"),
    }
}

#[test]
fn answer_err_row_2_into_lambda_error() {
    match handled_err!(std::io::Error::other("disk full")) {
        Handled::Failed { text, name } => assert_eq!((text.as_str(), name.as_str()), ("disk full", "Error")),
        other => panic!("not failed: {other:?}"),
    }
}

#[test]
fn answer_fallback_is_no_answer() {
    // `NotAnAnswer` implements no `Answer`: handing it to `answer` is the
    // compile error of `ui-tests/ui/fail/service_response_types.rs`.
    let ok: NotAnAnswer<Option<OkValue<Order>>> = handled_ok!(Order);
    assert!(ok.0.is_some());
    let err: NotAnAnswer<Option<ErrValue<Order>>> = handled_err!(Order);
    assert!(err.0.is_some());
}

#[test]
fn answer_decides_on_the_type_as_written() {
    // Behind a generic `E`, a `PwError` is any other error: a 500, not its status.
    fn generic<E: Into<lambda_http::Error>>(error: E) -> Handled {
        handled_err!(error)
    }
    match generic(PwError::new(StatusCode::CONFLICT, "taken")) {
        Handled::Failed { text, name } => assert_eq!((text.as_str(), name.as_str()), ("taken", "PwError")),
        other => panic!("not failed: {other:?}"),
    }
}

#[test]
fn collected_errors_beside_a_passed_through_response_are_logged_not_lost() {
    let sink = crate::logging::MemoryWriter::new();
    let logger = crate::logging::builder().writer(sink.clone()).build();
    let response = tracing::subscriber::with_default(logger, || {
        let future = service_response(&RESPONSE, lambda_http::Request::default(), |_slot| {
            Ok(async {
                let collector = current_collector().expect("collect_root installs one");
                collector.add(
                    PwError::new(StatusCode::NOT_FOUND, "sku 42 is gone").with_classification(InfoClassification::Pii),
                );
                collector.add(PwError::new(StatusCode::CONFLICT, "price changed"));
                handled_ok!((StatusCode::CREATED, "made".to_owned()))
            })
        });
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
            .unwrap()
    });
    // The response is the handler's own, untouched.
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.body(), &Body::Text("made".to_owned()));
    let lines: Vec<serde_json::Value> = sink
        .lines()
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    for (line, (message, code)) in lines.iter().zip([("sku 42 is gone", 404), ("price changed", 409)]) {
        assert_eq!(line["level"], "WARNING", "{line}");
        assert!(line["message"].as_str().unwrap().contains(message), "{line}");
        assert_eq!(line["code"], code, "{line}");
        assert_eq!(line["location"], "handler:1", "{line}");
    }
    assert_eq!(lines[0]["classification"], "PII");
}
