//! Every row of the semantics table, against the in-memory store.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use serde_json::json;

use super::*;
use crate::errors::ErrorAction;
use crate::idempotency::{DEFAULT_EXPIRY, MemoryStore, Store, StoreFuture};

static SITE: Idempotent = Idempotent::new("charge", "shop::payments", Some("shop.charge"));

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

fn codec() -> Codec<Result<u32, PwError>, u32, PwError> {
    <Result<u32, PwError> as IdempotentResult>::CODEC
}

/// One store shared by the guard and the test, and a body that counts its runs.
struct Fixture {
    store: Arc<MemoryStore>,
    idempotency: Idempotency,
    runs: AtomicUsize,
}

impl Fixture {
    fn new() -> Self {
        Fixture::with(|idempotency| idempotency)
    }

    fn with(settings: impl FnOnce(Idempotency) -> Idempotency) -> Self {
        let store = Arc::new(MemoryStore::new());
        let idempotency = settings(Idempotency::with_shared_store(store.clone()));
        Fixture {
            store,
            idempotency,
            runs: AtomicUsize::new(0),
        }
    }

    fn id(&self, key: &Value) -> String {
        format!("shop.charge#{}", python_md5_hex(key))
    }

    fn record(&self, key: &Value) -> Option<Record> {
        block_on(self.store.get(&self.id(key))).unwrap()
    }

    async fn call(&self, key: Value, validate: Option<Value>, answer: Result<u32, PwError>) -> Result<u32, PwError> {
        idempotent(
            &self.idempotency,
            &SITE,
            Ok(key),
            validate.map(Ok),
            async {
                self.runs.fetch_add(1, Ordering::SeqCst);
                answer
            },
            codec(),
        )
        .await
    }

    fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }
}

fn now() -> Now {
    Now::current()
}

#[test]
fn first_call_writes_in_progress_runs_and_stores_completed_before_returning() {
    let fixture = Fixture::new();
    let key = json!({"order": 7});
    let id = fixture.id(&key);
    let seen_while_running = block_on(idempotent(
        &fixture.idempotency,
        &SITE,
        Ok(key.clone()),
        None,
        async {
            let record = fixture.store.get(&id).await.unwrap().unwrap();
            Ok::<_, PwError>(u32::from(record.status == Status::InProgress))
        },
        codec(),
    ));
    assert_eq!(
        seen_while_running.unwrap(),
        1,
        "the body ran under an INPROGRESS record"
    );
    let record = fixture.record(&key).unwrap();
    assert_eq!(record.status, Status::Completed);
    assert_eq!(record.data.as_deref(), Some("1"));
    assert_eq!(record.in_progress_expiration, None);
    let expected = now().seconds + DEFAULT_EXPIRY.as_secs();
    assert!(record.expiration.abs_diff(expected) <= 1, "{record:?}");
}

#[test]
fn the_same_key_again_returns_the_stored_value_without_running() {
    let fixture = Fixture::new();
    assert_eq!(block_on(fixture.call(json!("k"), None, Ok(41))).unwrap(), 41);
    assert_eq!(block_on(fixture.call(json!("k"), None, Ok(99))).unwrap(), 41);
    assert_eq!(fixture.runs(), 1);
    // Another key runs.
    assert_eq!(block_on(fixture.call(json!("other"), None, Ok(99))).unwrap(), 99);
    assert_eq!(fixture.runs(), 2);
}

#[test]
fn an_err_deletes_the_record_and_comes_back_unchanged() {
    let fixture = Fixture::new();
    let refused = PwError::new(StatusCode::PAYMENT_REQUIRED, "card declined").with_action(ErrorAction::Continue);
    let error = block_on(fixture.call(json!("k"), None, Err(refused))).unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (StatusCode::PAYMENT_REQUIRED, "card declined")
    );
    assert_eq!(error.action(), ErrorAction::Continue, "unchanged");
    assert_eq!(fixture.record(&json!("k")), None);
    // A retry runs again.
    assert_eq!(block_on(fixture.call(json!("k"), None, Ok(3))).unwrap(), 3);
    assert_eq!(fixture.runs(), 2);
}

