//! The order service: two µservice handlers built from the pypwext stack.
//!
//! - `POST /orders`: `create_order` prices each line of an order; lines that
//!   cannot be delivered are collected and reported next to the ones that can.
//!   Each accepted order counts `OrdersPlaced` (CloudWatch EMF, `#[metrics]`).
//! - `POST /offers`: `create_offer` quotes a discounted price for an order and
//!   sends it to an offers service with `#[http_method]` (`send_offer`). Both
//!   are `#[traced]`: in an invocation whose trace header is sampled, each is
//!   an X-Ray subsegment, and the call carries the trace to the offers
//!   service, whose handler joins it. Where that service is (the SSM
//!   parameter `/shop/offers-service`, JSON) and its API key (the secret
//!   `shop/offers-api-key`) are read with `pypwext::parameters`: from SSM and
//!   Secrets Manager when deployed with `ORDER_SERVICE_PARAMETERS=aws`, from
//!   memory in the demo and with `--serve` (the embedded offers service's);
//!   without either, no offer is sent.
//!
//! How it runs:
//!
//! - under the Lambda runtime when `AWS_LAMBDA_RUNTIME_API` is set (deployed,
//!   or driven by the runtime emulator in the tests): one invocation at a time,
//!   or `AWS_LAMBDA_MAX_CONCURRENCY` at once when that is above 1;
//! - `order-service --serve`: on `PYPWEXT_LOCAL_ADDR` (default
//!   `127.0.0.1:9000`) as an API Gateway HTTP API, for `curl`;
//! - `order-service` (the demo): starts itself on a free local port, sends a
//!   valid order, the same order again (answered from its idempotency record),
//!   a partly failing one, a malformed one and an offer request,
//!   prints each response with its log lines (and, for the offers, sent with
//!   a sampled `X-Amzn-Trace-Id`, the X-Ray documents a local listener on
//!   `AWS_XRAY_DAEMON_ADDRESS`, default `127.0.0.1:2000`, received); then hands a batch of order
//!   events to the `order-events` function (`#[batch_response]`, see
//!   `order_events.rs`) and prints its partial batch response, and exits.

#[path = "../offers_parameters.rs"]
mod offers_parameters;
#[path = "../order_events.rs"]
mod order_events;

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::future::join_all;
use offers_parameters::{OFFERS_API_KEY, OFFERS_SERVICE};
use pypwext::idempotency::Idempotency;
use pypwext::logging::{self, MemoryWriter};
use pypwext::metrics::MetricUnit;
use pypwext::parameters::{self, ExposeSecret as _, InMemory, SecretString};
use pypwext::{
    ErrorAction, InfoClassification, Json, PwError, PwResponse, StatusCode, collect_errors, http_method, idempotent,
    logged, metrics, service_response, traced, tracer,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize)]
struct Order {
    customer: String,
    email: String,
    items: Vec<OrderLine>,
}

#[derive(Debug, Deserialize, Serialize)]
struct OrderLine {
    sku: String,
    quantity: u32,
}

#[derive(Debug, Serialize)]
struct PricedLine {
    sku: String,
    quantity: u32,
    total_cents: u64,
}

/// Price in cents and units in stock.
fn catalogue(sku: &str) -> Option<(u64, u32)> {
    match sku {
        "APPLE" => Some((45, 1_000)),
        "PEAR" => Some((60, 3)),
        "MELON" => Some((299, 40)),
        _ => None,
    }
}

