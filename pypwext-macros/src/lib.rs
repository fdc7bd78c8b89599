//! Procedural macros of [pypwext](https://docs.rs/pypwext). Depend on `pypwext`
//! and use them from there: the generated code calls into it.
//!
//! Every macro runs the same passes over the function and the whole pypwext
//! stack on it: `ast` (read), `attr` (arguments) and `plan` (the layers above
//! the core, the core, the layers below), then `valid` (rules) and `expand`
//! (code), which both read the plan. The topmost pypwext attribute does the
//! work for the stack.

mod ast;
mod attr;
mod batch;
mod ctxt;
mod expand;
mod foreign;
mod metrics;
mod plan;
mod signature;
mod symbol;
mod template;
#[cfg(test)]
mod tests;
mod valid;

use proc_macro::TokenStream;

use ast::{LayerKind, Stack};
use ctxt::Ctxt;
use plan::Plan;

/// Collects an error whose action is `Continue` into the invocation's error
/// collector, and returns "no value" in its place, so the caller goes on.
///
/// The function returns one of these types; when its body returns `Err(e)`
/// with `e.action() == ErrorAction::Continue` **and** a collector is
/// installed, `e` is added to the collector, logged at WARNING (unless
/// `log = false`), and the function returns:
///
/// | return type | a collected error becomes |
/// |---|---|
/// | `Result<Option<T>, PwError>` | `Ok(None)` |
/// | `Result<(), PwError>` | `Ok(())` |
/// | `Result<Option<T>, ErrorWithReturn<T>>` | `Ok(Some(value))` for an error made with `.with_return(value)`, else `Ok(None)` |
///
/// Any other error (action `Raise` or `Indecisive`), and every error when no
/// collector is installed, comes back to the caller unchanged. Works on sync
/// and `async fn`.
///
/// The WARNING line has the error's JSON as its `message`
/// (`{"code":404,"action":"CONTINUE","msg":"…","classification":"NA"}`) and
/// the error's classification as the line's.
///
/// The collector belongs to the invocation (a `tokio` task-local): it
/// follows the call across `.await` points and into futures joined in the
/// same task (`join_all`, `tokio::join!`). A task started with `tokio::spawn`
/// sees it only when handed over: `.with_current_collector()` of
/// [`CollectorFutureExt`]. Read it with [`current_collector()`].
///
/// # Arguments
///
/// | argument | default | what it does |
/// |---|---|---|
/// | `root` | off | installs a fresh collector for the duration of the call when none is installed; the root collects its own `Continue` error too |
/// | `log = false` | `true` | does not log the collected errors at WARNING |
///
/// # In a stack
///
/// The attribute written on top runs first. `#[collect_errors]` may stand
/// anywhere, with these rules next to a response:
///
/// - Above `#[service_response]` only as `#[collect_errors(root)]`: the
///   response reads that collector (collected errors set the status code,
///   and with `just_status_code = false` are listed in the body).
/// - Below `#[batch_response]` only without `root`: each record runs with a
///   collector of its own, and a record whose `Continue` error is collected
///   counts as processed.
/// - Above `#[http_method]`, it collects the `Continue` errors of the call's
///   body (one that reads `response_code`, say); the errors the call itself
///   returns are `Raise` errors, which pass.
///
/// # Compile errors
///
/// - A return type that has no room for "no value", on the return type:
///   ``error[E0277]: `#[collect_errors]` cannot collect errors from a
///   function returning `Result<u32, PwError>` ``. No return type:
///   `` `#[collect_errors]` needs a function that returns `Result<Option<T>,
///   PwError>`, `Result<(), PwError>` or `Result<Option<T>,
///   ErrorWithReturn<T>>`; add one of these return types ``; an
///   `impl Trait` return type: `` `#[collect_errors]` cannot see through
///   `impl Trait` … ``.
/// - `Result<Option<T>, ErrorWithReturn<U>>` with another `U` than `T` is
///   refused on the return type as above; `.with_return(value)` with a value
///   of another type than `T` is a type error on the value (``expected
///   `String`, found `usize` ``).
/// - `` `#[collect_errors]` above `#[service_response]` sees the HTTP response,
///   which has no error to collect; write `#[collect_errors(root)]` … ``
/// - `` `#[collect_errors(root)]` below `#[service_response]`: the response
///   could never see the errors it collects; move it above
///   `#[service_response]` ``
/// - `` `#[collect_errors]` above `#[batch_response]` sees the partial batch
///   response, which has no error to collect … `` and
///   `` `#[collect_errors(root)]` below `#[batch_response]` … ``
/// - `` `#[collect_errors]` cannot go on a `const fn`; remove `const` ``
/// - `` unknown argument `x` of `#[collect_errors]`; expected one of: `root`, `log` ``,
///   `` `root` takes no value; write `root` alone ``,
///   `` `#[collect_errors]` is written twice on this function; keep one ``
///
/// # Cargo feature
///
/// None: `#[collect_errors]` is always there.
///
/// # Example
///
/// A quote goes on past a product that is out of stock; a product without a
/// price is quoted at its list price, carried by the error.
///
/// ```
/// use pypwext::{collect_errors, current_collector, logging, ErrorAction, ErrorWithReturn, PwError, StatusCode};
///
/// #[collect_errors]
/// async fn in_stock(sku: &str) -> Result<Option<u32>, PwError> {
///     match sku {
///         "BOMB" => Err(PwError::new(StatusCode::FORBIDDEN, "not for sale")), // `Raise`: comes back
///         "KIWI" => Err(PwError::new(StatusCode::CONFLICT, "KIWI is sold out").with_action(ErrorAction::Continue)),
///         _ => Ok(Some(10)),
///     }
/// }
///
/// #[collect_errors(log = false)]
/// async fn price(sku: &str) -> Result<Option<u32>, ErrorWithReturn<u32>> {
///     match sku {
///         "APPLE" => Ok(Some(45)),
///         // Collected, and `price` returns `Ok(Some(100))` in its place.
///         other => Err(PwError::new(StatusCode::NOT_FOUND, format!("no price for {other}")).with_return(100)),
///     }
/// }
///
/// #[collect_errors(root)]
/// async fn quote(skus: &[&str]) -> Result<Option<(u32, Vec<PwError>)>, PwError> {
///     let mut total = 0;
///     for sku in skus {
///         if in_stock(sku).await?.is_some() {
///             total += price(sku).await?.unwrap_or(0); // `?` turns an uncollected `ErrorWithReturn` into its `PwError`
///         }
///     }
///     let collected = current_collector().map(|c| c.take()).unwrap_or_default();
///     Ok(Some((total, collected)))
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let sink = logging::MemoryWriter::new();
/// let _logger = tracing::subscriber::set_default(logging::builder().writer(sink.clone()).build());
///
/// let (total, collected) = quote(&["APPLE", "KIWI", "PEAR"]).await.unwrap().unwrap();
/// assert_eq!(total, 45 + 100);
/// let codes: Vec<u16> = collected.iter().map(|e| e.code().as_u16()).collect();
/// assert_eq!(codes, [409, 404]);
///
/// // `in_stock` logged its collected error; `price` did not (`log = false`).
/// let lines: Vec<serde_json::Value> = sink.lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect();
/// assert_eq!(lines.len(), 1);
/// assert_eq!(lines[0]["level"], "WARNING");
/// assert_eq!(lines[0]["message"]["msg"], "KIWI is sold out");
/// assert_eq!(lines[0]["message"]["action"], "CONTINUE");
///
/// // A `Raise` error stops the quote.
/// assert_eq!(quote(&["APPLE", "BOMB"]).await.unwrap_err().code(), StatusCode::FORBIDDEN);
/// // Outside a root nothing is installed: the `Continue` error comes back too.
/// assert_eq!(in_stock("KIWI").await.unwrap_err().code(), StatusCode::CONFLICT);
/// # });
/// ```
///
/// [`CollectorFutureExt`]: https://docs.rs/pypwext/latest/pypwext/trait.CollectorFutureExt.html
/// [`current_collector()`]: https://docs.rs/pypwext/latest/pypwext/fn.current_collector.html
#[proc_macro_attribute]
pub fn collect_errors(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::CollectErrors, args.into(), item.into()).into()
}

