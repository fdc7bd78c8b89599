//! What a call answered: [`HttpResponse`], read whole, and
//! [`LambdaResponse`], a Lambda invocation's view of it.

use std::fmt;

use bytes::Bytes;
use http::StatusCode;
use http::header::HeaderMap;

use crate::errors::PwError;

/// An HTTP answer, read whole.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl HttpResponse {
    /// An answer from its parts.
    pub(super) fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        HttpResponse { status, headers, body }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body's bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON into `T`; a 502 naming the reason when it does not fit.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, PwError> {
        serde_json::from_slice(&self.body).map_err(|err| {
            PwError::new(
                StatusCode::BAD_GATEWAY,
                format!("the answer does not parse as the expected JSON: {err}"),
            )
            .with_details(self.error_details())
        })
    }

    /// The answer as error details: status and body (JSON when it is JSON).
    pub fn error_details(&self) -> serde_json::Value {
        let body = serde_json::from_slice::<serde_json::Value>(&self.body)
            .unwrap_or_else(|_| serde_json::Value::String(self.text()));
        serde_json::json!({ "status": self.status.as_u16(), "body": body })
    }

    /// `self`, or, for a status of 300 or more, a `PwError` with that status
    /// and the body in its details.
    pub fn error_for_status(self, function: &str) -> Result<HttpResponse, PwError> {
        if is_failure(self.status, &self.headers) {
            return Err(self.failure(function));
        }
        Ok(self)
    }

    /// The `PwError` of an answer that [`is_failure`]: a 502 for a Lambda
    /// function error, else the answer's own status; the body in the details.
    pub(super) fn failure(&self, function: &str) -> PwError {
        if let Some(kind) = self.headers.get(FUNCTION_ERROR) {
            let kind = String::from_utf8_lossy(kind.as_bytes()).into_owned();
            return PwError::new(
                StatusCode::BAD_GATEWAY,
                format!("{function}: the function failed ({kind})"),
            )
            .with_details(self.error_details());
        }
        PwError::new(self.status, format!("{function}: the service answered {}", self.status))
            .with_details(self.error_details())
    }
}

/// The header with which a Lambda function that failed answers 200.
const FUNCTION_ERROR: &str = "x-amz-function-error";

/// Whether an answer is an error for every return type but `response`
/// parameters and `LambdaResponse`: a status of 300 or more, or a Lambda
/// function error.
pub(super) fn is_failure(status: StatusCode, headers: &HeaderMap) -> bool {
    status.as_u16() >= 300 || headers.contains_key(FUNCTION_ERROR)
}

impl fmt::Display for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} bytes)", self.status, self.body.len())
    }
}

/// What a Lambda invocation answered (`FUNC`/`EVENT`).
///
/// As the `Ok` type (or the `response` parameter) of an `#[http_method]`
/// invocation it is whatever Lambda answered, a function error or a 404
/// included; from [`LambdaRequest::send`](super::LambdaRequest::send) it is
/// an answer under 300 of a function that ran without error (the others are
/// a `PwError` with the status and the payload).
#[derive(Debug, Clone)]
pub struct LambdaResponse {
    response: HttpResponse,
}

impl LambdaResponse {
    /// The status: 200 for `FUNC`, 202 for `EVENT`, 204 for a dry run.
    pub fn status(&self) -> StatusCode {
        self.response.status
    }

    /// `Unhandled` or `Handled` when the function failed (`X-Amz-Function-Error`).
    pub fn function_error(&self) -> Option<String> {
        self.header("x-amz-function-error")
    }

    /// The tail of the function's log (`X-Amz-Log-Result`, base64-decoded), when asked for.
    pub fn log_result(&self) -> Option<String> {
        use base64::Engine as _;
        let raw = self.header("x-amz-log-result")?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(raw).ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The version that ran (`X-Amz-Executed-Version`).
    pub fn executed_version(&self) -> Option<String> {
        self.header("x-amz-executed-version")
    }

    /// The payload the function returned.
    pub fn payload(&self) -> &Bytes {
        &self.response.body
    }

    /// The payload parsed as JSON into `T`.
    pub fn payload_json<T: serde::de::DeserializeOwned>(&self) -> Result<T, PwError> {
        self.response.json()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.response
            .headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }
}

impl From<HttpResponse> for LambdaResponse {
    fn from(response: HttpResponse) -> Self {
        LambdaResponse { response }
    }
}

/// Reads an answer's body whole.
pub fn read(function: &str, response: reqwest::Response) -> super::CallFuture<'_, HttpResponse> {
    Box::pin(read_whole(function, response))
}

async fn read_whole(function: &str, response: reqwest::Response) -> Result<HttpResponse, PwError> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|err| {
        let code = if err.is_timeout() {
            StatusCode::GATEWAY_TIMEOUT
        } else {
            StatusCode::BAD_GATEWAY
        };
        PwError::new(code, format!("{function}: reading the answer failed: {err}")).with_source(err)
    })?;
    Ok(HttpResponse::new(status, headers, body))
}
