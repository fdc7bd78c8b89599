//! Prices a batch of order lines. Lines that cannot be priced are collected by
//! `#[collect_errors]` and reported next to the ones that worked; a line that
//! makes the whole batch meaningless (a blocked customer) stops it at once.
//!
//! Run it with `cargo run -p pypwext-examples --bin collect-batch`.

use futures_util::future::join_all;
use pypwext::{ErrorAction, InfoClassification, PwError, StatusCode, collect_errors, current_collector};
use serde::Serialize;

#[derive(Debug, Clone)]
struct Line {
    sku: &'static str,
    quantity: u32,
}

#[derive(Debug, Serialize)]
struct Priced {
    sku: &'static str,
    quantity: u32,
    total_cents: u64,
}

/// The catalogue: price in cents and units in stock.
fn catalogue(sku: &str) -> Option<(u64, u32)> {
    match sku {
        "APPLE" => Some((45, 100)),
        "PEAR" => Some((60, 3)),
        "MELON" => Some((299, 10)),
        _ => None,
    }
}

/// Prices one line. Unknown products and short stock are worth reporting but
/// not worth failing the batch for: they are `Continue` errors.
#[collect_errors]
async fn price(line: Line) -> Result<Option<Priced>, PwError> {
    // Stands in for a call to a pricing service.
    tokio::task::yield_now().await;
    let Some((cents, stock)) = catalogue(line.sku) else {
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
    Ok(Some(Priced {
        sku: line.sku,
        quantity: line.quantity,
        total_cents: cents * u64::from(line.quantity),
    }))
}

/// A blocked customer makes every line moot: a `Raise` error.
fn check_customer(customer: &str) -> Result<(), PwError> {
    if customer == "mallory" {
        return Err(PwError::new(StatusCode::FORBIDDEN, "customer is blocked"));
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct BatchReport {
    priced: Vec<Priced>,
    collected: Vec<PwError>,
}

/// Prices every line concurrently; the root collector gathers what failed.
#[collect_errors(root)]
async fn price_batch(customer: &str, lines: Vec<Line>) -> Result<Option<BatchReport>, PwError> {
    check_customer(customer)?;
    let results = join_all(lines.into_iter().map(price)).await;
    let mut priced = Vec::new();
    for result in results {
        // A `Raise` error from any line would stop the batch here.
        if let Some(line) = result? {
            priced.push(line);
        }
    }
    let collected = current_collector().map(|c| c.take()).unwrap_or_default();
    Ok(Some(BatchReport { priced, collected }))
}

fn print_json(label: &str, value: &impl Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{label}:\n{text}"),
        Err(err) => println!("{label}: <not JSON: {err}>"),
    }
}

fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("collect-batch: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let lines = vec![
        Line {
            sku: "APPLE",
            quantity: 12,
        },
        Line {
            sku: "KIWI",
            quantity: 1,
        },
        Line {
            sku: "PEAR",
            quantity: 5,
        },
        Line {
            sku: "MELON",
            quantity: 2,
        },
    ];

    println!("== batch for alice: 4 lines, 2 of them cannot be priced");
    match runtime.block_on(price_batch("alice", lines.clone())) {
        Ok(Some(report)) => {
            print_json("priced", &report.priced);
            print_json("collected errors", &report.collected);
            println!(
                "summary: {} priced, {} collected, highest code {}",
                report.priced.len(),
                report.collected.len(),
                report.collected.iter().map(|e| e.code().as_u16()).max().unwrap_or(200)
            );
        }
        Ok(None) => println!("the batch itself was collected"),
        Err(err) => print_json("batch failed", &err),
    }

    println!("\n== batch for mallory: a Raise error stops the batch");
    match runtime.block_on(price_batch("mallory", lines)) {
        Ok(report) => println!("unexpected: {report:?}"),
        Err(err) => print_json("batch failed", &err),
    }
    std::process::ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn the_batch_reports_what_worked_and_what_was_collected() {
        let lines = vec![
            Line {
                sku: "APPLE",
                quantity: 2,
            },
            Line {
                sku: "NOPE",
                quantity: 1,
            },
        ];
        let report = run(price_batch("alice", lines)).unwrap().unwrap();
        assert_eq!(report.priced.len(), 1);
        assert_eq!(report.priced[0].total_cents, 90);
        assert_eq!(report.collected.len(), 1);
        assert_eq!(report.collected[0].code(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn a_blocked_customer_fails_the_batch() {
        let err = run(price_batch("mallory", vec![])).unwrap_err();
        assert_eq!(err.code(), StatusCode::FORBIDDEN);
    }
}
