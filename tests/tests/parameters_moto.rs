//! `pypwext::parameters` against moto's server: SSM Parameter Store (one
//! name, a `SecureString`, several names, a path with and without
//! recursion), Secrets Manager (text, JSON, binary) and DynamoDB (Powertools'
//! `id`/`value` layout and its `id`/`sk`/`value` form), each value seeded
//! through the SDK here, read through the process's `AwsSource`.
//!
//! One test: moto runs once, and the process's source and cache are set once.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_sdk_ssm::types::ParameterType;
use pypwext::PwError;
use pypwext::parameters::{self, AutoValue, AwsSource, ExposeSecret as _, SecretSlice, SecretString};
use pypwext_tests::moto::Moto;
use pypwext_tests::parameters::sdk_config;

#[derive(Debug, serde::Deserialize, PartialEq)]
struct ShopConfig {
    currency: String,
    max_items: u32,
}

#[derive(serde::Deserialize)]
struct Database {
    username: String,
    password: SecretString,
}

#[test]
fn ssm_secrets_manager_and_dynamodb_through_moto() {
    let moto = Moto::start();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let config = sdk_config(moto.endpoint()).await;
            seed(&config).await;
            parameters::set_source(AwsSource::from_config(&config)).unwrap();
            ssm().await;
            secrets_manager().await;
            dynamodb().await;
        });
}

async fn seed(config: &aws_config::SdkConfig) {
    let ssm = aws_sdk_ssm::Client::new(config);
    for (name, value, kind) in [
        ("/shop/api-url", "https://offers.example", ParameterType::String),
        (
            "/shop/config",
            r#"{"currency": "EUR", "max_items": 12}"#,
            ParameterType::String,
        ),
        (
            "/shop/bad-config",
            r#"{"currency": "EUR", "max_items": "many"}"#,
            ParameterType::String,
        ),
        ("/shop/logo", "iVBORw==", ParameterType::String),
        ("/shop/db-password", "s3cret-ssm", ParameterType::SecureString),
        ("/shop/db/host", "db.internal", ParameterType::String),
        ("/shop/flags.json", r#"{"beta": true}"#, ParameterType::String),
    ] {
        ssm.put_parameter()
            .name(name)
            .value(value)
            .r#type(kind)
            .send()
            .await
            .unwrap_or_else(|err| panic!("seeding {name}: {err:?}"));
    }

    let secrets = aws_sdk_secretsmanager::Client::new(config);
    secrets
        .create_secret()
        .name("shop/api-key")
        .secret_string("s3cret-key")
        .send()
        .await
        .unwrap();
    secrets
        .create_secret()
        .name("shop/db")
        .secret_string(r#"{"username": "ada", "password": "s3cret-db"}"#)
        .send()
        .await
        .unwrap();
    secrets
        .create_secret()
        .name("shop/certificate")
        .secret_binary(aws_sdk_secretsmanager::primitives::Blob::new(vec![0, 159, 146, 150]))
        .send()
        .await
        .unwrap();

    let dynamodb = aws_sdk_dynamodb::Client::new(config);
    for (table, sorted) in [("config", false), ("config-sorted", true)] {
        let mut create = dynamodb
            .create_table()
            .table_name(table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute("id"))
            .key_schema(key("id", KeyType::Hash));
        if sorted {
            create = create
                .attribute_definitions(attribute("sk"))
                .key_schema(key("sk", KeyType::Range));
        }
        create.send().await.unwrap();
    }
    let item = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), AttributeValue::S((*value).to_owned())))
            .collect::<std::collections::HashMap<_, _>>()
    };
    for (table, pairs) in [
        ("config", vec![("id", "order-limit"), ("value", "25")]),
        ("config", vec![("id", "no-value"), ("other", "x")]),
        (
            "config-sorted",
            vec![("id", "limits"), ("sk", "orders"), ("value", "25")],
        ),
        (
            "config-sorted",
            vec![("id", "limits"), ("sk", "items.json"), ("value", "[1, 2]")],
        ),
        ("config-sorted", vec![("id", "other"), ("sk", "x"), ("value", "y")]),
    ] {
        dynamodb
            .put_item()
            .table_name(table)
            .set_item(Some(item(&pairs)))
            .send()
            .await
            .unwrap();
    }
}

fn attribute(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .unwrap()
}

fn key(name: &str, kind: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .unwrap()
}

fn assert_error(err: PwError, code: u16, message: &str) {
    assert_eq!((err.code().as_u16(), err.message()), (code, message));
}

