//! µservice support: `#[service_response]` handlers answer API Gateway
//! (REST v1, HTTP v2) and ALB with [`PwResponse`] or [`PwError`](crate::PwError),
//! the invocation's collected errors merged in.
//!
//! ```
//! use pypwext::{collect_errors, service_response, Json, PwError, PwResponse, StatusCode};
//!
//! #[derive(serde::Deserialize)]
//! struct Order { id: u64, items: Vec<String> }
//!
//! #[collect_errors(root)]
//! #[service_response]
//! async fn create_order(order: Json<Order>) -> Result<PwResponse, PwError> {
//!     if order.items.is_empty() {
//!         return Err(PwError::new(StatusCode::BAD_REQUEST, "an order needs items"));
//!     }
//!     Ok(PwResponse::new(StatusCode::CREATED).with_field("order_id", order.id))
//! }
//!
//! // `create_order` now takes a `lambda_http::Request` and answers an HTTP response
//! // (`fn(Request) -> impl Future<Output = Result<Response<Body>, Error>>`, which is
//! // what an `async fn` is): `lambda_http::run(lambda_http::service_fn(create_order))`
//! // serves it on Lambda.
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let request = http::Request::builder()
//!     .method("POST")
//!     .body(lambda_http::Body::from(r#"{"id": 7, "items": ["apple"]}"#))
//!     .unwrap();
//! let response = create_order(request).await.unwrap();
//! assert_eq!(response.status(), StatusCode::CREATED);
//!
//! let malformed = http::Request::builder()
//!     .body(lambda_http::Body::from(r#"{"id": "seven"}"#))
//!     .unwrap();
//! assert_eq!(create_order(malformed).await.unwrap().status(), StatusCode::BAD_REQUEST);
//! # });
//! ```

mod extract;
pub(crate) mod handler;
mod response;

pub use extract::{FromRequest, Json, RequestSlot};
pub use handler::MAX_RESPONSE_BYTES;
pub use response::{APPLICATION_JSON, PwResponse};
