//! The probes `#[http_method]` code calls to turn a body argument into a
//! request body and an answer into the function's `Ok` type: text beats
//! bytes beats JSON, and `LambdaResponse` or `HttpResponse` (or
//! `HttpStream`) beat `String` or `()`, which beat JSON. They choose by
//! autoref specialization, which [`crate::probe`] explains, with their order.
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

#[cfg(test)]
// The borrows are the point: they pick the impl, as in generated code.
#[allow(clippy::needless_borrow)]
mod tests {
    use super::*;

    // The probes exactly as `expand.rs` writes them, `&&&&BodyProbe` and
    // `&&&&DecodeProbe`: macros, not generic functions, so that each call is
    // resolved on the concrete type, as in generated code.
    macro_rules! body {
        ($value:expr) => {
            sent((&&&&BodyProbe($value)).pypwext_body())
        };
    }
    macro_rules! decode {
        ($ty:ty, $answer:expr) => {
            block_on((&&&&DecodeProbe::<$ty>::new()).pypwext_decode($answer, "call"))
        };
    }

    fn sent(body: Result<RequestBody, PwError>) -> String {
        String::from_utf8(body.unwrap().0.as_bytes().unwrap().to_vec()).unwrap()
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    /// An answer as the server sent it.
    fn answer(status: u16, body: &'static str) -> reqwest::Response {
        http::Response::builder().status(status).body(body).unwrap().into()
    }

    /// Compiles only for a type the JSON row would take as well.
    fn is_serialize<T: serde::Serialize + ?Sized>() {}
    fn is_deserialize<T: serde::de::DeserializeOwned>() {}

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Receipt {
        id: u32,
    }

    // Body: text, else bytes, else JSON.

    #[test]
    fn body_row_1_text() {
        is_serialize::<String>();
        // `String` is text, bytes and `Serialize`: sent as is, not as a JSON string.
        assert_eq!(body!(&String::from("hi")), "hi");
        assert_eq!(body!(&"hi"), "hi");
    }

    #[test]
    fn body_row_2_bytes() {
        is_serialize::<Vec<u8>>();
        // `Vec<u8>` is bytes and `Serialize`: sent as is, not as a JSON array.
        assert_eq!(body!(&b"hi".to_vec()), "hi");
        assert_eq!(body!(&Bytes::from_static(b"hi")), "hi");
    }

    #[test]
    fn body_row_3_json() {
        assert_eq!(body!(&Receipt { id: 7 }), r#"{"id":7}"#);
        assert_eq!(body!(&vec![1u32, 2]), "[1,2]");
    }

    #[test]
    fn body_decides_on_the_type_as_written() {
        // Behind `T: Serialize`, a `String` is JSON.
        fn generic<T: serde::Serialize>(value: &T) -> String {
            body!(value)
        }
        assert_eq!(generic(&String::from("hi")), r#""hi""#);
    }

    // Decode: the answer types, else `String` or `()`, else JSON.

    #[test]
    fn decode_row_1_lambda_response() {
        // Whatever Lambda answered, a 500 included.
        let answered = decode!(LambdaResponse, answer(500, "boom")).unwrap();
        assert_eq!(answered.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(answered.payload().as_ref(), b"boom");
    }

    #[test]
    fn decode_row_1_http_response() {
        let answered = decode!(HttpResponse, answer(200, "whole")).unwrap();
        assert_eq!(
            (answered.status(), answered.text()),
            (StatusCode::OK, "whole".to_owned())
        );
        let refused = decode!(HttpResponse, answer(404, "gone")).unwrap_err();
        assert_eq!(refused.code(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn decode_row_1_http_stream() {
        let stream = decode!(HttpStream, answer(200, "streamed")).unwrap();
        let read = block_on(stream.read_whole(1024)).unwrap();
        assert_eq!(read.text(), "streamed");
    }

    #[test]
    fn decode_row_2_text() {
        is_deserialize::<String>();
        // Beats JSON, which `String` has too: the body as it is, quotes and all.
        assert_eq!(decode!(String, answer(200, r#""quoted""#)).unwrap(), r#""quoted""#);
    }

    #[test]
    fn decode_row_2_unit() {
        is_deserialize::<()>();
        // Beats JSON, which `()` has too: a body that is no JSON is fine.
        decode!((), answer(200, "not json")).unwrap();
        assert_eq!(
            decode!((), answer(503, "")).unwrap_err().code(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[test]
    fn decode_row_3_json() {
        assert_eq!(decode!(Receipt, answer(200, r#"{"id":7}"#)).unwrap(), Receipt { id: 7 });
        assert_eq!(
            decode!(Receipt, answer(200, "not json")).unwrap_err().code(),
            StatusCode::BAD_GATEWAY
        );
    }

    #[test]
    fn decode_decides_on_the_type_as_written() {
        // Behind a generic `T`, a `String` is parsed as JSON.
        async fn generic<T: serde::de::DeserializeOwned>(answer: reqwest::Response) -> Result<T, PwError> {
            (&&&&DecodeProbe::<T>::new()).pypwext_decode(answer, "call").await
        }
        assert_eq!(
            block_on(generic::<String>(answer(200, r#""quoted""#))).unwrap(),
            "quoted"
        );
    }
}