/// One line: an unknown product or short stock is worth reporting, not worth
/// failing the order for (`Continue`); an absurd quantity is (`Raise`).
#[logged]
#[collect_errors]
async fn price_line(line: &OrderLine) -> Result<Option<PricedLine>, PwError> {
    if line.quantity == 0 || line.quantity > 10_000 {
        return Err(PwError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("quantity {} of {} is out of range", line.quantity, line.sku),
        )
        .with_details(serde_json::json!({ "sku": line.sku, "quantity": line.quantity })));
    }
    let Some((cents, stock)) = catalogue(&line.sku) else {
        return Err(
            PwError::new(StatusCode::NOT_FOUND, format!("unknown product {}", line.sku))
                .with_action(ErrorAction::Continue)
                .with_details(serde_json::json!({ "sku": line.sku })),
        );
    };
    if line.quantity > stock {
        return Err(
            PwError::new(StatusCode::CONFLICT, format!("only {stock} of {} in stock", line.sku))
                .with_action(ErrorAction::Continue)
                .with_classification(InfoClassification::CorporateSensitiveInfo)
                .with_details(serde_json::json!({ "sku": line.sku, "requested": line.quantity })),
        );
    }
    Ok(Some(PricedLine {
        sku: line.sku.clone(),
        quantity: line.quantity,
        total_cents: cents * u64::from(line.quantity),
    }))
}

/// Every line, concurrently; a `Raise` error from any line fails the order.
async fn price_lines(order: &Order) -> Result<Vec<PricedLine>, PwError> {
    let mut priced = Vec::new();
    for line in join_all(order.items.iter().map(price_line)).await {
        priced.extend(line?);
    }
    Ok(priced)
}

fn check_customer(order: &Order) -> Result<(), PwError> {
    if order.customer.trim().is_empty() {
        return Err(PwError::new(StatusCode::BAD_REQUEST, "an order needs a customer"));
    }
    if order.customer == "mallory" {
        return Err(
            PwError::new(StatusCode::FORBIDDEN, "customer is blocked").with_classification(InfoClassification::Pii)
        );
    }
    Ok(())
}

static NEXT_ORDER: AtomicU64 = AtomicU64::new(1000);

/// The orders placed: the DynamoDB table `IDEMPOTENCY_TABLE` names (the
/// client from the environment), else this process's memory.
static PLACED_ORDERS: LazyLock<Idempotency> = LazyLock::new(|| match std::env::var("IDEMPOTENCY_TABLE") {
    Ok(table) => Idempotency::dynamodb(table),
    Err(_) => Idempotency::in_memory(),
});

/// `POST /orders`: answers 201 with the priced lines and, in `"error"`, the
/// lines that could not be (`code_from_error = false` keeps the 201). Counts
/// `OrdersPlaced` and `OrderLines`; their EMF line is written when the
/// handler returns, the `ColdStart` line on the first invocation only. The
/// same order sent again (a client's retry) gets the stored answer, the
/// same order id, and is not placed twice (`#[idempotent]` on the order).
#[logged(level = "info", operation = "create-order", redact(request))]
#[metrics(namespace = "shop", service = "order-service", capture_cold_start_metric)]
#[collect_errors(root)]
#[service_response(just_status_code = false, code_from_error = false)]
#[idempotent(store = PLACED_ORDERS, key = order)]
async fn create_order(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    check_customer(&order)?;
    let priced = price_lines(&order).await?;
    if priced.is_empty() {
        return Err(PwError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no line of the order can be delivered",
        ));
    }
    let total: u64 = priced.iter().map(|l| l.total_cents).sum();
    tracing::info!(customer = %order.customer, lines = priced.len(), total_cents = total, "order accepted");
    metrics::add_metric("OrdersPlaced", MetricUnit::Count, 1.0)?;
    metrics::add_metric("OrderLines", MetricUnit::Count, priced.len() as f64)?;
    Ok(PwResponse::new(StatusCode::CREATED)
        .with_field("order_id", NEXT_ORDER.fetch_add(1, Ordering::Relaxed))
        .with_field("lines", priced)
        .with_field("total_cents", total))
}

#[derive(Debug, Serialize)]
struct Offer<'a> {
    customer: &'a str,
    offer_cents: u64,
}

/// Where the offers service is: the SSM parameter `/shop/offers-service`.
#[derive(Debug, Deserialize)]
struct OffersService {
    host: String,
    port: u16,
    api_version: String,
}

/// The embedded offers service's key, in the demo and with `--serve`.
const DEMO_API_KEY: &str = "demo-offers-key-7f3a";