#[test]
fn a_panic_deletes_the_record_and_goes_on_unwinding() {
    let fixture = Fixture::new();
    let unwound = std::panic::catch_unwind(AssertUnwindSafe(|| {
        block_on(idempotent(
            &fixture.idempotency,
            &SITE,
            Ok(json!("k")),
            None,
            async {
                if fixture.runs.fetch_add(1, Ordering::SeqCst) == 0 {
                    panic!("boom");
                }
                Ok::<u32, PwError>(0)
            },
            codec(),
        ))
    }));
    let payload = unwound.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    assert_eq!(fixture.record(&json!("k")), None);
}

#[test]
fn the_same_key_in_progress_is_a_409_to_raise() {
    let fixture = Fixture::new();
    let key = json!("k");
    let id = fixture.id(&key);
    let inner = block_on(idempotent(
        &fixture.idempotency,
        &SITE,
        Ok(key.clone()),
        None,
        async {
            // The same key, while this call runs.
            let nested = fixture.call(key.clone(), None, Ok(2)).await;
            let nested = nested.unwrap_err();
            assert!(fixture.store.get(&id).await.unwrap().is_some());
            Ok::<_, PwError>(nested.code().as_u16().into())
        },
        codec(),
    ));
    assert_eq!(inner.unwrap(), 409);
    assert_eq!(fixture.runs(), 0, "the nested body did not run");
    let error = in_progress();
    assert_eq!(error.action(), ErrorAction::Raise);
    assert_eq!(
        error.message(),
        "a request with the same idempotency key is in progress; retry later"
    );
}

fn in_progress_record(fixture: &Fixture, key: &Value) -> Record {
    Record {
        id: fixture.id(key),
        status: Status::InProgress,
        expiration: now().seconds + 3600,
        in_progress_expiration: None,
        data: None,
        validation: None,
    }
}

fn left_in_progress(fixture: &Fixture, key: &Value, in_progress_expiration: Option<u64>) {
    fixture.store.insert(Record {
        in_progress_expiration,
        ..in_progress_record(fixture, key)
    });
}

#[test]
fn an_in_progress_record_past_its_in_progress_expiry_runs_again() {
    let fixture = Fixture::new();
    let key = json!("k");
    left_in_progress(&fixture, &key, Some(now().millis - 1));
    assert_eq!(block_on(fixture.call(key.clone(), None, Ok(5))).unwrap(), 5);
    assert_eq!(fixture.record(&key).unwrap().status, Status::Completed);
    // Not yet past it, or without one: 409 until the expiry.
    for in_progress_expiration in [Some(now().millis + 60_000), None] {
        left_in_progress(&fixture, &key, in_progress_expiration);
        let error = block_on(fixture.call(key.clone(), None, Ok(6))).unwrap_err();
        assert_eq!(error.code(), StatusCode::CONFLICT);
    }
    assert_eq!(fixture.runs(), 1);
}

#[test]
fn an_expired_record_runs_again() {
    let fixture = Fixture::new();
    let key = json!("k");
    fixture.store.insert(Record {
        id: fixture.id(&key),
        status: Status::Completed,
        expiration: now().seconds - 1,
        in_progress_expiration: None,
        data: Some("1".to_owned()),
        validation: None,
    });
    assert_eq!(block_on(fixture.call(key, None, Ok(2))).unwrap(), 2);
    assert_eq!(fixture.runs(), 1);
}

