//! The cache, the single flight, the retries and the secrets, against the
//! stand-in store of `test_source`.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::future::join_all;

use super::retry::Retry;
use super::test_source::{TestSource, fresh_cache};
use super::*;
use crate::lambda::Invocation;

/// Retries without waiting: the tests count attempts, not time.
const FAST: Retry = Retry {
    attempts: 5,
    backoff: Duration::from_millis(1),
    max_backoff: Duration::from_millis(2),
    deadline_margin: Duration::ZERO,
};

fn text(value: &str) -> Fetched {
    Fetched::Text(value.to_owned())
}

/// A store holding `/shop/url`, and a cache of the test's own.
fn shop() -> (Arc<TestSource>, &'static cache::Cache, Fetch) {
    let source = TestSource::new();
    let request = ssm("/shop/url").request().clone();
    source.set(&request, text("https://v1"));
    (source, fresh_cache(), request)
}

#[tokio::test]
async fn a_cached_read_fetches_nothing_and_an_old_value_is_fetched_again() {
    let (source, cache, request) = shop();
    let read = |max_age| ssm("/shop/url").max_age(max_age).get_from(cache, source.clone(), FAST);
    assert_eq!(read(Duration::from_secs(60)).await.unwrap(), "https://v1");
    assert_eq!(read(Duration::from_secs(60)).await.unwrap(), "https://v1");
    assert_eq!(source.fetches(), 1, "the second read was served by the cache");

    source.set(&request, text("https://v2"));
    assert_eq!(
        read(Duration::from_secs(60)).await.unwrap(),
        "https://v1",
        "still young"
    );
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert_eq!(
        read(Duration::from_millis(20)).await.unwrap(),
        "https://v2",
        "older than 20 ms"
    );
    assert_eq!(source.fetches(), 2);
    assert_eq!(read(Duration::ZERO).await.unwrap(), "https://v2");
    assert_eq!(source.fetches(), 3, "a max age of zero fetches every time");
}

#[tokio::test]
async fn force_fetch_reads_past_the_cache_and_refreshes_it() {
    let (source, cache, request) = shop();
    let read = || ssm("/shop/url").max_age(Duration::from_secs(60));
    assert_eq!(
        read().get_from(cache, source.clone(), FAST).await.unwrap(),
        "https://v1"
    );
    source.set(&request, text("https://v2"));
    assert_eq!(
        read()
            .force_fetch()
            .get_from(cache, source.clone(), FAST)
            .await
            .unwrap(),
        "https://v2"
    );
    assert_eq!(
        read().get_from(cache, source.clone(), FAST).await.unwrap(),
        "https://v2",
        "the cache holds what force_fetch fetched"
    );
    assert_eq!(source.fetches(), 2);
}

#[tokio::test]
async fn twenty_concurrent_first_reads_share_one_fetch() {
    let (source, cache, request) = shop();
    let gate = source.hold(&request);
    let reads = (0..20).map(|_| ssm("/shop/url").get_from(cache, source.clone(), FAST));
    // join_all polls every read once before the gate opens: all twenty wait
    // for the one fetch in flight.
    let (values, ()) = tokio::join!(join_all(reads), async {
        tokio::task::yield_now().await;
        gate.add_permits(1);
    });
    assert_eq!(source.fetches(), 1);
    assert!(
        values.iter().all(|value| value.as_deref().ok() == Some("https://v1")),
        "{values:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reads_on_several_threads_share_one_fetch() {
    let (source, cache, request) = shop();
    let gate = source.hold(&request);
    let tasks: Vec<_> = (0..20)
        .map(|_| tokio::spawn(ssm("/shop/url").get_from(cache, source.clone(), FAST)))
        .collect();
    // A read that starts after the fetch ended finds the value stored: either
    // way, one fetch. The gate opens once that fetch is under way.
    for _ in 0..1000 {
        if source.fetches() == 1 {
            break;
        }
        tokio::task::yield_now().await;
    }
    gate.add_permits(1);
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), "https://v1");
    }
    assert_eq!(source.fetches(), 1);
}

#[tokio::test]
async fn a_slow_fetch_holds_up_no_read_of_another_name() {
    let (source, cache, request) = shop();
    let other = ssm("/shop/stage").request().clone();
    source.set(&other, text("prod"));
    let gate = source.hold(&request);
    let slow = tokio::spawn(ssm("/shop/url").get_from(cache, source.clone(), FAST));
    tokio::task::yield_now().await;
    assert_eq!(
        ssm("/shop/stage").get_from(cache, source.clone(), FAST).await.unwrap(),
        "prod",
        "read while /shop/url is held"
    );
    assert!(!slow.is_finished());
    gate.add_permits(1);
    assert_eq!(slow.await.unwrap().unwrap(), "https://v1");
}

#[tokio::test]
async fn a_failure_is_shared_by_the_concurrent_reads_and_not_cached() {
    let (source, cache, request) = shop();
    source.fail_next([FetchErrorKind::Failed]);
    let gate = source.hold(&request);
    let reads = (0..20).map(|_| ssm("/shop/url").get_from(cache, source.clone(), FAST));
    let (outcomes, ()) = tokio::join!(join_all(reads), async {
        tokio::task::yield_now().await;
        gate.add_permits(2);
    });
    assert_eq!(source.fetches(), 1, "one failed fetch for twenty reads");
    for outcome in &outcomes {
        let err = outcome.as_ref().unwrap_err();
        assert_eq!(err.code(), 502);
        assert_eq!(
            err.message(),
            "the SSM parameter `/shop/url` could not be read: InjectedFailure; check the function's permissions and the name"
        );
    }
    assert_eq!(
        ssm("/shop/url").get_from(cache, source.clone(), FAST).await.unwrap(),
        "https://v1",
        "the failure was not stored"
    );
    assert_eq!(source.fetches(), 2);
}