/// The offers service and its API key, cached for 5 s (Powertools' default);
/// `None` when no offers service is configured.
async fn offers_service() -> Result<Option<(OffersService, SecretString)>, PwError> {
    let service: OffersService = match parameters::ssm(OFFERS_SERVICE).json().get().await {
        Ok(service) => service,
        Err(err) if err.code() == StatusCode::NOT_FOUND => return Ok(None),
        Err(err) => return Err(err),
    };
    let api_key: SecretString = parameters::secret(OFFERS_API_KEY).get().await?;
    Ok(Some((service, api_key)))
}

/// Sends an offer to the offers service. A refusal is collected (`Continue`):
/// the quote still answers. The seed's `send_offer`; the API key is shown
/// `"*****"` in its log line. Inside the traced `create_offer`, the call is
/// a `remote` subsegment of its own, and the offers service gets the trace
/// header.
#[collect_errors]
#[logged(log_exception = false, redact(api_key))]
#[http_method(
    method = "POST",
    url = "http://{host}:{port}/{api_version}/offers",
    params(email = "{email}"),
    headers("x-api-key" = "{api_key}"),
    body = offer
)]
async fn send_offer(
    host: &str,
    port: u16,
    api_version: &str,
    api_key: &str,
    email: &str,
    offer: &Offer<'_>,
    response_code: StatusCode,
    response_body: String,
) -> Result<Option<String>, PwError> {
    if response_code.is_success() {
        return Ok(Some(response_body));
    }
    Err(
        PwError::new(response_code, format!("the offer to {email} was not delivered"))
            .with_action(ErrorAction::Continue)
            .with_classification(InfoClassification::Pii)
            .with_details(serde_json::json!({ "downstream": response_body })),
    )
}

/// `POST /offers`: quotes 10% off and sends the offer; with the defaults,
/// lines that cannot be priced and offers not delivered only set the status.
#[traced]
#[logged(level = "info", operation = "create-offer", classification = Pii)]
#[collect_errors(root)]
#[service_response]
async fn create_offer(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    check_customer(&order)?;
    tracer::put_annotation("customer", order.customer.as_str())?;
    let priced = price_lines(&order).await?;
    let total: u64 = priced.iter().map(|l| l.total_cents).sum();
    let offer = Offer {
        customer: &order.customer,
        offer_cents: total - total / 10,
    };
    let delivered = match offers_service().await? {
        Some((service, api_key)) => send_offer(
            &service.host,
            service.port,
            &service.api_version,
            api_key.expose_secret(),
            &order.email,
            &offer,
        )
        .await?
        .is_some(),
        None => false,
    };
    Ok(PwResponse::ok()
        .with_field("email", &order.email)
        .with_field("offer_cents", offer.offer_cents)
        .with_field("lines", priced.len())
        .with_field("delivered", delivered))
}

/// The embedded offers service: accepts an offer with its API key unless the
/// address is on the do-not-contact list. Traced: a call that carries a
/// sampled trace header makes it a part of the caller's trace.
#[traced]
#[service_response]
async fn offers_inbox(request: lambda_http::Request) -> Result<PwResponse, PwError> {
    use lambda_http::RequestExt as _;
    if request.headers().get("x-api-key").map(|key| key.as_bytes()) != Some(DEMO_API_KEY.as_bytes()) {
        return Err(PwError::new(StatusCode::UNAUTHORIZED, "a valid x-api-key is required"));
    }
    let email = request
        .query_string_parameters_ref()
        .and_then(|q| q.first("email"))
        .unwrap_or_default()
        .to_owned();
    if email.starts_with("nomail") {
        return Err(PwError::new(
            StatusCode::CONFLICT,
            "the address is on the do-not-contact list",
        ));
    }
    Ok(PwResponse::new(StatusCode::ACCEPTED).with_field("accepted", email))
}