#[test]
fn a_validate_mismatch_is_a_422_to_raise() {
    let fixture = Fixture::new();
    let key = json!("order-1");
    assert_eq!(
        block_on(fixture.call(key.clone(), Some(json!(10.5)), Ok(1))).unwrap(),
        1
    );
    assert_eq!(
        fixture.record(&key).unwrap().validation,
        Some(python_md5_hex(&json!(10.5)))
    );
    assert_eq!(
        block_on(fixture.call(key.clone(), Some(json!(10.5)), Ok(2))).unwrap(),
        1
    );
    let error = block_on(fixture.call(key.clone(), Some(json!(99)), Ok(3))).unwrap_err();
    assert_eq!(error.code(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error.action(), ErrorAction::Raise);
    assert_eq!(error.message(), "the idempotency key was used with another payload");
    // Also while in progress: the payload is checked first.
    fixture.store.insert(Record {
        validation: Some(python_md5_hex(&json!(2))),
        ..in_progress_record(&fixture, &json!("order-2"))
    });
    let error = block_on(fixture.call(json!("order-2"), Some(json!(1)), Ok(3))).unwrap_err();
    assert_eq!(error.code(), StatusCode::UNPROCESSABLE_ENTITY);
    // A record stored without a payload hash (Powertools' Redis layer drops
    // it when it completes one) has nothing to differ from.
    fixture.store.insert(Record {
        status: Status::Completed,
        data: Some("7".to_owned()),
        ..in_progress_record(&fixture, &json!("order-3"))
    });
    assert_eq!(
        block_on(fixture.call(json!("order-3"), Some(json!(1)), Ok(3))).unwrap(),
        7
    );
    assert_eq!(fixture.runs(), 1);
}

/// A store that fails every call: a fault injected where a real store would
/// have to be broken on purpose (the DynamoDB and Redis tests refuse for real).
struct Unreachable;

impl Store for Unreachable {
    fn describe(&self) -> String {
        "DynamoDB table `nowhere`".to_owned()
    }
    fn put_in_progress<'a>(&'a self, _: &'a Record, _: Now) -> StoreFuture<'a, Claim> {
        Box::pin(async { Err(StoreError::new("connection refused")) })
    }
    fn complete<'a>(&'a self, _: &'a Record) -> StoreFuture<'a, ()> {
        Box::pin(async { Err(StoreError::new("connection refused")) })
    }
    fn delete<'a>(&'a self, _: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async { Err(StoreError::new("connection refused")) })
    }
    fn get<'a>(&'a self, _: &'a str) -> StoreFuture<'a, Option<Record>> {
        Box::pin(async { Err(StoreError::new("connection refused")) })
    }
}

#[test]
fn a_failing_store_is_a_502_to_raise_and_the_body_does_not_run() {
    let idempotency = Idempotency::with_store(Unreachable);
    let runs = AtomicUsize::new(0);
    let error = block_on(idempotent(
        &idempotency,
        &SITE,
        Ok(json!("k")),
        None,
        async {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok::<u32, PwError>(1)
        },
        codec(),
    ))
    .unwrap_err();
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    assert_eq!(error.code(), StatusCode::BAD_GATEWAY);
    assert_eq!(error.action(), ErrorAction::Raise);
    assert_eq!(
        error.message(),
        "the idempotency store (DynamoDB table `nowhere`) failed to write the in-progress record: connection refused; check that it is reachable and retry"
    );
}

#[test]
fn the_in_progress_expiry_is_the_invocations_deadline() {
    let fixture = Fixture::new();
    let deadline = SystemTime::now() + Duration::from_secs(30);
    let key = json!("k");
    let id = fixture.id(&key);
    let written = block_on(Invocation::new("req-1").with_deadline(deadline).scope(idempotent(
        &fixture.idempotency,
        &SITE,
        Ok(key),
        None,
        async { Ok::<_, PwError>(fixture.store.get(&id).await.unwrap().unwrap().in_progress_expiration) },
        <Result<Option<u64>, PwError> as IdempotentResult>::CODEC,
    )));
    assert_eq!(written.unwrap(), Some(Now::at(deadline).millis));
    // Without a deadline, none is written (as Powertools).
    let fixture = Fixture::new();
    let written = block_on(idempotent(
        &fixture.idempotency,
        &SITE,
        Ok(json!("k")),
        None,
        async { Ok::<_, PwError>(fixture.store.get(&id).await.unwrap().unwrap().in_progress_expiration) },
        <Result<Option<u64>, PwError> as IdempotentResult>::CODEC,
    ));
    assert_eq!(written.unwrap(), None);
}

