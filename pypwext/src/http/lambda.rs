//! Lambda invocations (`FUNC`, `EVENT`) over the Lambda REST API:
//! `POST {endpoint}/2015-03-31/functions/{name}/invocations`, signed for
//! `lambda`, with `params(...)` as the client context's `custom` map.

use std::fmt::Display;

use base64::Engine as _;
use http::header::HeaderValue;
use http::{Method, StatusCode};

use super::call::HttpCall;
use super::probe::RequestBody;
use super::session::HttpSession;
use super::template::{parse_url, percent_encode, render_headers, render_pieces};
use crate::errors::PwError;

/// The largest client context Lambda accepts, base64-encoded: 3583 bytes.
pub const MAX_CLIENT_CONTEXT_BYTES: usize = 3583;

/// The invocation type a method stands for: `FUNC` invokes and waits
/// (`RequestResponse`), `EVENT` queues (`Event`); `None` for HTTP methods.
pub(super) fn invocation_type(method: &str) -> Option<&'static str> {
    match method {
        "FUNC" => Some("RequestResponse"),
        "EVENT" => Some("Event"),
        _ => None,
    }
}

/// The `X-Amz-Client-Context` value: `{"custom": {name: value, …}}` as
/// base64, or an error when Lambda would refuse it for its size.
fn client_context(call: &HttpCall, args: &[&dyn Display]) -> Result<HeaderValue, PwError> {
    let mut custom = serde_json::Map::new();
    for (name, value) in call.query {
        let mut text = String::new();
        render_pieces(call, value, args, &mut text)?;
        custom.insert((*name).to_owned(), text.into());
    }
    let context = serde_json::json!({ "custom": custom }).to_string();
    let context = base64::engine::general_purpose::STANDARD.encode(context);
    if context.len() > MAX_CLIENT_CONTEXT_BYTES {
        return Err(PwError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "{}: the client context is {} bytes base64-encoded, over Lambda's {MAX_CLIENT_CONTEXT_BYTES}; send less in `params(...)` or put it in the body",
                call.function,
                context.len()
            ),
        ));
    }
    HeaderValue::from_str(&context)
        .map_err(|err| PwError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("client context: {err}")))
}

/// Builds one invocation: the function's name from the URL template, the
/// invocation type (a `x-amz-invocation-type` header of the call wins), the
/// client context, signing for `lambda`, and retries of a throttled call.
pub(super) fn prepare_invocation(
    call: &'static HttpCall,
    session: &HttpSession,
    args: &[&dyn Display],
    body: Option<Result<RequestBody, PwError>>,
    invocation_type: &'static str,
) -> Result<reqwest_middleware::RequestBuilder, PwError> {
    let mut function = String::new();
    render_pieces(call, call.url, args, &mut function)?;
    let endpoint = session.lambda_endpoint().ok_or_else(|| {
        PwError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "{}: no Lambda endpoint: set AWS_REGION (or the session's region), or AWS_ENDPOINT_URL_LAMBDA",
                call.function
            ),
        )
    })?;
    let mut url = format!("{}/2015-03-31/functions/", endpoint.trim_end_matches('/'));
    percent_encode(&mut url, &function);
    url.push_str("/invocations");
    let url = parse_url(call, &url)?;

    let mut headers = render_headers(call, args)?;
    // `headers("x-amz-invocation-type" = "DryRun")` wins over the method's type.
    if !headers.contains_key("x-amz-invocation-type") {
        headers.insert("x-amz-invocation-type", HeaderValue::from_static(invocation_type));
    }
    if !call.query.is_empty() {
        headers.insert("x-amz-client-context", client_context(call, args)?);
    }
    let mut request = session
        .request(Method::POST, url)
        .headers(headers)
        .with_extension(super::SignFor {
            service: "lambda".to_owned(),
            region: None,
        })
        .with_extension(super::retry::RetryThrottled);
    if let Some(body) = body {
        request = request.body(body?.0);
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::template::{Part, Piece, Place};

    static CALL: HttpCall = HttpCall {
        function: "invoke",
        method: "FUNC",
        url: &[],
        query: &[(
            "who",
            &[Piece {
                part: Part::Arg(0),
                place: Place::Context,
            }],
        )],
        headers: &[],
        arg_names: &["who"],
    };

    #[test]
    fn the_client_context_is_custom_json_in_base64() {
        let who = "ada \"the\" first";
        let value = client_context(&CALL, &[&who]).unwrap();
        let json = base64::engine::general_purpose::STANDARD
            .decode(value.as_bytes())
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(json, serde_json::json!({ "custom": { "who": who } }));
    }

    #[test]
    fn a_client_context_over_lambdas_limit_is_refused() {
        let who = "x".repeat(MAX_CLIENT_CONTEXT_BYTES);
        let err = client_context(&CALL, &[&who]).unwrap_err();
        assert_eq!(err.code(), StatusCode::BAD_REQUEST);
        assert!(err.message().contains("over Lambda's 3583"), "{}", err.message());
    }

    #[test]
    fn methods_name_invocation_types() {
        assert_eq!(invocation_type("FUNC"), Some("RequestResponse"));
        assert_eq!(invocation_type("EVENT"), Some("Event"));
        assert_eq!(invocation_type("POST"), None);
    }
}