/// Logs a function's entry (its arguments), exit (its return value) and
/// failure (an `Err` or a panic) as structured log lines.
///
/// Each line is a `tracing` event; with pypwext's logger
/// ([`pypwext::logging::builder()`]) it is one Powertools JSON line whose
/// `message` is a JSON object and whose `location` is `<fn>:<line>`:
///
/// | line | level | `message` | written when |
/// |---|---|---|---|
/// | entry | `level` (DEBUG) | `{"msg":"Entering <fn>","args":{"<param>":…,…}}` | the function is called |
/// | exit | `out_level` (INFO) | `{"msg":"Exiting <fn>","return":…}` | it returns a value; for a `Result`, `Ok(value)` logs `value` |
/// | exception | ERROR | `{"msg":"Exception in <fn>","args":{…}}`, and the keys `exception` (the error's text, sources included, or the panic's message) and `exception_name` (the error's type, or `panic`) | it returns `Err`, or panics (the panic goes on); not with `log_exception = false` |
///
/// Values are rendered with the type's `LogView` if it has one (a
/// `lambda_http::Request` shows its `Authorization`, `Cookie` and
/// `X-Amz-Security-Token` headers redacted), else `serde::Serialize`, else
/// `Debug` (as a JSON string). The entry and exception lines carry
/// `classification`, `type` and `operation` (`classification` is left out
/// for `NA`, `type` for `STD`); the exit line carries their `out_` twins.
///
/// **Nothing is rendered for a line that is not written.** With the entry
/// line off (below the logger's level), a call that succeeds renders no
/// argument at all, and the exception line renders the arguments it can still
/// reach after the body ran: those taken by shared reference and the plain
/// scalars (`bool`, `char`, integers, floats); the others are named under
/// `"moved_args":[…]` next to `"args"`, not shown.
///
/// # Arguments
///
/// | argument | default | what it does |
/// |---|---|---|
/// | `level = "…"` | `"debug"` | the entry line's level: `"trace"`, `"debug"`, `"info"`, `"warn"` (or `"warning"`), `"error"`, in any case |
/// | `out_level = "…"` | `"info"` | the exit line's level |
/// | `classification = …` | `Na` | the entry and exception lines' `classification`: `Na`, `AuthorizationInfo`, `CorporateSensitiveInfo`, `Pii` (or `InfoClassification::Pii`) |
/// | `log_type = …` | `Std` | their `type`: `Std` or `Audit` (or `LogEntryType::Audit`) |
/// | `operation = "…"` | none | their `operation` |
/// | `out_classification`, `out_log_type`, `out_operation` | the three above | the same for the exit line |
/// | `log_exception = false` | `true` | no exception line |
/// | `skip(a, b, …)` | none | parameters left out of `args` |
/// | `redact(a, b, …)` | none | parameters shown as `"*****"` |
/// | `inject_lambda_context` | off | on a handler whose first parameter is a `lambda_http::Request` or a `LambdaEvent<T>` (`T: Serialize`): the whole call runs as that Lambda invocation, so every line logged in it carries `cold_start`, `function_name`, `function_memory_size`, `function_arn`, `function_request_id`, `xray_trace_id`, … |
/// | `correlation_id_path = …` | none | with `inject_lambda_context`: where the event holds the `correlation_id` key of the lines; a dotted path such as `"headers.\"x-request-id\""` (checked at compile time) or a constant of `pypwext::logging::correlation_paths` (`API_GATEWAY_REST`, `API_GATEWAY_HTTP`, `APPLICATION_LOAD_BALANCER`, `EVENT_BRIDGE`, …) |
/// | `log_event` | off | with `inject_lambda_context`: logs the event at INFO before the handler runs |
///
/// `log_exception` and `log_event` take `= true` or `= false`; written alone
/// they mean `true`.
///
/// # In a stack
///
/// `#[logged]` may stand anywhere. It logs the signature it sees at its
/// place: above `#[service_response]` the request and the HTTP response,
/// above `#[batch_response]` the batch event and the partial batch response,
/// below either the handler's own parameters and result (below
/// `#[batch_response]`, once per record). Written on top of a stack, it
/// logs the final outcome. `inject_lambda_context` goes above
/// `#[service_response]` and `#[batch_response]`, which put the Lambda
/// context on every line by themselves.
///
/// # Compile errors
///
/// - A parameter or return value that cannot be rendered, on its type:
///   `` `#[logged]` cannot log this value: its type implements none of
///   `pypwext::logging::LogView`, `serde::Serialize`, `std::fmt::Debug` ``
///   (leave a parameter out with `skip(name)`).
/// - `` unknown level `loud`; expected one of: `"trace"`, `"debug"`, `"info"`,
///   `"warn"`, `"warning"`, `"error"` ``, `` unknown InfoClassification `Secret`;
///   expected one of: `Na`, `AuthorizationInfo`, `CorporateSensitiveInfo`,
///   `Pii` (or `InfoClassification::<one of them>`) ``
/// - `` `skip(pasword)`: `login` has no parameter `pasword`; its parameters
///   are `user`, `password` `` (the same for `redact`), and
///   `` `token` is both skipped and redacted; keep it in one of `skip(..)` or
///   `redact(..)` ``
/// - `` `correlation_id_path` works with `inject_lambda_context`; add
///   `inject_lambda_context` to `#[logged(...)]` `` (the same for `log_event`);
///   `` this correlation path has an empty key; write dotted keys such as … ``
/// - `` `inject_lambda_context` reads the Lambda context from the handler's
///   first parameter; take the event (`lambda_http::Request` or
///   `LambdaEvent<T>`) first, bound to a name ``, and on a first parameter of
///   another type `` `inject_lambda_context` cannot read the Lambda context
///   from `String` ``
/// - `` `inject_lambda_context` below `#[service_response]` has no event to
///   read; … `` (the same below `#[batch_response]`)
/// - `` unknown argument `x` of `#[logged]`; expected one of: … ``,
///   `` `level` is given twice; keep one ``,
///   `` `#[logged]` is written twice on this function; keep one ``
///
/// # Cargo feature
///
/// None: `#[logged]` is always there.
///
/// # Example
///
/// ```
/// use lambda_runtime::{Context, LambdaEvent};
/// use pypwext::{logged, logging, PwError, StatusCode};
///
/// #[derive(serde::Serialize)]
/// struct Customer { name: String }
///
/// #[derive(Debug)]
/// struct Sku(&'static str); // no `Serialize`: rendered with `Debug`
///
/// #[logged(level = "info", operation = "reserve", redact(token), skip(note))]
/// fn reserve(customer: &Customer, sku: Sku, quantity: u32, token: &str, note: &str) -> Result<u32, PwError> {
///     let _ = (sku, token, note);
///     Ok(quantity)
/// }
///
/// // The entry line stays at DEBUG, below the logger's INFO: nothing is rendered for it.
/// #[logged(classification = Pii, log_type = Audit, out_classification = Na)]
/// fn charge(customer: &Customer, cents: u64, items: Vec<String>) -> Result<u64, PwError> {
///     if items.is_empty() {
///         return Err(PwError::new(StatusCode::BAD_REQUEST, "nothing to charge"));
///     }
///     Ok(cents)
/// }
///
/// // A Lambda handler: every line of the invocation carries its keys.
/// #[logged(inject_lambda_context, correlation_id_path = "detail.order_id", log_event)]
/// async fn on_order_event(event: LambdaEvent<serde_json::Value>) -> Result<(), lambda_runtime::Error> {
///     tracing::info!("order event handled");
///     Ok(())
/// }
///
/// let sink = logging::MemoryWriter::new();
/// let _logger = tracing::subscriber::set_default(logging::builder().writer(sink.clone()).build());
/// // The lines written since the last look.
/// let lines = || -> Vec<serde_json::Value> {
///     sink.take_lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect()
/// };
/// let ada = Customer { name: "Ada".into() };
///
/// reserve(&ada, Sku("KIWI"), 2, "t0ken", "gift").unwrap();
/// let [entry, exit] = &lines()[..] else { panic!("two lines") };
/// assert_eq!(entry["level"], "INFO");
/// assert_eq!(
///     entry["message"],
///     serde_json::json!({"msg": "Entering reserve",
///                        "args": {"customer": {"name": "Ada"}, "sku": "Sku(\"KIWI\")", "quantity": 2, "token": "*****"}})
/// );
/// assert!(entry["location"].as_str().unwrap().starts_with("reserve:"));
/// assert_eq!(entry["operation"], "reserve");
/// assert_eq!(exit["message"], serde_json::json!({"msg": "Exiting reserve", "return": 2}));
/// assert_eq!(exit["operation"], "reserve"); // `out_operation` defaults to `operation`
///
/// charge(&ada, 1200, vec!["apple".into()]).unwrap();
/// let [exit] = &lines()[..] else { panic!("the exit line only") };
/// assert_eq!(exit["message"]["return"], 1200);
/// assert_eq!(exit["type"], "AUDIT");
/// assert!(exit.get("classification").is_none()); // `Na` is left out
///
/// charge(&ada, 1200, Vec::new()).unwrap_err();
/// let [failure] = &lines()[..] else { panic!("the exception line only") };
/// assert_eq!(failure["level"], "ERROR");
/// assert_eq!(
///     failure["message"],
///     serde_json::json!({"msg": "Exception in charge",
///                        "args": {"customer": {"name": "Ada"}, "cents": 1200}, "moved_args": ["items"]})
/// );
/// assert_eq!(failure["exception"], "nothing to charge");
/// assert_eq!(failure["exception_name"], "PwError");
/// assert_eq!(failure["classification"], "PII");
///
/// let mut context = Context::default();
/// context.request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678".to_owned();
/// let event = LambdaEvent::new(serde_json::json!({"detail": {"order_id": "o-42"}}), context);
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// on_order_event(event).await.unwrap();
/// # });
/// let lines = lines();
/// assert_eq!(lines[0]["message"]["detail"]["order_id"], "o-42"); // `log_event`
/// let handled = lines.iter().find(|l| l["message"] == "order event handled").unwrap();
/// assert_eq!(handled["function_request_id"], "c6af9ac6-7b61-11e6-9a41-93e812345678");
/// assert_eq!(handled["correlation_id"], "o-42");
/// ```
///
/// [`pypwext::logging::builder()`]: https://docs.rs/pypwext/latest/pypwext/logging/fn.builder.html
#[proc_macro_attribute]
pub fn logged(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::Logged, args.into(), item.into()).into()
}

