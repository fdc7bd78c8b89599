//! The DynamoDB store, in Powertools' table layout and with its conditional
//! write: a repeated request costs one write, which fails and gives back the
//! record in the way (`ReturnValuesOnConditionCheckFailure=ALL_OLD`).

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use tokio::sync::OnceCell;

use super::record::{Attributes, Now, Record, Status};
use super::store::{Claim, Store, StoreError, StoreFuture};

/// How long one DynamoDB call may take with the client pypwext builds: a
/// store that does not answer is a 502 well inside a Lambda timeout.
pub const DEFAULT_DYNAMODB_TIMEOUT: Duration = Duration::from_secs(3);

/// Powertools' condition for the `INPROGRESS` write: no record, an expired
/// one, or an `INPROGRESS` one past its in-progress expiry.
const CONDITION: &str = "attribute_not_exists(#id) OR #expiry < :now \
     OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)";

/// Records in a DynamoDB table with Powertools' layout: partition key `id`
/// (a string), and the attributes of [`Attributes`].
///
/// The client is built on first use from the environment (as `aws-config`
/// reads it in Lambda: credentials, region, `AWS_ENDPOINT_URL`), with
/// [`DEFAULT_DYNAMODB_TIMEOUT`] per call, unless one is given.
#[derive(Debug)]
pub struct DynamoDbStore {
    table: String,
    attributes: Attributes,
    client: OnceCell<Client>,
}

impl DynamoDbStore {
    /// The table `table`, Powertools' attribute names, the client from the
    /// environment.
    pub fn new(table: impl Into<String>) -> Self {
        DynamoDbStore {
            table: table.into(),
            attributes: Attributes::default(),
            client: OnceCell::new(),
        }
    }

    /// Uses `client` instead of one built from the environment.
    #[must_use]
    pub fn client(mut self, client: Client) -> Self {
        self.client = OnceCell::from(client);
        self
    }

    /// Renames the attributes (as Powertools' `key_attr`, `expiry_attr`, …).
    #[must_use]
    pub fn attributes(mut self, attributes: Attributes) -> Self {
        self.attributes = attributes;
        self
    }

    async fn sdk_client(&self) -> &Client {
        self.client
            .get_or_init(|| async {
                let shared = crate::aws_sdk::shared_config().await;
                let config = aws_sdk_dynamodb::config::Builder::from(shared)
                    .timeout_config(
                        TimeoutConfig::builder()
                            .operation_timeout(DEFAULT_DYNAMODB_TIMEOUT)
                            .build(),
                    )
                    .build();
                Client::from_conf(config)
            })
            .await
    }

    fn key(&self, id: &str) -> HashMap<String, AttributeValue> {
        HashMap::from([(self.attributes.key.clone(), AttributeValue::S(id.to_owned()))])
    }

    fn failed(&self, operation: &str, error: impl std::error::Error) -> StoreError {
        StoreError::new(format!(
            "{operation} on table `{}`: {}",
            self.table,
            DisplayErrorContext(error)
        ))
    }

    /// A stored item as a record; an item not in Powertools' layout is an error.
    fn record(&self, item: &HashMap<String, AttributeValue>) -> Result<Record, StoreError> {
        let names = &self.attributes;
        let text = |name: &str| item.get(name).and_then(|value| value.as_s().ok()).cloned();
        let number = |name: &str| -> Result<Option<u64>, StoreError> {
            match item.get(name) {
                None => Ok(None),
                Some(value) => value
                    .as_n()
                    .ok()
                    .and_then(|n| n.parse::<u64>().ok())
                    .map(Some)
                    .ok_or_else(|| self.not_a_record(item, &format!("`{name}` is not a whole number"))),
            }
        };
        let id = text(&names.key).ok_or_else(|| self.not_a_record(item, &format!("`{}` is missing", names.key)))?;
        let status = text(&names.status)
            .and_then(|word| Status::parse(&word))
            .ok_or_else(|| self.not_a_record(item, &format!("`{}` is not INPROGRESS or COMPLETED", names.status)))?;
        let expiration =
            number(&names.expiry)?.ok_or_else(|| self.not_a_record(item, &format!("`{}` is missing", names.expiry)))?;
        Ok(Record {
            id,
            status,
            expiration,
            in_progress_expiration: number(&names.in_progress_expiry)?,
            data: text(&names.data),
            validation: text(&names.validation),
        })
    }

