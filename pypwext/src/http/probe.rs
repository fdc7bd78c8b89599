//! The probes `#[http_method]` code calls to turn a body argument into a
//! request body and an answer into the function's `Ok` type. The code calls
//! them on `&&&&Probe`: method lookup takes the impl for the most `&`s that
//! applies, so text beats bytes beats JSON, and `LambdaResponse` or
//! `HttpResponse` beat `String` or `()`, which beat JSON. Every decoder but
//! `LambdaResponse`'s answers a status of 300 or more with a `PwError`.

use bytes::Bytes;
use http::StatusCode;

use super::response::{HttpResponse, LambdaResponse};
use crate::errors::PwError;

/// A request body: text and bytes as they are, anything else as JSON.
#[derive(Debug)]
pub struct RequestBody(pub(crate) Bytes);

/// The probe the generated code calls `.pypwext_body()` on.
pub struct BodyProbe<'a, T: ?Sized>(pub &'a T);

/// Text, sent as is.
pub trait BodyText {
    /// The body.
    fn pypwext_body(&self) -> Result<RequestBody, PwError>;
}
impl<T: AsRef<str> + ?Sized> BodyText for &&&BodyProbe<'_, T> {
    fn pypwext_body(&self) -> Result<RequestBody, PwError> {
        Ok(RequestBody(Bytes::copy_from_slice(self.0.as_ref().as_bytes())))
    }
}

/// Bytes, sent as they are.
pub trait BodyBytes {
    /// The body.
    fn pypwext_body(&self) -> Result<RequestBody, PwError>;
}
impl<T: AsRef<[u8]> + ?Sized> BodyBytes for &&BodyProbe<'_, T> {
    fn pypwext_body(&self) -> Result<RequestBody, PwError> {
        Ok(RequestBody(Bytes::copy_from_slice(self.0.as_ref())))
    }
}

/// Anything serializable, as JSON.
pub trait BodyJson {
    /// The body.
    fn pypwext_body(&self) -> Result<RequestBody, PwError>;
}
impl<T: serde::Serialize + ?Sized> BodyJson for &BodyProbe<'_, T> {
    fn pypwext_body(&self) -> Result<RequestBody, PwError> {
        serde_json::to_vec(self.0)
            .map(|v| RequestBody(v.into()))
            .map_err(|err| {
                PwError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the request body cannot be serialized: {err}"),
                )
            })
    }
}

/// The probe the generated code calls `.pypwext_decode(response)` on, to
/// turn an answer into the function's `Ok` type.
pub struct DecodeProbe<T>(std::marker::PhantomData<fn() -> T>);

impl<T> DecodeProbe<T> {
    /// A probe for `T`.
    pub fn new() -> Self {
        DecodeProbe(std::marker::PhantomData)
    }
}

impl<T> Default for DecodeProbe<T> {
    fn default() -> Self {
        DecodeProbe::new()
    }
}

/// `LambdaResponse`: the invocation's answer itself.
pub trait DecodeLambda {
    /// The value.
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<LambdaResponse, PwError>;
}
impl DecodeLambda for &&&DecodeProbe<LambdaResponse> {
    fn pypwext_decode(&self, response: HttpResponse, _function: &str) -> Result<LambdaResponse, PwError> {
        Ok(LambdaResponse::from(response))
    }
}

/// `HttpResponse`: the answer itself when its status is under 300, else a
/// `PwError` with the status and the body, as for every other return type
/// (declare a `response` parameter to see every status).
pub trait DecodeResponse {
    /// The value.
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<HttpResponse, PwError>;
}
impl DecodeResponse for &&&DecodeProbe<HttpResponse> {
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<HttpResponse, PwError> {
        response.error_for_status(function)
    }
}

/// `String`: the body's text.
pub trait DecodeText {
    /// The value.
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<String, PwError>;
}
impl DecodeText for &&DecodeProbe<String> {
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<String, PwError> {
        Ok(response.error_for_status(function)?.text())
    }
}

/// `()`: nothing but a status under 300.
pub trait DecodeUnit {
    /// The value.
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<(), PwError>;
}
impl DecodeUnit for &&DecodeProbe<()> {
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<(), PwError> {
        response.error_for_status(function).map(drop)
    }
}

/// Any `T: DeserializeOwned`: the body parsed as JSON.
pub trait DecodeJson<T> {
    /// The value.
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<T, PwError>;
}
impl<T: serde::de::DeserializeOwned> DecodeJson<T> for &DecodeProbe<T> {
    fn pypwext_decode(&self, response: HttpResponse, function: &str) -> Result<T, PwError> {
        response.error_for_status(function)?.json()
    }
}