/// Starts the embedded offers service on a free loopback port, and reads
/// parameters from memory: where it listens, and its key.
async fn start_offers_service() -> Result<tokio::task::JoinHandle<()>, lambda_http::Error> {
    let server = pypwext::lambda::LocalServer::bind("127.0.0.1:0".parse()?).await?;
    let location = serde_json::json!({"host": "localhost", "port": server.local_addr().port(), "api_version": "v1"});
    parameters::set_source(
        InMemory::new()
            .with_ssm(OFFERS_SERVICE, location.to_string())
            .with_secret(OFFERS_API_KEY, DEMO_API_KEY),
    )?;
    Ok(tokio::spawn(async move {
        // Lives as long as the process; an error here only stops offers.
        let _ = server.serve(offers_inbox, std::future::pending()).await;
    }))
}

/// Routes by path: the generated handlers take a `lambda_http::Request`, so
/// they compose like any async fn.
async fn route(request: lambda_http::Request) -> Result<lambda_http::Response<lambda_http::Body>, lambda_http::Error> {
    use lambda_http::RequestExt as _;
    // API Gateway REST puts the stage in the URI (`/prod/orders`); the raw path has none.
    let path = match request.raw_http_path() {
        "" => request.uri().path().to_owned(),
        raw => raw.to_owned(),
    };
    match path.as_str() {
        "/orders" => create_order(request).await,
        "/offers" => create_offer(request).await,
        path => Ok(lambda_http::Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header("content-type", "application/json")
            .body(lambda_http::Body::Text(
                serde_json::json!({ "error": { "code": 404, "msg": format!("no route {path}"), "classification": "NA" } })
                    .to_string(),
            ))?),
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let serve = std::env::args().any(|a| a == "--serve");
    let under_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    let outcome = if under_lambda {
        logging::builder().service("order-service").init();
        // Deployed: SSM and Secrets Manager (the default source); else no
        // offers service, as in the end-to-end tests.
        let from_aws = std::env::var("ORDER_SERVICE_PARAMETERS").is_ok_and(|source| source == "aws");
        let source = if from_aws {
            Ok(())
        } else {
            parameters::set_source(InMemory::new())
        };
        match source {
            Ok(()) => pypwext::lambda::run(route).await,
            Err(err) => Err(err.into()),
        }
    } else if serve {
        logging::builder().service("order-service").init();
        match start_offers_service().await {
            Ok(_offers) => pypwext::lambda::run(route).await,
            Err(err) => Err(err),
        }
    } else {
        demo().await
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("order-service: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Starts the service on a free local port, calls it, prints what happened.
async fn demo() -> Result<(), lambda_http::Error> {
    let xray = xray_listener();
    let sink = MemoryWriter::new();
    logging::builder().service("order-service").writer(sink.clone()).init();
    let _offers = start_offers_service().await?;
    let server = pypwext::lambda::LocalServer::bind("127.0.0.1:0".parse()?).await?;
    let addr = server.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(route, async {
        let _ = stopped.await;
    }));
    println!("order-service demo: serving on http://{addr}\n");

    let calls = [
        (
            "a valid order",
            "/orders",
            r#"{"customer":"ada","email":"ada@example.com","items":[{"sku":"APPLE","quantity":12},{"sku":"MELON","quantity":2}]}"#,
        ),
        (
            "the valid order again, as a client retries it: the stored answer (the same order id), not placed twice",
            "/orders",
            r#"{"customer":"ada","email":"ada@example.com","items":[{"sku":"APPLE","quantity":12},{"sku":"MELON","quantity":2}]}"#,
        ),
        (
            "a partly failing order: an unknown product and short stock are collected",
            "/orders",
            r#"{"customer":"bob","email":"bob@example.com","items":[{"sku":"APPLE","quantity":1},{"sku":"KIWI","quantity":1},{"sku":"PEAR","quantity":5}]}"#,
        ),
        (
            "a malformed order: the 400 names the field",
            "/orders",
            r#"{"customer":"eve","email":"eve@example.com","items":[{"sku":"APPLE","quantity":"two"}]}"#,
        ),
        (
            "an offer, sent to the offers service by #[http_method]; a line that cannot be priced only sets the status code",
            "/offers",
            r#"{"customer":"ada","email":"ada@example.com","items":[{"sku":"MELON","quantity":3},{"sku":"KIWI","quantity":1}]}"#,
        ),
        (
            "an offer the offers service refuses: collected, and the status says so",
            "/offers",
            r#"{"customer":"bob","email":"nomail@example.com","items":[{"sku":"APPLE","quantity":4}]}"#,
        ),
    ];
    for (n, (what, path, body)) in calls.into_iter().enumerate() {
        // The offers go out as a sampled request of a trace of their own, as
        // API Gateway with active tracing would send them.
        let trace = (path == "/offers").then(|| {
            format!(
                "Root=1-6741a000-{:024x};Parent={:016x};Sampled=1",
                n + 1,
                0xd3d0_0000_0000_0000u64 + n as u64
            )
        });
        println!("== {what}\nPOST {path} {body}");
        if let Some(trace) = &trace {
            println!("X-Amzn-Trace-Id: {trace}");
        }
        let (status, response) = post(addr, path, body, trace.as_deref()).await?;
        println!("-> {status} {response}");
        println!("log lines:");
        let (emf, lines): (Vec<String>, Vec<String>) =
            sink.take_lines().into_iter().partition(|l| l.starts_with("{\"_aws\""));
        for line in lines {
            println!("  {line}");
        }
        if !emf.is_empty() {
            println!("metrics (CloudWatch EMF, through the same writer):");
            for line in emf {
                println!("  EMF {line}");
            }
        }
        if let Some(xray) = xray.as_ref().filter(|_| trace.is_some()) {
            println!("traces (the X-Ray subsegments the local listener received):");
            for document in received_documents(xray) {
                println!("  XRAY {document}");
            }
        }
        println!();
    }
    let _ = stop.send(());
    serving.await??;
    // The same orders arrive as events too: the order-events function handles
    // an SQS batch of them with #[batch_response].
    println!("order-events demo: the SQS queue of orders, one record at a time\n");
    order_events::demo(&sink).await?;
    println!("order-service demo: done");
    Ok(())
}

/// A UDP socket where the tracer sends (`AWS_XRAY_DAEMON_ADDRESS`, else the
/// X-Ray daemon's default `127.0.0.1:2000`), standing in for the daemon;
/// `None`, said on stdout, when the address is taken.
fn xray_listener() -> Option<std::net::UdpSocket> {
    let address = std::env::var("AWS_XRAY_DAEMON_ADDRESS").unwrap_or_else(|_| "127.0.0.1:2000".to_owned());
    match std::net::UdpSocket::bind(&address).and_then(|socket| socket.set_nonblocking(true).map(|()| socket)) {
        Ok(socket) => Some(socket),
        Err(err) => {
            println!(
                "(no X-Ray listener on {address}: {err}; set AWS_XRAY_DAEMON_ADDRESS to a free host:port to see the traces)\n"
            );
            None
        }
    }
}

/// The documents waiting on the listener: every subsegment is sent before
/// its invocation's response, so they are all there once the answer is.
fn received_documents(listener: &std::net::UdpSocket) -> Vec<String> {
    let mut documents = Vec::new();
    let mut buf = vec![0; 65_536];
    while let Ok(len) = listener.recv(&mut buf) {
        let datagram = String::from_utf8_lossy(&buf[..len]);
        // `{"format":"json","version":1}`, a newline, the document.
        if let Some((_, document)) = datagram.split_once('\n') {
            documents.push(document.to_owned());
        }
    }
    documents
}

/// A minimal HTTP/1.1 POST over loopback, with a trace header when given;
/// the demo needs no HTTP client crate.
async fn post(
    addr: std::net::SocketAddr,
    path: &str,
    body: &str,
    trace: Option<&str>,
) -> Result<(String, String), lambda_http::Error> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let trace = trace
        .map(|header| format!("x-amzn-trace-id: {header}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n{trace}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw.split_once("\r\n\r\n").ok_or("the response has no header end")?;
    let status_line = head.lines().next().unwrap_or_default();
    let status = status_line.split_once(' ').map_or("", |(_, status)| status);
    Ok((status.to_owned(), body.to_owned()))
}
