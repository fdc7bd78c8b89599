//! `PwResponse` stored and read back (`Serialize`, `Deserialize`): every part
//! that makes the answer, so a stored response (as `#[idempotent]` keeps it)
//! answers with the same status, headers, content type and body.

use http::StatusCode;
use http::header::{HeaderName, HeaderValue};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::{PwResponse, ResponseBody};
use crate::errors::PwError;

/// A [`PwResponse`] as it is stored: every part that makes the answer.
#[derive(Serialize)]
struct StoredRef<'a> {
    status: u16,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    headers: Vec<(&'a str, &'a str)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<&'a str>,
    #[serde(flatten)]
    body: StoredBodyRef<'a>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [PwError],
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum StoredBodyRef<'a> {
    Json(&'a Value),
    Object(&'a Map<String, Value>),
    Text(&'a str),
}

#[derive(Deserialize)]
struct Stored {
    status: u16,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(flatten)]
    body: StoredBody,
    #[serde(default)]
    errors: Vec<PwError>,
    #[serde(default)]
    problem: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum StoredBody {
    Json(Value),
    Object(Map<String, Value>),
    Text(String),
}

impl Serialize for PwResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let extra = self.extra.as_deref();
        let mut headers = Vec::new();
        if let Some(extra) = extra {
            for (name, value) in &extra.headers {
                let value = value.to_str().map_err(|_| {
                    serde::ser::Error::custom(format_args!(
                        "the value of header {name:?} is not visible ASCII and cannot be stored"
                    ))
                })?;
                headers.push((name.as_str(), value));
            }
        }
        StoredRef {
            status: self.status.as_u16(),
            headers,
            content_type: extra.and_then(|extra| extra.content_type.as_deref()),
            body: match &self.body {
                ResponseBody::Object(map) => StoredBodyRef::Object(map),
                ResponseBody::Json(value) => StoredBodyRef::Json(value),
                ResponseBody::Text(text) => StoredBodyRef::Text(text),
            },
            errors: &self.errors,
            problem: extra.and_then(|extra| extra.problem.as_deref()),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PwResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let stored = Stored::deserialize(deserializer)?;
        let status = StatusCode::from_u16(stored.status)
            .map_err(|_| D::Error::custom(format_args!("{} is not an HTTP status code", stored.status)))?;
        let mut response = PwResponse::new(status);
        response.body = match stored.body {
            StoredBody::Object(map) => ResponseBody::Object(map),
            StoredBody::Json(value) => ResponseBody::Json(value),
            StoredBody::Text(text) => ResponseBody::Text(text),
        };
        response.errors = stored.errors;
        if !stored.headers.is_empty() || stored.content_type.is_some() || stored.problem.is_some() {
            let extra = response.extra_mut();
            for (name, value) in stored.headers {
                let name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| D::Error::custom(format_args!("{name:?} is not a valid header name")))?;
                let value = HeaderValue::from_str(&value)
                    .map_err(|_| D::Error::custom(format_args!("the value of header {name:?} is not valid")))?;
                extra.headers.append(name, value);
            }
            extra.content_type = stored.content_type;
            extra.problem = stored.problem;
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::ErrorAction;
    use crate::service::response::MergeOptions;
    use serde_json::json;

    const SHOW_ERRORS: MergeOptions = MergeOptions {
        just_status_code: false,
        code_from_error: true,
        raised: false,
    };

    fn not_found(msg: &str) -> PwError {
        PwError::new(StatusCode::NOT_FOUND, msg.to_owned()).with_action(ErrorAction::Continue)
    }

    /// The HTTP response a `PwResponse` makes, as parts that compare.
    fn answer(response: PwResponse) -> (StatusCode, Vec<(String, String)>, String) {
        let http = response.into_http(vec![], &SHOW_ERRORS).unwrap();
        let headers = http
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect();
        let body = match http.body() {
            lambda_http::Body::Text(text) => text.clone(),
            other => panic!("not a text body: {other:?}"),
        };
        (http.status(), headers, body)
    }

    #[test]
    fn a_stored_response_answers_with_the_same_bytes() {
        let responses = [
            PwResponse::new(StatusCode::CREATED)
                .with_field("order_id", 42)
                .with_header("x-request-id", "abc")
                .with_header("set-cookie", "a=1")
                .with_header("set-cookie", "b=2"),
            PwResponse::ok()
                .with_json(json!([1, "two"]))
                .with_content_type("application/vnd.shop+json"),
            PwResponse::ok().with_text("héllo"),
            PwResponse::ok().with_json(json!({"a": 1})),
            PwResponse::new(StatusCode::ACCEPTED).with_error(not_found("x").with_details(json!({"k": 1}))),
        ];
        for response in responses {
            let stored = serde_json::to_string(&response).unwrap();
            let loaded: PwResponse = serde_json::from_str(&stored).unwrap();
            assert_eq!(answer(loaded), answer(response), "{stored}");
        }
        let stored = serde_json::to_value(
            PwResponse::new(StatusCode::CREATED)
                .with_field("id", 1)
                .with_header("x-a", "1"),
        )
        .unwrap();
        assert_eq!(
            stored,
            json!({"status": 201, "headers": [["x-a", "1"]], "object": {"id": 1}})
        );
        // A builder problem round-trips too: still a logged 500.
        let broken: PwResponse =
            serde_json::from_str(&serde_json::to_string(&PwResponse::ok().with_text("t").with_field("k", 1)).unwrap())
                .unwrap();
        assert!(
            broken
                .into_http(vec![], &SHOW_ERRORS)
                .unwrap_err()
                .contains("not a JSON object")
        );
    }

    #[test]
    fn a_stored_response_that_cannot_be_read_says_why() {
        let error = serde_json::from_str::<PwResponse>(r#"{"status": 1000, "object": {}}"#).unwrap_err();
        assert!(error.to_string().contains("1000 is not an HTTP status code"), "{error}");
        assert!(
            serde_json::from_str::<PwResponse>(r#"{"status": 200}"#).is_err(),
            "no body"
        );
    }
}
