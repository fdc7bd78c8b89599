//! The cache and the single flight of `pypwext::parameters`, counted on the
//! wire: a loopback proxy in front of moto's server forwards and counts
//! every request pypwext's SSM client makes.
//!
//! - 20 concurrent first reads of one parameter: 1 request;
//! - a cached read: 0 requests; a read after the max age: 1;
//! - a fetch that fails (the proxy closes connections: a network failure)
//!   is tried again (5 attempts, shared by 20 concurrent reads) and not
//!   stored: once the store answers, the next read fetches; a 404 is not
//!   stored either;
//! - under an invocation whose deadline is past, one attempt and no retry.
//!
//! One test: moto runs once, and the process's source and cache are set once.

use std::time::{Duration, SystemTime};

use futures_util::future::join_all;
use pypwext::lambda::Invocation;
use pypwext::parameters::{self, AwsSource};
use pypwext_tests::moto::Moto;
use pypwext_tests::parameters::{CountingProxy, sdk_config};

const GET: &str = "AmazonSSM.GetParameter";

#[test]
fn the_cache_and_the_single_flight_counted_on_the_wire() {
    let moto = Moto::start();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let seeding = aws_sdk_ssm::Client::new(&sdk_config(moto.endpoint()).await);
            let put = |name: &'static str, value: &'static str| {
                let seeding = seeding.clone();
                async move {
                    seeding
                        .put_parameter()
                        .name(name)
                        .value(value)
                        .r#type(aws_sdk_ssm::types::ParameterType::String)
                        .overwrite(true)
                        .send()
                        .await
                        .unwrap();
                }
            };
            put("/cache/url", "https://v1").await;
            put("/cache/flaky", "up").await;

            let proxy = CountingProxy::start(moto.endpoint()).await;
            parameters::set_source(AwsSource::from_config(&sdk_config(proxy.endpoint()).await)).unwrap();

            // 20 concurrent first reads: join_all polls each once before the
            // first request is answered, so all twenty share its fetch.
            let reads = (0..20).map(|_| parameters::ssm("/cache/url").get());
            let values = join_all(reads).await;
            assert!(
                values.iter().all(|value| value.as_deref().ok() == Some("https://v1")),
                "{values:?}"
            );
            assert_eq!(proxy.count(GET), 1, "20 concurrent first reads, one request");

            // A cached read: no request.
            put("/cache/url", "https://v2").await;
            let cached: String = parameters::ssm("/cache/url").get().await.unwrap();
            assert_eq!((cached.as_str(), proxy.count(GET)), ("https://v1", 1));

            // After the max age: one request, and the new value.
            tokio::time::sleep(Duration::from_millis(150)).await;
            let aged: String = parameters::ssm("/cache/url")
                .max_age(Duration::from_millis(100))
                .get()
                .await
                .unwrap();
            assert_eq!((aged.as_str(), proxy.count(GET)), ("https://v2", 2));

            // A store that fails: one fetch for 20 concurrent reads, tried 5
            // times, its 502 shared and not stored.
            proxy.set_failing(true);
            let reads = (0..20).map(|_| parameters::ssm("/cache/flaky").get());
            let failures = join_all(reads).await;
            assert_eq!(proxy.count(GET), 2 + 5, "one fetch, five attempts");
            for failure in failures {
                let err = failure.unwrap_err();
                assert_eq!(err.code(), 502);
                assert!(
                    err.message().starts_with(
                        "the SSM parameter `/cache/flaky` could not be read (network failure) after 5 attempt(s)"
                    ),
                    "{}",
                    err.message()
                );
            }
            proxy.set_failing(false);
            let recovered: String = parameters::ssm("/cache/flaky").get().await.unwrap();
            assert_eq!(
                (recovered.as_str(), proxy.count(GET)),
                ("up", 8),
                "the failure was not stored"
            );

            // A 404 is not stored either.
            let missing = parameters::ssm("/cache/later").get().await.unwrap_err();
            assert_eq!((missing.code().as_u16(), proxy.count(GET)), (404, 9));
            put("/cache/later", "now").await;
            let later: String = parameters::ssm("/cache/later").get().await.unwrap();
            assert_eq!((later.as_str(), proxy.count(GET)), ("now", 10));

            // No time left in the invocation: one attempt, no retry.
            proxy.set_failing(true);
            let late = Invocation::new("late")
                .with_deadline(SystemTime::now())
                .scope(parameters::ssm("/cache/other").get())
                .await
                .unwrap_err();
            assert_eq!((late.code().as_u16(), proxy.count(GET)), (502, 11));
            assert_eq!(proxy.total(), 11, "no request of another operation");
        });
}