/// Turns an `async fn` that takes extractors and returns
/// `Result<PwResponse, PwError>` into a Lambda handler that answers API
/// Gateway (REST v1, HTTP v2) and ALB, the collected errors merged in.
///
/// The generated function takes a `lambda_http::Request` and returns
/// `impl Future<Output = Result<lambda_http::Response<lambda_http::Body>,
/// lambda_http::Error>>`: an `async fn(Request)` in all but spelling (nothing
/// runs before its first poll), ready for `pypwext::lambda::run(handler)`
/// (the Lambda runtime, or a local port for `curl`) or
/// `lambda_http::run(lambda_http::service_fn(handler))`.
///
/// **Parameters** are extractors, made from the request in order:
/// `lambda_http::Request` (the request itself), [`Json<T>`] (the body parsed
/// into any `T: DeserializeOwned`), `lambda_runtime::Context` (the
/// invocation's), or any type that implements [`FromRequest`].
///
/// **The return type** is `Result<R, E>`: `R` is [`PwResponse`] or anything
/// `lambda_http::IntoResponse`, `E` is [`PwError`] or anything that converts
/// into `lambda_http::Error`.
///
/// | the handler | the answer |
/// |---|---|
/// | `Ok(PwResponse)` | its status, headers and body (JSON by default, text with `.with_text(…)`). Collected errors: with `code_from_error`, a 200 becomes the highest collected error's code; with `just_status_code = false` they are listed in the body under `"error"` |
/// | `Ok(r)`, another `IntoResponse` | `r`, as it is (collected errors are not merged into it) |
/// | `Err(PwError)`, or an extractor that refuses the request | the error's own code and `{"error": {…}}` (with `just_status_code = false`, the collected errors follow it in a list) |
/// | a body that does not parse as the `Json<T>` | 400; the message says what is wrong and where (``the request body lacks the field `items[1].quantity`; add it``), the details are `{"field","reason","line","column"}` |
/// | another error, a panic, a response that cannot be built or is over 6 MB | 500 `{"error":"Internal Server Error"}`; the cause is logged at ERROR (`exception`, `exception_name`), never sent |
///
/// In a body, one error is an object and several are a list, each
/// `{"code","msg","classification","details"?}` (no `action`). A text body
/// with errors is replaced by `{"error": …}`; a `.with_json(…)` body with
/// errors becomes `{"body": …, "error": …}`.
///
/// Every line logged during the call carries the invocation's keys
/// (`function_request_id`, `cold_start`, …), with `correlation_id` set to
/// API Gateway's request id (or ALB's trace header). When the handler fails
/// or panics, the lines the logger's buffer held back are written first
/// (with the buffer's `flush_on_error`, the default).
///
/// # Arguments
///
/// | argument | default | what it does |
/// |---|---|---|
/// | `just_status_code` | `true` | collected errors set the status code only; `false` also lists them in the body |
/// | `code_from_error` | `true` | a 200 becomes the highest collected error's code; `false` keeps the handler's status |
/// | `always_return` | `true` | every failure becomes a response; `false`: a `PwError` whose action is `Raise`, another error or a panic fails the invocation instead (the generated fn returns `Err`) |
///
/// Each takes `= true` or `= false`; written alone it means `true`.
///
/// # In a stack
///
/// `#[service_response]` is the core of the function: the attributes above
/// it see the generated signature (the request in, the HTTP response out),
/// those below it the handler's own. `#[collect_errors(root)]` goes above
/// it, so the response can read what was collected;
/// `#[logged(inject_lambda_context)]` goes above it too. A typical stack:
///
/// ```text
/// #[logged(level = "info")]                      // logs the request and the final response
/// #[collect_errors(root)]                         // installs the collector the response reads
/// #[service_response(just_status_code = false)]  // shapes the answer
/// ```
///
/// # Compile errors
///
/// - `` `#[service_response]` needs an `async fn`: the handler it makes is
///   async; write `async fn create_order` ``; the same kind of error for a
///   `const fn`, a method taking `self`, or no return type
///   (`` a `#[service_response]` handler returns `Result<R, E>`: … ``).
/// - A parameter that is no extractor, on its type: `` `#[service_response]`
///   cannot make a `String` from the request ``; a return type that is not a
///   `Result`: `` a `#[service_response]` handler returns `Result<R, E>`, not
///   `PwResponse` ``; an `R` or `E` of another kind: `` `#[service_response]`
///   cannot answer with this value ``.
/// - `` `#[collect_errors(root)]` below `#[service_response]`: the response
///   could never see the errors it collects; move it above
///   `#[service_response]` ``; `#[collect_errors]` without `root` above it;
///   `inject_lambda_context` below it.
/// - `` `#[http_method]` and `#[service_response]` cannot share a function:
///   one calls a service, the other is one; split them into two functions ``
///   (and `#[batch_response]` with it, likewise).
/// - `` unknown argument `x` of `#[service_response]`; expected one of:
///   `just_status_code`, `code_from_error`, `always_return` ``,
///   `` `just_status_code` takes `true` or `false` ``
///
/// # Cargo feature
///
/// `service` (on by default). Without it: `` `#[service_response]` needs the
/// `service` feature of pypwext: enable it in Cargo.toml, e.g. `pypwext = {
/// version = "0.1", default-features = false, features = ["service"] }` ``.
///
/// # Example
///
/// ```
/// use pypwext::{collect_errors, service_response, ErrorAction, Json, PwError, PwResponse, StatusCode};
///
/// #[derive(serde::Deserialize)]
/// struct Order { items: Vec<Item> }
///
/// #[derive(serde::Deserialize)]
/// struct Item { sku: String, quantity: u32 }
///
/// #[collect_errors]
/// fn price(item: &Item) -> Result<Option<u32>, PwError> {
///     match item.sku.as_str() {
///         "" => panic!("an item without a SKU"),
///         "APPLE" => Ok(Some(45 * item.quantity)),
///         other => Err(PwError::new(StatusCode::NOT_FOUND, format!("unknown product {other}"))
///             .with_action(ErrorAction::Continue)),
///     }
/// }
///
/// #[collect_errors(root)]
/// #[service_response(just_status_code = false)]
/// async fn create_order(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
///     if order.items.is_empty() {
///         return Err(PwError::new(StatusCode::UNPROCESSABLE_ENTITY, "an order needs items"));
///     }
///     let mut total = 0;
///     for item in &order.items {
///         total += price(item)?.unwrap_or(0); // an unknown product is collected, the order goes on
///     }
///     Ok(PwResponse::ok().with_field("total", total))
/// }
///
/// /// Posts `body` to the handler: the status and the JSON body of its answer.
/// async fn post(body: &str) -> (u16, serde_json::Value) {
///     let request = http::Request::builder().method("POST").body(lambda_http::Body::from(body)).unwrap();
///     let response = create_order(request).await.unwrap();
///     (response.status().as_u16(), serde_json::from_slice(response.body()).unwrap())
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(post(r#"{"items":[{"sku":"APPLE","quantity":2}]}"#).await, (200, serde_json::json!({"total": 90})));
///
/// // A collected error: the 200 becomes its 404, and the body lists it.
/// assert_eq!(
///     post(r#"{"items":[{"sku":"APPLE","quantity":1},{"sku":"KIWI","quantity":1}]}"#).await,
///     (404, serde_json::json!({"total": 45,
///                              "error": {"code": 404, "msg": "unknown product KIWI", "classification": "NA"}}))
/// );
///
/// // A raised error answers with its own code.
/// let (status, body) = post(r#"{"items":[]}"#).await;
/// assert_eq!((status, &body["error"]["msg"]), (422, &serde_json::json!("an order needs items")));
///
/// // A body that does not parse: 400, naming the field.
/// let (status, body) = post(r#"{"items":[{"sku":"APPLE","quantity":"two"}]}"#).await;
/// assert_eq!(status, 400);
/// assert_eq!(body["error"]["details"]["field"], "items[0].quantity");
///
/// // A panic: 500, and nothing of it is sent.
/// assert_eq!(
///     post(r#"{"items":[{"sku":"","quantity":1}]}"#).await,
///     (500, serde_json::json!({"error": "Internal Server Error"}))
/// );
/// # });
/// ```
///
/// [`Json<T>`]: https://docs.rs/pypwext/latest/pypwext/struct.Json.html
/// [`FromRequest`]: https://docs.rs/pypwext/latest/pypwext/service/trait.FromRequest.html
/// [`PwResponse`]: https://docs.rs/pypwext/latest/pypwext/struct.PwResponse.html
/// [`PwError`]: https://docs.rs/pypwext/latest/pypwext/struct.PwError.html
#[proc_macro_attribute]
pub fn service_response(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::ServiceResponse, args.into(), item.into()).into()
}

/// Turns a function signature into a typed HTTP call, or a Lambda
/// invocation: the URL template is checked against the parameters at compile
/// time, and the answer becomes the return type.
///
/// The annotated `async fn` has an empty body (`{}`) and returns
/// `Result<T, E>`; the call is its body. `E` is [`PwError`] or any type that
/// converts from it (`ErrorWithReturn<T>`, say). Requests go through an
/// [`HttpSession`]: retries with urllib3's rules (a POST is never sent
/// twice), never past the Lambda invocation's deadline, and SigV4 for API
/// Gateway (`*.execute-api.<region>.amazonaws.com`) and Lambda.
///
/// # Arguments
///
/// | argument | default | what it does |
/// |---|---|---|
/// | `method = "…"` | `"GET"` | `"GET"`, `"POST"`, `"PUT"`, `"PATCH"`, `"DELETE"`, `"HEAD"`, `"OPTIONS"` (any case); `"FUNC"` invokes a Lambda function and waits for its answer (`RequestResponse`), `"EVENT"` queues an invocation (`Event`) |
/// | `url = "…"` | required | the URL template, `http://` or `https://`; for `FUNC` and `EVENT` the function: a name, `name:alias` or an ARN |
/// | `params(key = "…", …)` | none | query string pairs, each value a template; for `FUNC` and `EVENT` the client context's `custom` values (at most 3583 bytes base64-encoded) |
/// | `headers("name" = "…", …)` | none | request headers, each value a template |
/// | `body = param` | none | a parameter sent as the body: `str`, `String` and bytes as they are, a `BodyStream` as it streams (never retried: it cannot be sent twice), anything else `Serialize` as JSON |
/// | `session = NAME` | a shared session with the defaults | a `static` holding an `HttpSession`, directly or in a `LazyLock` |
///
/// # Templates
///
/// - `{lower_case}` names a parameter of the function; `{UPPER_CASE}` names
///   an environment variable, read at each call (not set: a `PwError` 500
///   naming it, before anything is sent). Both directions are checked at
///   compile time: every placeholder names a parameter, and, in a function
///   without `response…` parameters, every parameter is used by the call (in
///   a template, or as `body`).
/// - A value is its parameter's `Display`, and it must fit the part of the
///   URL it stands in: a host label takes letters, digits and `-`; a port a
///   number up to 65535; a path segment or a query value is percent-encoded
///   (`/`, `?`, `&`, `#` stay data), and a path segment that a value makes
///   `.` or `..` (however percent-encoded) is refused; a header value takes
///   no CR, LF or control character; a function name letters, digits, `-`
///   and `_`. A value that does not fit is a `PwError` 400 before anything
///   is sent, its details `{"placeholder","value"}`.
///
/// # What comes back
///
/// | `T` | the answer as |
/// |---|---|
/// | [`HttpResponse`] | status, headers and body, read whole |
/// | `String` | the body's text |
/// | `()` | nothing |
/// | any `T: DeserializeOwned` | the body parsed as JSON (a body that does not parse: `PwError` 502) |
/// | [`HttpStream`] | the answer with its body unread, to read chunk by chunk in bounded memory |
/// | [`LambdaResponse`] (`FUNC`, `EVENT`) | whatever Lambda answered: status, function error, log result, executed version, payload |
///
/// For all of these but `LambdaResponse`, **a status of 300 or more is a
/// `PwError`** with that status, the message `<fn>: the service answered
/// <status>` and the details `{"status": …, "body": …}` (a Lambda function
/// error, `X-Amz-Function-Error`, is a 502 with the payload), as the Python
/// original raises for it.
///
/// To see every status, declare parameters named `response` (an
/// `HttpResponse`, an `HttpStream`, or a `LambdaResponse` for `FUNC` and
/// `EVENT`), `response_body` (a `String`) or `response_code` (a
/// `StatusCode`): they are filled from the answer, whatever its status,
/// they disappear from the signature callers see, and the function's body
/// runs with them to make the return value.
///
/// # In a stack
///
/// `#[http_method]` is the core of the function and goes below the other
/// pypwext attributes, which wrap the call: `#[logged]` logs the arguments
/// and the answer, `#[collect_errors]` collects the call's `Continue` errors
/// (a body with `response_code` can return one).
///
/// # Compile errors
///
/// - `` `{order}` in the URL names no parameter of `get_order`; its
///   parameters are `id` ``; `` parameter `verbose` is not used by the call:
///   put `{verbose}` in the URL, `params(...)` or `headers(...)`, or write
///   `body = verbose` ``; `` `body = order` names no parameter of `send` ``
/// - A template that does not parse, on the template: `` `{Id}` mixes cases:
///   `{lower_case}` names a parameter, `{UPPER_CASE}` an environment variable
///   ``; `` `example.com/x` has no scheme: start it with `https://` or
///   `http://` ``; `` a URL template cannot have a `#fragment`: it is never
///   sent ``; `` a URL template cannot hold credentials (`user@host`): sign the
///   request instead ``; `` `{1d}` is not a placeholder … ``
/// - `` unknown method `FETCH`; expected one of: `"GET"`, … ``;
///   `` `#[http_method]` needs `url = "https://..."` ``;
///   `` `x-bad header` is not a valid header name ``
/// - `` a `#[http_method]` function without `response`, `response_body` or
///   `response_code` parameters has an empty body: the call is the body, and
///   the return type says what comes back ``
/// - `` `#[http_method]` returns `Result<T, PwError>`: `T` is `HttpResponse`,
///   `String`, `()` or any `DeserializeOwned` type parsed from the JSON
///   answer ``
/// - `` `#[http_method]` needs an `async fn`: the call is async; write `async
///   fn get_order` ``; `` `#[http_method]` makes a free function; it cannot
///   take `self` ``
/// - `` `#[http_method]` goes below the other pypwext attributes: the call is
///   the function's body, which they wrap ``; `` `#[http_method]` and
///   `#[service_response]` cannot share a function … ``
/// - `` `response_body` reads the whole body, which `response: HttpStream`
///   hands over unread; … ``; `` `session = ...` names a `String`, not an
///   `HttpSession` ``
///
/// # Cargo feature
///
/// `http` (on by default). Without it: `` `#[http_method]` needs the `http`
/// feature of pypwext: enable it in Cargo.toml, e.g. `pypwext = { version =
/// "0.1", default-features = false, features = ["http"] }` ``.
///
/// # Examples
///
/// Calls to an orders service, here a local stand-in on a loopback port:
///
/// ```
/// use std::sync::LazyLock;
/// use std::time::Duration;
///
/// use pypwext::{http_method, service_response, HttpSession, PwError, PwResponse, StatusCode};
///
/// static ORDERS: LazyLock<HttpSession> =
///     LazyLock::new(|| HttpSession::builder().timeout(Duration::from_secs(5)).build().unwrap());
///
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// struct Order { path: String, query: Option<String>, tenant: Option<String> }
///
/// /// The order, as JSON; a status of 300 or more is a `PwError`.
/// #[http_method(
///     url = "http://127.0.0.1:{port}/{STAGE}/orders/{id}",
///     params(verbose = "{verbose}"),
///     headers("x-tenant" = "{tenant}"),
///     session = ORDERS,
/// )]
/// async fn get_order(port: u16, id: &str, verbose: bool, tenant: &str) -> Result<Order, PwError> {}
///
/// /// Every status, seen by the function: callers pass `port` and `id` only.
/// #[http_method(method = "DELETE", url = "http://127.0.0.1:{port}/{STAGE}/orders/{id}")]
/// async fn cancel(port: u16, id: &str, response_code: StatusCode, response_body: String) -> Result<bool, PwError> {
///     match response_code {
///         StatusCode::NOT_FOUND => Ok(false), // nothing to cancel
///         code if code.is_success() => Ok(true),
///         code => Err(PwError::new(code, response_body)),
///     }
/// }
///
/// // The stand-in: it echoes what it was sent; order 404 does not exist.
/// #[service_response]
/// async fn orders_api(request: lambda_http::Request) -> Result<PwResponse, PwError> {
///     if request.uri().path().ends_with("/404") {
///         return Err(PwError::new(StatusCode::NOT_FOUND, "no such order"));
///     }
///     let tenant = request.headers().get("x-tenant").and_then(|v| v.to_str().ok());
///     Ok(PwResponse::ok()
///         .with_field("path", request.uri().path())
///         .with_field("query", request.uri().query())
///         .with_field("tenant", tenant))
/// }
///
/// # // Set before the runtime starts a thread; the call reads it at each call.
/// # unsafe { std::env::set_var("STAGE", "v1") };
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// // STAGE=v1 in the function's environment.
/// let server = pypwext::lambda::LocalServer::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
/// let port = server.local_addr().port();
/// tokio::spawn(server.serve(orders_api, std::future::pending()));
///
/// let order = get_order(port, "a b/7", true, "acme").await.unwrap();
/// assert_eq!(
///     order,
///     Order { path: "/v1/orders/a%20b%2F7".into(), query: Some("verbose=true".into()), tenant: Some("acme".into()) }
/// );
///
/// // 404: a `PwError` with the status and the answer's body.
/// let missing = get_order(port, "404", false, "acme").await.unwrap_err();
/// assert_eq!(missing.code(), StatusCode::NOT_FOUND);
/// assert_eq!(missing.details().unwrap()["body"]["error"]["msg"], "no such order");
///
/// // A value that would climb out of the path: refused before anything is sent.
/// let refused = get_order(port, "..", false, "acme").await.unwrap_err();
/// assert_eq!(refused.code(), StatusCode::BAD_REQUEST);
/// assert_eq!(refused.details().unwrap()["placeholder"], "`id`");
///
/// assert!(cancel(port, "7").await.unwrap());
/// assert!(!cancel(port, "404").await.unwrap());
/// # });
/// ```
///
/// Lambda functions are invoked the same way (this one needs AWS to run):
///
/// ```no_run
/// use pypwext::{http_method, LambdaResponse, PwError};
///
/// #[derive(serde::Serialize)]
/// struct PriceRequest { sku: String }
///
/// #[derive(serde::Deserialize)]
/// struct Quote { cents: u64 }
///
/// /// `RequestResponse`: the function's payload, parsed; a function error is a `PwError` 502.
/// #[http_method(method = "FUNC", url = "prices-{STAGE}:live", params(tenant = "{tenant}"), body = request)]
/// async fn price(tenant: &str, request: &PriceRequest) -> Result<Quote, PwError> {}
///
/// /// `Event`: queued; Lambda answers 202.
/// #[http_method(method = "EVENT", url = "arn:aws:lambda:eu-west-1:123456789012:function:audit", body = entry)]
/// async fn audit(entry: &str) -> Result<LambdaResponse, PwError> {}
///
/// # async fn run() -> Result<(), PwError> {
/// let quote = price("acme", &PriceRequest { sku: "APPLE".into() }).await?;
/// let queued = audit(r#"{"entry":"login"}"#).await?;
/// assert_eq!(queued.status().as_u16(), 202);
/// # let _ = quote.cents;
/// # Ok(())
/// # }
/// ```
///
/// [`PwError`]: https://docs.rs/pypwext/latest/pypwext/struct.PwError.html
/// [`HttpSession`]: https://docs.rs/pypwext/latest/pypwext/struct.HttpSession.html
/// [`HttpResponse`]: https://docs.rs/pypwext/latest/pypwext/struct.HttpResponse.html
/// [`HttpStream`]: https://docs.rs/pypwext/latest/pypwext/http/struct.HttpStream.html
/// [`LambdaResponse`]: https://docs.rs/pypwext/latest/pypwext/struct.LambdaResponse.html
#[proc_macro_attribute]
pub fn http_method(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::HttpMethod, args.into(), item.into()).into()
}