    fn not_a_record(&self, item: &HashMap<String, AttributeValue>, why: &str) -> StoreError {
        let id = item
            .get(&self.attributes.key)
            .and_then(|value| value.as_s().ok())
            .map_or("?", String::as_str);
        StoreError::new(format!(
            "the item `{id}` in table `{}` is not an idempotency record in Powertools' layout ({why}); check the table and the attribute names",
            self.table
        ))
    }
}

impl Store for DynamoDbStore {
    fn describe(&self) -> String {
        format!("DynamoDB table `{}`", self.table)
    }

    fn put_in_progress<'a>(&'a self, record: &'a Record, now: Now) -> StoreFuture<'a, Claim> {
        Box::pin(async move {
            let names = &self.attributes;
            let mut item = self.key(&record.id);
            item.insert(names.expiry.clone(), AttributeValue::N(record.expiration.to_string()));
            item.insert(
                names.status.clone(),
                AttributeValue::S(record.status.as_str().to_owned()),
            );
            if let Some(millis) = record.in_progress_expiration {
                item.insert(names.in_progress_expiry.clone(), AttributeValue::N(millis.to_string()));
            }
            if let Some(validation) = &record.validation {
                item.insert(names.validation.clone(), AttributeValue::S(validation.clone()));
            }
            let written = self
                .sdk_client()
                .await
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression(CONDITION)
                .expression_attribute_names("#id", &names.key)
                .expression_attribute_names("#expiry", &names.expiry)
                .expression_attribute_names("#in_progress_expiry", &names.in_progress_expiry)
                .expression_attribute_names("#status", &names.status)
                .expression_attribute_values(":now", AttributeValue::N(now.seconds.to_string()))
                .expression_attribute_values(":now_in_millis", AttributeValue::N(now.millis.to_string()))
                .expression_attribute_values(":inprogress", AttributeValue::S(Status::InProgress.as_str().to_owned()))
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                .send()
                .await;
            match written {
                Ok(_) => Ok(Claim::Written),
                Err(error) => match error.into_service_error() {
                    PutItemError::ConditionalCheckFailedException(failed) => match failed.item() {
                        Some(item) => Ok(Claim::Exists(Some(self.record(item)?))),
                        None => Ok(Claim::Exists(None)),
                    },
                    other => Err(self.failed("PutItem", other)),
                },
            }
        })
    }

    fn complete<'a>(&'a self, record: &'a Record) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let names = &self.attributes;
            // As Powertools: an update of data, expiry and status (and the
            // payload hash), keyed by id.
            let mut update = "SET #data = :data, #expiry = :expiry, #status = :status".to_owned();
            let mut request = self
                .sdk_client()
                .await
                .update_item()
                .table_name(&self.table)
                .set_key(Some(self.key(&record.id)))
                .expression_attribute_names("#data", &names.data)
                .expression_attribute_names("#expiry", &names.expiry)
                .expression_attribute_names("#status", &names.status)
                .expression_attribute_values(":data", AttributeValue::S(record.data.clone().unwrap_or_default()))
                .expression_attribute_values(":expiry", AttributeValue::N(record.expiration.to_string()))
                .expression_attribute_values(":status", AttributeValue::S(record.status.as_str().to_owned()));
            if let Some(validation) = &record.validation {
                update.push_str(", #validation = :validation");
                request = request
                    .expression_attribute_names("#validation", &names.validation)
                    .expression_attribute_values(":validation", AttributeValue::S(validation.clone()));
            }
            request
                .update_expression(update)
                .send()
                .await
                .map(drop)
                .map_err(|error| self.failed("UpdateItem", error))
        })
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.sdk_client()
                .await
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(self.key(id)))
                .send()
                .await
                .map(drop)
                .map_err(|error| self.failed("DeleteItem", error))
        })
    }

    fn get<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Record>> {
        Box::pin(async move {
            let answer = self
                .sdk_client()
                .await
                .get_item()
                .table_name(&self.table)
                .set_key(Some(self.key(id)))
                .consistent_read(true)
                .send()
                .await
                .map_err(|error| self.failed("GetItem", error))?;
            answer.item().map(|item| self.record(item)).transpose()
        })
    }
}
