//! The probes `#[http_method]` code calls to turn a body argument into a
//! request body and an answer into the function's `Ok` type. The code calls
//! them on `&&&&Probe`: method lookup takes the impl for the most `&`s that
//! applies, so text beats bytes beats JSON, and `LambdaResponse` or
//! `HttpResponse` (or `HttpStream`) beat `String` or `()`, which beat JSON.
//! Every decoder but `LambdaResponse`'s answers a status of 300 or more with
//! a `PwError`. A decoder reads the body whole, except `HttpStream`'s.

use std::future::Future;

use bytes::Bytes;
use http::StatusCode;

use super::response::{HttpResponse, LambdaResponse, read};
use super::stream::{BodyStream, HttpStream};
use crate::errors::PwError;

/// A request body: text and bytes as they are, a [`BodyStream`] as it
/// comes, anything else as JSON.
#[derive(Debug)]
pub struct RequestBody(pub(crate) reqwest::Body);

/// A [`BodyStream`] parameter as the request body: taken by value, since it
/// is sent once.
pub fn stream_body(body: BodyStream) -> Result<RequestBody, PwError> {
    Ok(RequestBody(body.into()))
}

/// The probe the generated code calls `.pypwext_body()` on.
pub struct BodyProbe<'a, T: ?Sized>(pub &'a T);

/// Text, sent as is.
pub trait BodyText {
    /// The body.
    fn pypwext_body(&self) -> Result<RequestBody, PwError>;
}
impl<T: AsRef<str> + ?Sized> BodyText for &&&BodyProbe<'_, T> {
    fn pypwext_body(&self) -> Result<RequestBody, PwError> {
        Ok(RequestBody(Bytes::copy_from_slice(self.0.as_ref().as_bytes()).into()))
    }
}

/// Bytes, sent as they are.
pub trait BodyBytes {
    /// The body.
    fn pypwext_body(&self) -> Result<RequestBody, PwError>;
}
impl<T: AsRef<[u8]> + ?Sized> BodyBytes for &&BodyProbe<'_, T> {
    fn pypwext_body(&self) -> Result<RequestBody, PwError> {
        Ok(RequestBody(Bytes::copy_from_slice(self.0.as_ref()).into()))
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
            .map(|v| RequestBody(Bytes::from(v).into()))
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
    fn pypwext_decode(
        &self,
        response: reqwest::Response,
        function: &'static str,
    ) -> impl Future<Output = Result<LambdaResponse, PwError>> + Send;
}
impl DecodeLambda for &&&DecodeProbe<LambdaResponse> {
    async fn pypwext_decode(
        &self,
        response: reqwest::Response,
        function: &'static str,
    ) -> Result<LambdaResponse, PwError> {
        Ok(LambdaResponse::from(read(function, response).await?))
    }
}

/// `HttpResponse`: the answer itself when its status is under 300, else a
/// `PwError` with the status and the body, as for every other return type
/// (declare a `response` parameter to see every status).
pub trait DecodeResponse {
    /// The value.
    fn pypwext_decode(
        &self,
        response: reqwest::Response,
        function: &'static str,
    ) -> impl Future<Output = Result<HttpResponse, PwError>> + Send;
}
impl DecodeResponse for &&&DecodeProbe<HttpResponse> {
    async fn pypwext_decode(
        &self,
        response: reqwest::Response,
        function: &'static str,
    ) -> Result<HttpResponse, PwError> {
        read(function, response).await?.error_for_status(function)
    }
}

/// `HttpStream`: the answer with its body unread, when its status is under
/// 300; else a `PwError` as for every other return type.
pub trait DecodeStream {
    /// The value.
    fn pypwext_decode(
        &self,
        response: reqwest::Response,
        function: &'static str,
    ) -> impl Future<Output = Result<HttpStream, PwError>> + Send;
}
impl DecodeStream for &&&DecodeProbe<HttpStream> {
    async fn pypwext_decode(&self, response: reqwest::Response, function: &'static str) -> Result<HttpStream, PwError> {
        HttpStream::new(response, function).error_for_status(function).await
    }
}

/// `String`: the body's text.
pub trait DecodeText {
    /// The value.
    fn pypwext_decode(
        &self,
        response: reqwest::Response,
        function: &'static str,
    ) -> impl Future<Output = Result<String, PwError>> + Send;
}
impl DecodeText for &&DecodeProbe<String> {
    async fn pypwext_decode(&self, response: reqwest::Response, function: &'static str) -> Result<String, PwError> {
        Ok(read(function, response).await?.error_for_status(function)?.text())
    }
}

/// `()`: nothing but a status under 300.
pub trait DecodeUnit {
    /// The value.
    fn pypwext_decode(
        &self,
        response: reqwest::Response,
        function: &'static str,
    ) -> impl Future<Output = Result<(), PwError>> + Send;
}
impl DecodeUnit for &&DecodeProbe<()> {
    async fn pypwext_decode(&self, response: reqwest::Response, function: &'static str) -> Result<(), PwError> {
        read(function, response).await?.error_for_status(function).map(drop)
    }
}

/// Any `T: DeserializeOwned`: the body parsed as JSON.
pub trait DecodeJson<T> {
    /// The value.
    fn pypwext_decode(
        &self,
        response: reqwest::Response,
        function: &'static str,
    ) -> impl Future<Output = Result<T, PwError>> + Send;
}
impl<T: serde::de::DeserializeOwned> DecodeJson<T> for &DecodeProbe<T> {
    async fn pypwext_decode(&self, response: reqwest::Response, function: &'static str) -> Result<T, PwError> {
        read(function, response).await?.error_for_status(function)?.json()
    }
}
