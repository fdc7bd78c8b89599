//! What a read through `pypwext::parameters` costs: a first read (one
//! `GetParameter` to moto's server on loopback) next to the same call made
//! by hand with the SDK client, and a cached read (a string, and JSON into a
//! struct). Run with `cargo bench -p pypwext-tests --bench parameters`
//! (moto's server from the test venv, as `scripts/test.sh` installs it).

mod common;

use std::hint::black_box;

use criterion::Criterion;
use pypwext::parameters::{self, AwsSource};
use pypwext_tests::moto::Moto;
use pypwext_tests::parameters::sdk_config;

#[derive(serde::Deserialize)]
#[allow(dead_code)] // read to be built
struct Limits {
    currency: String,
    max_items: u32,
}

fn bench(c: &mut Criterion, moto: &Moto) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = runtime.block_on(async {
        let config = sdk_config(moto.endpoint()).await;
        let client = aws_sdk_ssm::Client::new(&config);
        for (name, value) in [
            ("/bench/url", "https://offers.example"),
            ("/bench/limits", r#"{"currency": "EUR", "max_items": 12}"#),
        ] {
            client
                .put_parameter()
                .name(name)
                .value(value)
                .r#type(aws_sdk_ssm::types::ParameterType::String)
                .send()
                .await
                .unwrap();
        }
        parameters::set_source(AwsSource::from_config(&config)).unwrap();
        client
    });
    let by_hand = || async {
        client
            .get_parameter()
            .name("/bench/url")
            .with_decryption(true)
            .send()
            .await
            .unwrap()
            .parameter
            .and_then(|parameter| parameter.value)
            .unwrap()
    };
    let first = || parameters::ssm("/bench/url").force_fetch().get();
    assert_eq!(runtime.block_on(by_hand()), runtime.block_on(first()).unwrap());

    let mut group = c.benchmark_group("parameters");
    group.bench_function("by_hand_sdk_get_parameter", |b| {
        b.iter(|| black_box(runtime.block_on(by_hand())))
    });
    group.bench_function("first_read", |b| {
        b.iter(|| black_box(runtime.block_on(first()).unwrap()))
    });
    group.bench_function("cached_read", |b| {
        b.iter(|| black_box(runtime.block_on(parameters::ssm("/bench/url").get()).unwrap()))
    });
    group.bench_function("cached_read_json", |b| {
        b.iter(|| {
            let limits: Limits = runtime.block_on(parameters::ssm("/bench/limits").json().get()).unwrap();
            black_box(limits)
        })
    });
    group.finish();
}

fn main() {
    let moto = Moto::start();
    let mut criterion = Criterion::default()
        .output_directory(&common::criterion_dir())
        .configure_from_args();
    bench(&mut criterion, &moto);
    criterion.final_summary();
    common::summary(
        "parameters benchmark summary",
        &[
            ("parameters", "by_hand_sdk_get_parameter"),
            ("parameters", "first_read"),
            ("parameters", "cached_read"),
            ("parameters", "cached_read_json"),
        ],
        &[
            (
                "first read / the same GetParameter by hand",
                ("parameters", "first_read"),
                ("parameters", "by_hand_sdk_get_parameter"),
                "pypwext's cache, single flight and retry around one call",
            ),
            (
                "first read / cached read",
                ("parameters", "first_read"),
                ("parameters", "cached_read"),
                "what the cache saves",
            ),
        ],
    );
}
