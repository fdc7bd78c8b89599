//! The error model: defaults, the exact JSON, reading it back, the collector.

use pypwext::{ErrorAction, ErrorCollector, InfoClassification, LogEntryType, PwError, StatusCode};
use serde_json::json;

#[test]
fn new_error_has_sensible_defaults() {
    let err = PwError::new(StatusCode::BAD_REQUEST, "Test message");
    assert_eq!(err.code(), StatusCode::BAD_REQUEST);
    assert_eq!(err.action(), ErrorAction::Raise);
    assert_eq!(err.classification(), InfoClassification::Na);
    assert_eq!(err.message(), "Test message");
    assert_eq!(err.to_string(), "Test message");
    assert!(err.details().is_none());
    assert_eq!(
        serde_json::to_string(&err).unwrap(),
        r#"{"code":400,"action":"RAISE","msg":"Test message","classification":"NA"}"#
    );
}

#[test]
fn serialization_has_the_exact_keys_in_order() {
    let err = PwError::new(StatusCode::NOT_FOUND, "Test message")
        .with_action(ErrorAction::Continue)
        .with_classification(InfoClassification::Pii)
        .with_details(json!({"response": {"status": "not found"}}));
    assert_eq!(
        serde_json::to_string(&err).unwrap(),
        r#"{"code":404,"action":"CONTINUE","msg":"Test message","classification":"PII","details":{"response":{"status":"not found"}}}"#
    );
}

#[test]
fn enums_serialize_to_their_wire_names() {
    let names = |v: serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(serde_json::to_value(InfoClassification::ALL).unwrap()),
        ["NA", "AUTHORIZATION_INFO", "CORPORATE_SENSITIVE_INFO", "PII"]
    );
    assert_eq!(
        names(serde_json::to_value(ErrorAction::ALL).unwrap()),
        ["INDECISIVE", "RAISE", "CONTINUE"]
    );
    assert_eq!(
        names(serde_json::to_value(LogEntryType::ALL).unwrap()),
        ["STD", "AUDIT"]
    );
    let ranks: Vec<u8> = InfoClassification::ALL.iter().map(|c| c.rank()).collect();
    assert_eq!(ranks, [0, 50, 70, 100]);
}

#[test]
fn errors_round_trip_through_json() {
    for action in ErrorAction::ALL {
        for classification in InfoClassification::ALL {
            let err = PwError::new(StatusCode::IM_A_TEAPOT, "short and stout")
                .with_action(*action)
                .with_classification(*classification)
                .with_details(json!({"n": 1}));
            let text = serde_json::to_string(&err).unwrap();
            let back: PwError = serde_json::from_str(&text).unwrap();
            assert_eq!(serde_json::to_string(&back).unwrap(), text);
        }
    }
}

#[test]
fn a_response_error_object_reads_back_without_action() {
    // The `error` objects in a pypwext response body leave out `action`.
    let back: PwError = serde_json::from_value(json!({
        "code": 409, "msg": "duplicate", "classification": "CORPORATE_SENSITIVE_INFO", "extra": true
    }))
    .unwrap();
    assert_eq!(back.code(), StatusCode::CONFLICT);
    assert_eq!(back.action(), ErrorAction::Raise);
    assert_eq!(back.classification(), InfoClassification::CorporateSensitiveInfo);
    assert!(back.details().is_none());
}

#[test]
fn bad_error_json_is_refused_with_a_reason() {
    let cases = [
        (
            json!({"code": 1000, "msg": "x"}),
            "`code` 1000 is not an HTTP status code",
        ),
        (json!({"code": "400", "msg": "x"}), "invalid type: string \"400\""),
        (json!({"msg": "x"}), "missing field `code`"),
        (
            json!({"code": 400, "msg": "x", "classification": "SECRET"}),
            "unknown classification `SECRET`",
        ),
    ];
    for (value, expected) in cases {
        let err = serde_json::from_value::<PwError>(value.clone())
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{value}: {err}");
    }
}

#[test]
fn collector_basics() {
    let collector = ErrorCollector::new();
    assert!(!collector.has_errors());
    assert!(collector.highest().is_none());
    collector.add(PwError::new(StatusCode::BAD_REQUEST, "first 400"));
    collector.add(PwError::new(StatusCode::PARTIAL_CONTENT, "206"));
    collector.add(PwError::new(StatusCode::BAD_REQUEST, "second 400"));
    assert!(collector.has_errors());
    assert_eq!(collector.len(), 3);
    assert_eq!(
        collector.highest().unwrap().message(),
        "first 400",
        "highest code, oldest on a tie"
    );
    assert_eq!(collector.matching(|e| e.code() == StatusCode::PARTIAL_CONTENT).len(), 1);
    assert!(collector.matching(|e| e.code() == StatusCode::NOT_FOUND).is_empty());

    let handle = collector.clone();
    assert!(handle.same_as(&collector));
    assert_eq!(handle.take().len(), 3);
    assert!(collector.is_empty(), "clones share one list");
    collector.add(PwError::new(StatusCode::GONE, "x"));
    collector.clear();
    assert!(!handle.has_errors());
}
