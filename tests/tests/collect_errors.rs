//! `#[collect_errors]` end to end through the macro: sync and async, continue
//! and raise, with and without a collector, nested roots, join_all, spawn.

use futures_util::future::join_all;
use pypwext::{
    CollectorFutureExt, ErrorAction, ErrorCollector, InfoClassification, PwError, StatusCode, collect_errors,
    current_collector,
};

fn continue_error(code: StatusCode, msg: &str) -> PwError {
    PwError::new(code, msg.to_owned()).with_action(ErrorAction::Continue)
}

#[collect_errors]
fn lookup(id: u32) -> Result<Option<String>, PwError> {
    match id {
        0 => Err(PwError::new(StatusCode::BAD_GATEWAY, "backend down")),
        n if n % 2 == 1 => Err(continue_error(StatusCode::NOT_FOUND, &format!("no item {n}"))),
        n => Ok(Some(format!("item {n}"))),
    }
}

#[collect_errors]
fn validate(value: i64) -> Result<(), PwError> {
    if value < 0 {
        return Err(continue_error(StatusCode::UNPROCESSABLE_ENTITY, "negative"));
    }
    Ok(())
}

/// What was found, and what was collected.
type Report = (Vec<String>, Vec<PwError>);

#[collect_errors(root)]
fn batch(ids: &[u32]) -> Result<Option<Report>, PwError> {
    let mut found = Vec::new();
    for id in ids {
        if let Some(item) = lookup(*id)? {
            found.push(item);
        }
    }
    let collector = current_collector().expect("root installs a collector");
    Ok(Some((found, collector.errors())))
}

#[test]
fn continue_errors_are_collected_under_a_root() {
    let (found, errors) = batch(&[1, 2, 3, 4]).unwrap().unwrap();
    assert_eq!(found, ["item 2", "item 4"]);
    let messages: Vec<&str> = errors.iter().map(PwError::message).collect();
    assert_eq!(messages, ["no item 1", "no item 3"]);
    assert!(errors.iter().all(|e| e.code() == StatusCode::NOT_FOUND));
}

#[test]
fn raise_errors_propagate_through_the_root() {
    let err = batch(&[2, 0, 4]).unwrap_err();
    assert_eq!(err.code(), StatusCode::BAD_GATEWAY);
    assert_eq!(err.action(), ErrorAction::Raise);
}

