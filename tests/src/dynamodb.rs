//! A DynamoDB client for moto's server, and the idempotency table in
//! Powertools' layout (partition key `id`, a string).

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};

/// A client of moto's DynamoDB at `endpoint` (plain HTTP on loopback; moto
/// takes any credentials).
pub fn client(endpoint: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    Client::from_conf(config)
}

/// Creates the table `name` as Powertools documents it: `id` (S) as the key.
pub async fn create_table(client: &Client, name: &str) {
    create_table_keyed(client, name, "id").await;
}

/// Creates the table `name` with the string partition key `key`.
pub async fn create_table_keyed(client: &Client, name: &str, key: &str) {
    client
        .create_table()
        .table_name(name)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(key)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("a whole attribute definition"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(key)
                .key_type(KeyType::Hash)
                .build()
                .expect("a whole key schema"),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("moto creates the table");
}

/// A client like [`client`] whose every operation gives up after `timeout`,
/// without retries.
pub fn client_with_timeout(endpoint: &str, timeout: std::time::Duration) -> Client {
    let config = client(endpoint)
        .config()
        .to_builder()
        .timeout_config(
            aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
                .operation_timeout(timeout)
                .build(),
        )
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .build();
    Client::from_conf(config)
}
