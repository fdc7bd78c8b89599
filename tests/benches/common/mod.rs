//! What the criterion benches share: where criterion writes its estimates,
//! and a summary of medians and ratios read back from them.

#![allow(dead_code)] // each bench uses its own part of it

use std::path::{Path, PathBuf};

/// pypwext's logger at `level`, writing every line to a sink.
pub fn pypwext_to_sink(level: impl Into<tracing::level_filters::LevelFilter>) -> tracing::Dispatch {
    tracing::Dispatch::new(
        pypwext::logging::builder()
            .service("bench")
            .level(level)
            .writer(std::io::sink)
            .build(),
    )
}

/// The directory criterion writes to, under this build's target dir.
pub fn criterion_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("criterion")
}

/// The median of `group/name` in this run, in ns.
pub fn median_ns(group: &str, name: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(name)
        .join("new")
        .join("estimates.json");
    let estimates: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

/// A benchmark: `(group, name)`.
pub type Bench<'a> = (&'a str, &'a str);

/// A ratio to print: `(label, numerator, denominator, goal)`.
pub type Ratio<'a> = (&'a str, Bench<'a>, Bench<'a>, &'a str);

/// Prints the medians of `rows`, then each ratio.
pub fn summary(title: &str, rows: &[Bench<'_>], ratios: &[Ratio<'_>]) {
    println!("\n== {title} (medians) ==");
    for (group, name) in rows {
        match median_ns(group, name) {
            Some(ns) => println!("{group}/{name}: {ns:.1} ns"),
            None => println!("{group}/{name}: not measured in this run"),
        }
    }
    for (label, (g1, n1), (g2, n2), goal) in ratios {
        if let (Some(a), Some(b)) = (median_ns(g1, n1), median_ns(g2, n2)) {
            println!("{label}: {:.3}x ({goal})", a / b);
        }
    }
}