#[test]
fn without_a_collector_continue_errors_propagate() {
    assert!(current_collector().is_none());
    let err = lookup(7).unwrap_err();
    assert_eq!(err.message(), "no item 7");
    assert_eq!(validate(-1).unwrap_err().code(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(lookup(8).unwrap(), Some("item 8".to_owned()));
}

#[test]
fn unit_results_become_ok_when_collected() {
    let collector = ErrorCollector::new();
    collector.sync_scope(|| {
        assert!(validate(-5).is_ok());
        assert!(validate(5).is_ok());
    });
    assert_eq!(collector.len(), 1);
    assert_eq!(collector.errors()[0].message(), "negative");
}

#[test]
fn the_collector_is_gone_after_the_root_returns() {
    batch(&[1]).unwrap();
    assert!(current_collector().is_none());
    // And a second root starts from nothing.
    let (_, errors) = batch(&[3]).unwrap().unwrap();
    assert_eq!(errors.len(), 1);
}

#[test]
fn a_root_under_an_installed_collector_adds_to_it() {
    let outer = ErrorCollector::new();
    outer.sync_scope(|| {
        let (_, seen) = batch(&[1, 3]).unwrap().unwrap();
        assert_eq!(seen.len(), 2);
    });
    assert_eq!(outer.len(), 2, "the root reused the collector that was current");
}

#[collect_errors(root)]
fn root_that_fails_itself() -> Result<Option<u8>, PwError> {
    Err(continue_error(StatusCode::CONFLICT, "root's own"))
}

#[test]
fn a_root_collects_its_own_continue_error() {
    // The root's collector is still installed when its own body returns.
    assert_eq!(root_that_fails_itself().unwrap(), None);
}

#[test]
fn errors_keep_every_field_through_the_collector() {
    let collector = ErrorCollector::new();
    let details = serde_json::json!({"order": 42, "reason": ["a", "b"]});
    let sent = continue_error(StatusCode::PAYMENT_REQUIRED, "pay first")
        .with_classification(InfoClassification::Pii)
        .with_details(details.clone());
    #[collect_errors]
    fn fail_with(err: PwError) -> Result<(), PwError> {
        Err(err)
    }
    collector.sync_scope(|| fail_with(sent.clone())).unwrap();
    let got = collector.highest().unwrap();
    assert_eq!(
        serde_json::to_value(&got).unwrap(),
        serde_json::to_value(&sent).unwrap()
    );
}

// ---- async ----

#[collect_errors]
async fn fetch(id: u32) -> Result<Option<u32>, PwError> {
    tokio::task::yield_now().await;
    if id.is_multiple_of(3) {
        return Err(continue_error(StatusCode::NOT_FOUND, &format!("missing {id}")));
    }
    let doubled = checked_double(id)?;
    Ok(Some(doubled))
}

fn checked_double(id: u32) -> Result<u32, PwError> {
    id.checked_mul(2)
        .ok_or_else(|| PwError::new(StatusCode::BAD_REQUEST, "overflow"))
}

#[collect_errors(root)]
async fn fetch_all(ids: Vec<u32>) -> Result<Option<(Vec<u32>, usize)>, PwError> {
    let results = join_all(ids.into_iter().map(fetch)).await;
    let mut found = Vec::new();
    for result in results {
        if let Some(v) = result? {
            found.push(v);
        }
    }
    Ok(Some((found, current_collector().map_or(0, |c| c.len()))))
}

#[tokio::test]
async fn async_root_collects_across_join_all() {
    let (found, collected) = fetch_all((1..=9).collect()).await.unwrap().unwrap();
    assert_eq!(found, [2, 4, 8, 10, 14, 16]);
    assert_eq!(collected, 3);
    assert!(current_collector().is_none());
}

#[tokio::test]
async fn async_question_mark_still_raises() {
    let err = fetch_all(vec![1, u32::MAX - 1]).await.unwrap_err();
    assert_eq!(err.message(), "overflow");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawned_tasks_get_the_collector_only_when_handed_over() {
    let collector = ErrorCollector::new();
    collector
        .scope(async {
            let handed = tokio::spawn(async { fetch(3).await }.with_current_collector());
            assert_eq!(handed.await.unwrap().unwrap(), None, "collected in the spawned task");
            let bare = tokio::spawn(async { fetch(6).await });
            assert!(bare.await.unwrap().is_err(), "no collector in a task not handed one");
        })
        .await;
    let messages: Vec<String> = collector.errors().iter().map(|e| e.message().to_owned()).collect();
    assert_eq!(messages, ["missing 3"]);
}

struct Store {
    prefix: String,
}

impl Store {
    #[collect_errors]
    fn name(&self, id: u32) -> Result<Option<&str>, PwError> {
        if id == 0 {
            return Err(continue_error(StatusCode::NOT_FOUND, "zero"));
        }
        Ok(Some(&self.prefix))
    }

    #[collect_errors]
    async fn name_async(&self, id: u32) -> Result<Option<&str>, PwError> {
        self.name(id)
    }
}

#[tokio::test]
async fn methods_with_borrowed_returns_work() {
    let store = Store { prefix: "p".into() };
    let collector = ErrorCollector::new();
    let out = collector
        .scope(async { (store.name(0), store.name_async(1).await) })
        .await;
    assert_eq!(out.0.unwrap(), None);
    assert_eq!(out.1.unwrap(), Some("p"));
    assert_eq!(collector.len(), 1);
}
