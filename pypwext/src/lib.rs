//! # pypwext
//!
//! Attribute macros that make an AWS Lambda function in Rust log, collect
//! errors, call other services and answer API Gateway the way a well-run
//! µservice fleet should, checked by the compiler.
//!
//! ## Collecting errors: `#[collect_errors]`
//!
//! A function annotated `#[collect_errors]` that returns
//! `Result<Option<T>, PwError>` (or `Result<(), PwError>`) hands an error whose
//! action is [`ErrorAction::Continue`] to the current [`ErrorCollector`] and
//! returns `Ok(None)` (or `Ok(())`) instead, so the caller goes on with the rest
//! of the batch. Errors with any other action, and every error when no collector
//! is installed, are returned unchanged. `#[collect_errors(root)]` installs a
//! fresh collector for the duration of the call when none is current.
//!
//! ```
//! use pypwext::{collect_errors, current_collector, ErrorAction, PwError, StatusCode};
//!
//! #[collect_errors]
//! fn price(item: &str) -> Result<Option<u32>, PwError> {
//!     match item {
//!         "apple" => Ok(Some(3)),
//!         "bomb" => Err(PwError::new(StatusCode::FORBIDDEN, "not for sale")),
//!         other => Err(PwError::new(StatusCode::NOT_FOUND, format!("no price for {other}"))
//!             .with_action(ErrorAction::Continue)),
//!     }
//! }
//!
//! #[collect_errors(root)]
//! fn total(items: &[&str]) -> Result<Option<(u32, usize)>, PwError> {
//!     let mut sum = 0;
//!     for item in items {
//!         // `?` still returns a `Raise` error at once.
//!         sum += price(item)?.unwrap_or(0);
//!     }
//!     let collected = current_collector().map_or(0, |c| c.len());
//!     Ok(Some((sum, collected)))
//! }
//!
//! assert_eq!(total(&["apple", "pear", "apple", "plum"]).unwrap(), Some((6, 2)));
//! assert_eq!(total(&["apple", "bomb"]).unwrap_err().code(), StatusCode::FORBIDDEN);
//! // Outside the root no collector is installed: the error comes back to the caller.
//! assert_eq!(price("pear").unwrap_err().code(), StatusCode::NOT_FOUND);
//! ```
//!
//! The same works on `async fn`, across `.await` points and across futures
//! joined in one task; see [`ErrorCollector`] for carrying the collector into a
//! spawned task.
//!
//! ## Stacking attributes
//!
//! pypwext attributes compose: the one written on top runs first and returns
//! last, and the topmost one reads and checks the whole stack, so a stack that
//! cannot work is a compile error. pypwext recognizes its attributes by name
//! (`collect_errors` or `pypwext::collect_errors`); do not rename them on import.

#![doc(html_root_url = "https://docs.rs/pypwext/0.1.0")]

pub mod errors;
pub mod lambda;
pub mod logging;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use errors::{
    CollectorFutureExt, CollectorScope, ErrorAction, ErrorCollector, InfoClassification, LogEntryType, PwError,
    UnknownVariant, current_collector,
};
/// The HTTP status code type every [`PwError`] carries (from the `http` crate).
pub use http::StatusCode;
pub use pypwext_macros::{collect_errors, logged};