/// Turns an `async fn` that handles **one record** of an SQS queue, a
/// Kinesis stream or a DynamoDB stream into a Lambda handler that answers
/// the partial batch response, so only the records that failed come back.
///
/// The generated function is `async fn(LambdaEvent<E>) -> Result<R,
/// lambda_runtime::Error>`, with the event `E` and the response `R` of the
/// source (all re-exported by [`pypwext::batch`]):
///
/// | source | record parameter | `E` | `R` lists |
/// |---|---|---|---|
/// | `Sqs` | `SqsMessage` | `SqsEvent` | `SqsBatchResponse`: message ids |
/// | `Kinesis` | `KinesisEventRecord` | `KinesisEvent` | `KinesisEventResponse`: sequence numbers |
/// | `DynamoDb` | `DynamodbEventRecord` | `DynamoDbEvent` | `DynamoDbEventResponse`: sequence numbers |
///
/// The answer is Lambda's `{"batchItemFailures":[{"itemIdentifier":"…"}]}`
/// (for an event source mapping with `ReportBatchItemFailures`). Run the
/// handler with `pypwext::batch::run(handler)`.
///
/// **Parameters** are extractors: the record (by reference or by value), whose
/// type says the source; [`Json<T>`] (an SQS message's body, a Kinesis
/// record's data decoded from base64, parsed into `T: DeserializeOwned`);
/// `lambda_runtime::Context`. **The return type** is `Result<T, E>`: `Ok`
/// means the record was processed, `Err` that it failed; `E` is `PwError`
/// or anything that converts into `lambda_runtime::Error`.
///
/// # What fails, and what is listed
///
/// - A record fails when the function returns `Err`, panics, or its
///   `Json<T>` does not parse. Its ERROR line names the record (and, for a
///   body, the field and the reason). Every record runs with a collector of
///   its own, and every line logged while it runs carries its `record_id`
///   (the message id or the sequence number).
/// - SQS standard queue: up to `concurrency` records at a time, in the
///   invocation's task; every failed record is listed, in record order.
/// - SQS FIFO queue (the source ARN ends in `.fifo`): one record at a time,
///   in order; the first failure and every record after it are listed, or,
///   with `skip_group_on_error`, the failure and the later records of its
///   message group only, while the other groups go on.
/// - Kinesis and DynamoDB streams: one record at a time, in order; the
///   first failure stops the batch and is the one record listed (Lambda
///   resumes the stream there).
/// - No record succeeded: the invocation fails and Lambda retries the whole
///   batch (as Powertools does), unless `fail_whole_batch = false`, which
///   answers the list.
///
/// No record is ever listed twice or lost: each is processed successfully,
/// or listed, or (on a stream, after the failure) left for Lambda to
/// deliver again.
///
/// # Arguments
///
/// | argument | default | what it does |
/// |---|---|---|
/// | `source = Sqs \| Kinesis \| DynamoDb` | the record parameter's type | the source, when no parameter is the record |
/// | `concurrency = N` | `1` | SQS standard queues: up to `N` records in flight (a FIFO queue still runs one at a time) |
/// | `skip_group_on_error` | off | SQS FIFO queues: a failure stops only its own message group |
/// | `fail_whole_batch = false` | `true` | a batch whose every record failed is answered with the list instead of failing the invocation |
///
/// # In a stack
///
/// `#[batch_response]` is the core of the function: the attributes above
/// it see the generated signature (the batch event in, the response out),
/// those below it the record handler's, once per record. Put
/// `#[logged(inject_lambda_context)]` above it to log the event's outcome
/// (the batch layer puts the Lambda context on every line by itself), and
/// `#[collect_errors]` (without `root`) below it to collect a record's
/// `Continue` errors: a record whose error is collected counts as processed.
///
/// # Compile errors
///
/// - `` `#[batch_response]` cannot tell which source it answers: take the
///   record as a parameter (`message: &SqsMessage`, …) or write `source = …`
///   ``; `` this record is a `SqsMessage`, but `source = Kinesis`; … ``;
///   `` unknown source `Sns`; expected one of: `Sqs`, `Kinesis`, `DynamoDb` ``
/// - `` `concurrency` is for SQS standard queues: a Kinesis stream is
///   processed in order, one record at a time, so Lambda can resume it at the
///   first failure; remove `concurrency` ``; `` `concurrency` takes a whole
///   number of records in flight, 1 or more, like `concurrency = 8` ``
/// - A parameter that is no extractor: `` `#[batch_response]` cannot make a
///   `String` from a `SqsMessage` ``; `Json<T>` of a DynamoDB record:
///   `` `Json<T>` cannot be read from a `DynamodbEventRecord` ``; a type that
///   is no record: `` `Order` is not a record of a batch ``
/// - `` `#[batch_response]` needs an `async fn`: it runs records concurrently;
///   write `async fn on_order` ``; a `const fn`, generic parameters, `self`, no
///   return type (`` a `#[batch_response]` function returns `Result<T, E>` for
///   its record … ``) are refused likewise.
/// - `#[collect_errors]` above it, `#[collect_errors(root)]` below it,
///   `inject_lambda_context` below it; a second core
///   (`#[service_response]`, `#[http_method]`): `` `#[batch_response]` cannot
///   share a function with another of `#[service_response]`,
///   `#[batch_response]`, `#[http_method]` … ``
///
/// # Cargo feature
///
/// `batch` (on by default). Without it: `` `#[batch_response]` needs the
/// `batch` feature of pypwext: enable it in Cargo.toml, e.g. `pypwext = {
/// version = "0.1", default-features = false, features = ["batch"] }` ``.
///
/// # Example
///
/// Payments from an SQS FIFO queue, one message group per account:
///
/// ```
/// use pypwext::batch::{LambdaEvent, SqsEvent, SqsMessage};
/// use pypwext::{batch_response, collect_errors, ErrorAction, Json, PwError, StatusCode};
///
/// #[derive(serde::Deserialize)]
/// struct Payment { account: String, cents: i64 }
///
/// #[batch_response(skip_group_on_error)]
/// #[collect_errors]
/// async fn on_payment(Json(payment): Json<Payment>, message: &SqsMessage) -> Result<(), PwError> {
///     if payment.cents == 0 {
///         // Collected: reported, and the message counts as processed.
///         return Err(PwError::new(StatusCode::BAD_REQUEST, "nothing to pay").with_action(ErrorAction::Continue));
///     }
///     if payment.cents < 0 {
///         let id = message.message_id.as_deref().unwrap_or_default();
///         return Err(PwError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("{id}: {} cannot pay", payment.account)));
///     }
///     Ok(())
/// }
///
/// /// Writes every message somewhere; a message that is not JSON fails.
/// #[batch_response(source = Sqs, fail_whole_batch = false)]
/// async fn archive(Json(_line): Json<serde_json::Value>) -> Result<(), PwError> {
///     Ok(())
/// }
///
/// fn sqs(queue: &str, messages: &[(&str, &str, &str)]) -> LambdaEvent<SqsEvent> {
///     let records: Vec<_> = messages.iter().map(|(id, group, body)| serde_json::json!({
///         "messageId": id, "body": body, "attributes": {"MessageGroupId": group},
///         "eventSourceARN": format!("arn:aws:sqs:eu-west-1:123456789012:{queue}"),
///     })).collect();
///     LambdaEvent::new(serde_json::from_value(serde_json::json!({"Records": records})).unwrap(), Default::default())
/// }
///
/// fn failures(response: impl serde::Serialize) -> Vec<String> {
///     let response = serde_json::to_value(response).unwrap();
///     response["batchItemFailures"].as_array().unwrap().iter()
///         .map(|f| f["itemIdentifier"].as_str().unwrap().to_owned())
///         .collect()
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let payments = sqs("payments.fifo", &[
///     ("m1", "ada", r#"{"account": "ada", "cents": 500}"#),
///     ("m2", "bob", r#"{"account": "bob", "cents": -5}"#),   // fails
///     ("m3", "ada", r#"{"account": "ada", "cents": 0}"#),    // collected: processed
///     ("m4", "bob", r#"{"account": "bob", "cents": 300}"#),  // after bob's failure: listed, not run
///     ("m5", "ada", r#"{"account": "ada", "cents": 200}"#),
/// ]);
/// let response = on_payment(payments).await.unwrap();
/// assert_eq!(failures(response), ["m2", "m4"]);
///
/// // Every record failed: `fail_whole_batch = false` answers the list.
/// let garbage = sqs("archive", &[("a1", "", "not json"), ("a2", "", "{")]);
/// assert_eq!(failures(archive(garbage).await.unwrap()), ["a1", "a2"]);
/// # });
/// ```
///
/// [`pypwext::batch`]: https://docs.rs/pypwext/latest/pypwext/batch/index.html
/// [`Json<T>`]: https://docs.rs/pypwext/latest/pypwext/struct.Json.html
#[proc_macro_attribute]
pub fn batch_response(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::BatchResponse, args.into(), item.into()).into()
}

/// Gives each call of the function its own set of CloudWatch metrics, and
/// writes the set in the embedded metric format (EMF), as Powertools'
/// `Metrics` writes it, when the call returns.
///
/// [`pypwext::metrics::add_metric`], `add_high_resolution_metric`,
/// `add_dimension` and `add_metadata`, called anywhere below the attribute
/// (in the function, in what it calls and awaits, in the layers below it in
/// the stack), add to the set; `flush()` writes it at once. When the call
/// ends — `Ok`, `Err`, a panic (which goes on afterwards) or a future dropped
/// unfinished — the set is written as EMF lines to the logger's writer
/// (stdout when no pypwext logger is the current subscriber):
///
/// ```json
/// {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"shop","Dimensions":[["environment","service"]],"Metrics":[{"Name":"OrdersPlaced","Unit":"Count"}]}]},"environment":"prod","service":"orders","OrdersPlaced":[1.0]}
/// ```
///
/// One line holds at most 100 metrics and 100 values of a metric; more are
/// split over lines, nothing is dropped. A call that adds no metric writes a
/// WARNING line instead (unless metrics are disabled). The set is a
/// task-local of the call: concurrent
/// invocations never see each other's metrics, and a task started with
/// `tokio::spawn` sees none (the `add_*` functions then return an error that
/// says to annotate the handler). A `#[metrics]` function called inside
/// another one has its own set. Works on sync and `async fn`.
///
/// # Arguments
///
/// | argument | default | what it does |
/// |---|---|---|
/// | `namespace = "…"` | `POWERTOOLS_METRICS_NAMESPACE` | the CloudWatch namespace: 1 to 255 printable characters, not starting with `:` (with neither, each `add_metric` returns an error that says to name one) |
/// | `service = "…"` | `POWERTOOLS_SERVICE_NAME` | the `service` dimension of every metric, written last among the dimensions; printable ASCII; left out when neither is set |
/// | `capture_cold_start_metric` | off | a separate `ColdStart` line (dimensions `function_name` and `service`) on the process's first invocation only |
/// | `default_dimensions(name = "value", …)` | none | dimensions on every metric of the call: at most 29 besides `service`, names up to 255 and values up to 1024 characters of printable ASCII, not starting with `:` |
///
/// `capture_cold_start_metric` takes `= true` or `= false`; written alone it
/// means `true`.
///
/// | variable | effect |
/// |---|---|
/// | `POWERTOOLS_METRICS_NAMESPACE` | the namespace when the attribute names none |
/// | `POWERTOOLS_SERVICE_NAME` | the `service` dimension when the attribute names none |
/// | `POWERTOOLS_METRICS_FUNCTION_NAME` | the `function_name` of `ColdStart` (else the invocation's function, else `AWS_LAMBDA_FUNCTION_NAME`, else the Rust function's name) |
/// | `POWERTOOLS_METRICS_DISABLED` | `true`: nothing is written (metrics are still checked as they are added) |
/// | `POWERTOOLS_DEV` | `true`, without `POWERTOOLS_METRICS_DISABLED`: nothing is written, as in Powertools |
///
/// The variables are read once per process. The rules every `add_*` checks
/// (names, units, values, dimensions) are in [`pypwext::metrics`]; a broken
/// one is a `PwError` that names it, never a silent drop.
///
/// # In a stack
///
/// `#[metrics]` may stand anywhere: on top of a handler it writes the
/// invocation's metrics after everything below it has finished, below
/// `#[service_response]` or `#[batch_response]` it sees the handler's own
/// call (below `#[batch_response]`, one set per record). It goes well just
/// below `#[logged]`:
///
/// ```text
/// #[logged(level = "info")]
/// #[metrics(namespace = "shop", capture_cold_start_metric)]
/// #[collect_errors(root)]
/// #[service_response]
/// ```
///
/// # Compile errors
///
/// - `` `namespace` takes a string literal, like `namespace = "shop"` ``;
///   `` `namespace` takes 1 to 255 printable characters, not starting with
///   `:`, like `namespace = "shop"` `` (the same for `service`, which also
///   takes printable ASCII only)
/// - `` `service` is not a default dimension; write `service = "…"` as an
///   argument of `#[metrics]` ``; `` dimension `environment` is given twice;
///   keep one ``; `` the value `é` of a dimension must be printable ASCII, as
///   CloudWatch wants it ``; `` 30 default dimensions; CloudWatch takes at most
///   29 besides `service`, so drop some ``
/// - `` `#[metrics]` cannot go on a `const fn`; remove `const` ``
/// - `` unknown argument `x` of `#[metrics]`; expected one of: `namespace`,
///   `service`, `capture_cold_start_metric`, `default_dimensions` ``;
///   `` `#[metrics]` is written twice on this function; keep one ``
///
/// # Cargo feature
///
/// `metrics` (on by default; no dependency of its own). Without it:
/// `` `#[metrics]` needs the `metrics` feature of pypwext: enable it in
/// Cargo.toml, e.g. `pypwext = { version = "0.1", default-features = false,
/// features = ["metrics"] }` ``.
///
/// # Example
///
/// ```
/// use pypwext::metrics::MetricUnit;
/// use pypwext::{logging, metrics, PwError, StatusCode}; // `metrics`: the attribute and the module
///
/// #[metrics(namespace = "shop", service = "orders", capture_cold_start_metric,
///           default_dimensions(environment = "prod"))]
/// async fn place_order(channel: &str, items: u32) -> Result<(), PwError> {
///     metrics::add_dimension("channel", channel)?;
///     metrics::add_metric("OrdersPlaced", MetricUnit::Count, 1.0)?;
///     metrics::add_high_resolution_metric("CheckoutLatency", MetricUnit::Milliseconds, 12.5)?;
///     metrics::add_metadata("order_id", "o-42")?; // searchable in the logs, not a dimension
///     if items == 0 {
///         return Err(PwError::new(StatusCode::BAD_REQUEST, "an order needs items"));
///     }
///     metrics::add_metric("ItemsOrdered", MetricUnit::Count, f64::from(items))?;
///     Ok(())
/// }
///
/// #[metrics(namespace = "shop")]
/// fn health_check() -> bool {
///     true // adds no metric
/// }
///
/// let sink = logging::MemoryWriter::new();
/// let _logger = tracing::subscriber::set_default(logging::builder().writer(sink.clone()).build());
/// let lines = || -> Vec<serde_json::Value> {
///     sink.take_lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect()
/// };
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// place_order("web", 3).await.unwrap();
/// let [cold_start, order] = &lines()[..] else { panic!("two EMF lines") };
/// assert_eq!(cold_start["ColdStart"], serde_json::json!([1.0])); // the process's first call
/// assert_eq!(cold_start["_aws"]["CloudWatchMetrics"][0]["Dimensions"], serde_json::json!([["function_name", "service"]]));
///
/// let cloudwatch = &order["_aws"]["CloudWatchMetrics"][0];
/// assert_eq!(cloudwatch["Namespace"], "shop");
/// assert_eq!(cloudwatch["Dimensions"], serde_json::json!([["environment", "channel", "service"]]));
/// assert_eq!(
///     cloudwatch["Metrics"][1],
///     serde_json::json!({"Name": "CheckoutLatency", "Unit": "Milliseconds", "StorageResolution": 1})
/// );
/// assert_eq!((&order["channel"], &order["service"]), (&"web".into(), &"orders".into()));
/// assert_eq!(order["ItemsOrdered"], serde_json::json!([3.0]));
/// assert_eq!(order["order_id"], "o-42");
///
/// // An `Err` writes what was added before it.
/// place_order("app", 0).await.unwrap_err();
/// let [order] = &lines()[..] else { panic!("one EMF line") };
/// assert_eq!(order["OrdersPlaced"], serde_json::json!([1.0]));
/// assert!(order.get("ItemsOrdered").is_none());
/// # });
///
/// // No metric: a WARNING, not an EMF line.
/// assert!(health_check());
/// let [warning] = &lines()[..] else { panic!("one line") };
/// assert_eq!(warning["level"], "WARNING");
///
/// // Outside a `#[metrics]` call there is no set to add to.
/// assert!(metrics::add_metric("OrdersPlaced", MetricUnit::Count, 1.0).is_err());
/// ```
///
/// [`pypwext::metrics::add_metric`]: https://docs.rs/pypwext/latest/pypwext/metrics/fn.add_metric.html
/// [`pypwext::metrics`]: https://docs.rs/pypwext/latest/pypwext/metrics/index.html
#[proc_macro_attribute]
pub fn metrics(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::Metrics, args.into(), item.into()).into()
}

fn expand_stack(
    top: LayerKind,
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let stack = match Stack::parse(top, args, item.clone()) {
        Ok(stack) => stack,
        // Not a function we can wrap: say so, and keep the item for the IDE.
        Err(err) => {
            let mut out = err.to_compile_error();
            out.extend(item);
            return out;
        }
    };

    // A call's empty body would add a type error of its own to the errors below.
    let calls = stack.attrs.iter().any(|attr| attr.kind == LayerKind::HttpMethod);
    let mut cx = Ctxt::new();
    let plan = Plan::build(&mut cx, stack);
    valid::check(&mut cx, &plan);

    if cx.error_count() > 0 {
        // The user's function as written, minus our attributes, so that
        // completion and go-to-definition keep working while they fix it.
        let mut out = cx.into_compile_errors();
        let mut function = plan.function;
        if calls && function.has_empty_body() {
            function.body = quote::quote!({ ::core::unimplemented!("`#[http_method]` has errors") });
        }
        quote::ToTokens::to_tokens(&function, &mut out);
        return out;
    }
    expand::expand(&plan)
}