async fn ssm() {
    let url: String = parameters::ssm("/shop/api-url").get().await.unwrap();
    assert_eq!(url, "https://offers.example");
    let config: ShopConfig = parameters::ssm("/shop/config").json().get().await.unwrap();
    assert_eq!(
        config,
        ShopConfig {
            currency: "EUR".to_owned(),
            max_items: 12
        }
    );
    let logo: Vec<u8> = parameters::ssm("/shop/logo").base64().get().await.unwrap();
    assert_eq!(logo, [0x89, b'P', b'N', b'G']);
    let password: String = parameters::ssm("/shop/db-password").get().await.unwrap();
    assert_eq!(password, "s3cret-ssm", "a SecureString comes back decrypted");

    let both: BTreeMap<String, String> = parameters::ssm_names(["/shop/api-url", "/shop/db/host"])
        .get()
        .await
        .unwrap();
    assert_eq!(
        both,
        BTreeMap::from([
            ("/shop/api-url".to_owned(), "https://offers.example".to_owned()),
            ("/shop/db/host".to_owned(), "db.internal".to_owned()),
        ])
    );

    let level: BTreeMap<String, String> = parameters::ssm_path("/shop/").get().await.unwrap();
    assert_eq!(
        level.keys().map(String::as_str).collect::<Vec<_>>(),
        ["api-url", "bad-config", "config", "db-password", "flags.json", "logo"],
        "one level, keys relative to the path"
    );
    let all: BTreeMap<String, AutoValue> = parameters::ssm_path("/shop").recursive().auto().get().await.unwrap();
    assert_eq!(all["db/host"], AutoValue::Text("db.internal".to_owned()));
    assert_eq!(all["flags.json"], AutoValue::Json(serde_json::json!({"beta": true})));
    assert_eq!(all.len(), 7);

    let missing = parameters::ssm("/shop/nope").get().await.unwrap_err();
    assert_error(
        missing,
        404,
        "the SSM parameter `/shop/nope` does not exist; create it or fix the name",
    );
    let some_missing = parameters::ssm_names(["/shop/api-url", "/shop/nope"])
        .get()
        .await
        .unwrap_err();
    assert_error(
        some_missing,
        404,
        "the SSM parameters `/shop/api-url`, `/shop/nope` cannot be read: `/shop/nope` does not exist; create it or fix the name",
    );
    let bad = parameters::ssm("/shop/bad-config")
        .json::<ShopConfig>()
        .get()
        .await
        .unwrap_err();
    assert_error(
        bad,
        500,
        "the SSM parameter `/shop/bad-config` does not fit `ShopConfig` at `max_items`: a value of the wrong type or out of range; fix the value or the type",
    );
}

async fn secrets_manager() {
    let key: SecretString = parameters::secret("shop/api-key").get().await.unwrap();
    assert_eq!(key.expose_secret(), "s3cret-key");
    assert!(!format!("{key:?}").contains("s3cret"));

    let db: Database = parameters::secret("shop/db").json().get().await.unwrap();
    assert_eq!(
        (db.username.as_str(), db.password.expose_secret()),
        ("ada", "s3cret-db")
    );

    let certificate: SecretSlice<u8> = parameters::secret("shop/certificate").base64().get().await.unwrap();
    assert_eq!(certificate.expose_secret(), [0, 159, 146, 150]);

    let missing = parameters::secret("shop/nope").get().await.unwrap_err();
    assert_error(
        missing,
        404,
        "the secret `shop/nope` does not exist; create it or fix the name",
    );
}

async fn dynamodb() {
    let limit: String = parameters::dynamodb("config", "order-limit").get().await.unwrap();
    assert_eq!(limit, "25");
    let typed: u32 = parameters::dynamodb("config", "order-limit")
        .json()
        .get()
        .await
        .unwrap();
    assert_eq!(typed, 25);

    let limits: BTreeMap<String, AutoValue> = parameters::dynamodb_many("config-sorted", "limits")
        .auto()
        .get()
        .await
        .unwrap();
    assert_eq!(
        limits,
        BTreeMap::from([
            ("items.json".to_owned(), AutoValue::Json(serde_json::json!([1, 2]))),
            ("orders".to_owned(), AutoValue::Text("25".to_owned())),
        ])
    );

    assert_error(
        parameters::dynamodb("config", "nope").get().await.unwrap_err(),
        404,
        "the DynamoDB value `nope` of table `config` does not exist; create it or fix the name",
    );
    assert_error(
        parameters::dynamodb("no-such-table", "x").get().await.unwrap_err(),
        404,
        "the DynamoDB value `x` of table `no-such-table` cannot be read: the table `no-such-table` does not exist; create it or fix the name",
    );
    assert_error(
        parameters::dynamodb("config", "no-value").get().await.unwrap_err(),
        502,
        "the DynamoDB value `no-value` of table `config` could not be read: the item has no `value` attribute; store it in Powertools' layout (id, sk, value); check the function's permissions and the name",
    );
}