#[test]
fn the_local_cache_answers_a_repeat_and_never_holds_an_in_progress_record() {
    let fixture = Fixture::with(|idempotency| idempotency.local_cache(8));
    let key = json!("k");
    assert_eq!(block_on(fixture.call(key.clone(), None, Ok(1))).unwrap(), 1);
    // The store forgets; the cache still answers.
    block_on(fixture.store.delete(&fixture.id(&key))).unwrap();
    assert_eq!(block_on(fixture.call(key.clone(), None, Ok(2))).unwrap(), 1);
    assert_eq!(fixture.runs(), 1);
    // An in-progress record of another process is asked of the store each time.
    left_in_progress(&fixture, &json!("busy"), None);
    for _ in 0..2 {
        assert_eq!(
            block_on(fixture.call(json!("busy"), None, Ok(3))).unwrap_err().code(),
            StatusCode::CONFLICT
        );
    }
    block_on(fixture.store.delete(&fixture.id(&json!("busy")))).unwrap();
    assert_eq!(block_on(fixture.call(json!("busy"), None, Ok(3))).unwrap(), 3);
}

#[test]
fn a_null_key_runs_without_idempotency_as_powertools() {
    let fixture = Fixture::new();
    for key in [json!(null), json!({"a": null}), json!([]), json!("")] {
        assert_eq!(block_on(fixture.call(key.clone(), None, Ok(1))).unwrap(), 1);
        assert_eq!(fixture.record(&key), None);
    }
    assert_eq!(fixture.runs(), 4);
    assert!(!key_is_missing(&json!(0)) && !key_is_missing(&json!(false)) && !key_is_missing(&json!({"a": 1})));
}

#[test]
fn a_stored_value_that_does_not_read_back_is_a_500_naming_the_record() {
    let fixture = Fixture::new();
    let key = json!("k");
    fixture.store.insert(Record {
        id: fixture.id(&key),
        status: Status::Completed,
        expiration: now().seconds + 60,
        in_progress_expiration: None,
        data: Some("\"not a number\"".to_owned()),
        validation: None,
    });
    let error = block_on(fixture.call(key, None, Ok(1))).unwrap_err();
    assert_eq!(error.code(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(error.message().contains("cannot be read back"), "{}", error.message());
    assert_eq!(fixture.runs(), 0);
}

#[test]
fn the_default_prefix_is_the_function_module_and_name() {
    assert_eq!(
        default_prefix(Some("orders"), "shop::payments", "charge"),
        "orders.shop.payments.charge"
    );
    assert_eq!(default_prefix(None, "shop", "charge"), "test-func.shop.charge");
    assert_eq!(SITE.prefix(), "shop.charge");
}

#[test]
fn several_parameters_make_an_object_by_name() {
    let key = KeyObject::new()
        .field("order", &7)
        .field("user", "ada")
        .finish()
        .unwrap();
    assert_eq!(key, json!({"order": 7, "user": "ada"}));
    let map = std::collections::HashMap::from([((1, 2), 3)]);
    let error = KeyObject::new().field("bad", &map).finish().unwrap_err();
    assert_eq!(error.code(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        error
            .message()
            .starts_with("the idempotency key cannot be written as JSON")
    );
}

#[test]
fn a_builder_that_does_not_apply_to_the_store_is_a_502_not_a_silent_default() {
    let idempotency = Idempotency::in_memory().attributes(crate::idempotency::Attributes::default());
    let runs = AtomicUsize::new(0);
    let error = block_on(idempotent(
        &idempotency,
        &SITE,
        Ok(json!("k")),
        None,
        async {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok::<u32, PwError>(1)
        },
        codec(),
    ))
    .unwrap_err();
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    assert_eq!(error.code(), StatusCode::BAD_GATEWAY);
    assert!(
        error.message().contains("`.attributes(…)`, which applies to"),
        "{}",
        error.message()
    );
}