#[tokio::test]
async fn throttling_is_tried_again_and_gives_up_after_the_attempts() {
    let (source, cache, _) = shop();
    source.fail_next([FetchErrorKind::Transient, FetchErrorKind::Transient]);
    assert_eq!(
        ssm("/shop/url").get_from(cache, source.clone(), FAST).await.unwrap(),
        "https://v1"
    );
    assert_eq!(source.fetches(), 3);

    source.fail_next([FetchErrorKind::Transient; 5]);
    let err = ssm("/shop/url")
        .force_fetch()
        .get_from(cache, source.clone(), FAST)
        .await
        .unwrap_err();
    assert_eq!(source.fetches(), 3 + FAST.attempts as usize);
    assert_eq!(err.code(), 502);
    assert!(
        err.message().starts_with(
            "the SSM parameter `/shop/url` could not be read (InjectedFailure) after 5 attempt(s) within the deadline"
        ),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn past_the_invocation_s_deadline_one_attempt_is_made_and_none_again() {
    let (source, cache, _) = shop();
    let past = SystemTime::now() - Duration::from_secs(1);
    let read = || {
        Invocation::new("late")
            .with_deadline(past)
            .scope(ssm("/shop/url").force_fetch().get_from(cache, source.clone(), FAST))
    };
    assert_eq!(read().await.unwrap(), "https://v1", "a healthy store still answers");
    source.fail_next([FetchErrorKind::Transient]);
    let err = read().await.unwrap_err();
    assert_eq!(
        (err.code().as_u16(), source.fetches()),
        (502, 2),
        "no retry past the deadline"
    );
    assert_eq!(
        err.message(),
        "the SSM parameter `/shop/url` could not be read (InjectedFailure) after 1 attempt(s) within the deadline; the store is throttling or unreachable, try again later"
    );
}

#[tokio::test]
async fn a_missing_value_is_a_404_naming_it() {
    let source = TestSource::new();
    let err = secret("shop/api-key")
        .get_from(fresh_cache(), source, FAST)
        .await
        .unwrap_err();
    assert_eq!(err.code(), 404);
    assert_eq!(
        err.message(),
        "the secret `shop/api-key` does not exist; create it or fix the name"
    );
}

#[test]
fn the_future_of_get_is_send_and_static() {
    fn send_static<F: Future + Send + 'static>(_: &F) {}
    #[derive(serde::Deserialize)]
    struct Flags {}
    let name = String::from("/owned/name");
    send_static(&ssm(name).json::<Flags>().max_age(Duration::from_secs(1)).get());
    send_static(&secret("shop/api-key").force_fetch().get());
    send_static(&ssm_path("/shop/").recursive().auto().get());
    send_static(&app_config("shop", "prod", "flags").base64().get());
    send_static(&dynamodb_many("config", "limits").json::<u32>().get());
}

#[tokio::test]
async fn a_secret_is_redacted_in_debug_and_in_logged_lines() {
    // Every probe in scope, as the generated code has them: the view must win.
    #[allow(unused_imports)]
    use crate::logging::render::{RenderValue as _, ViaDebug as _, ViaLogView as _, ViaSerialize as _, Wrap};
    let source = TestSource::new();
    source.set(&secret("shop/api-key").request().clone(), text("hunter2"));
    let key: SecretString = secret("shop/api-key")
        .get_from(fresh_cache(), source, FAST)
        .await
        .unwrap();
    assert_eq!(key.expose_secret(), "hunter2");
    assert_eq!(format!("{key:?}"), "SecretBox<str>([REDACTED])");
    // As `#[logged]` renders an argument or a return value, by value and by reference.
    let mut line = Vec::new();
    (&&&&Wrap(&key)).pypwext_render().render_json(&mut line);
    line.push(b' ');
    (&&&&Wrap(&&key)).pypwext_render().render_json(&mut line);
    assert_eq!(String::from_utf8(line).unwrap(), r#""[REDACTED]" "[REDACTED]""#);
}

#[test]
fn the_source_is_set_once() {
    // The first call may find it set already by no one: only this test sets it.
    let _ = set_source(InMemory::new());
    let err = set_source(InMemory::new()).unwrap_err();
    assert_eq!(err.code(), 500);
    assert!(err.message().starts_with("the parameters source is already set"));
}

#[tokio::test]
async fn in_memory_paths_read_one_level_unless_recursive() {
    let store: Arc<dyn Source> = Arc::new(
        InMemory::new()
            .with_ssm("/shop/stage", "prod")
            .with_ssm("/shop/db/host", "db.local")
            .with_ssm("/shopping/cart", "elsewhere"),
    );
    let cache = fresh_cache();
    let one_level = ssm_path("/shop").get_from(cache, store.clone(), FAST).await.unwrap();
    assert_eq!(one_level, [("stage".to_owned(), "prod".to_owned())].into());
    let all = ssm_path("/shop/")
        .recursive()
        .get_from(cache, store.clone(), FAST)
        .await
        .unwrap();
    assert_eq!(all.keys().map(String::as_str).collect::<Vec<_>>(), ["db/host", "stage"]);
    let err = ssm_names(["/shop/stage", "/shop/nope"])
        .get_from(cache, store, FAST)
        .await
        .unwrap_err();
    assert_eq!(err.code(), 404);
    assert_eq!(
        err.message(),
        "the SSM parameters `/shop/stage`, `/shop/nope` cannot be read: `/shop/nope` does not exist; create it or fix the name"
    );
}
