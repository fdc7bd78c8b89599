use pypwext::batch::DynamodbEventRecord;
use pypwext::{batch_response, Json, PwError};

// Not a record of any source.
#[batch_response]
async fn not_a_record(text: &String) -> Result<(), PwError> {
    let _ = text;
    Ok(())
}

// A DynamoDB stream record has no JSON body.
#[batch_response]
async fn json_of_dynamodb(record: &DynamodbEventRecord, Json(value): Json<serde_json::Value>) -> Result<(), PwError> {
    let _ = (record, value);
    Ok(())
}

// A record's function returns a `Result`.
#[batch_response(source = DynamoDb)]
async fn not_a_result(record: &DynamodbEventRecord) -> u32 {
    let _ = record;
    7
}

fn main() {}
