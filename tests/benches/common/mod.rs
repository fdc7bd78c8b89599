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

/// The ratio of two timings measured side by side: the median and the 10th
/// and 90th percentiles over the rounds.
pub struct Interleaved {
    pub median: f64,
    pub p10: f64,
    pub p90: f64,
    pub rounds: usize,
}

/// Times `batch` calls of `a`, then of `b` (the other order every other
/// round, so that a drift of the machine's speed favours neither), `rounds`
/// times; the ratio a/b of each round, summarized. Criterion measures one
/// function after the other, seconds apart: on a shared machine that drifts
/// by a few percent, which is the size of the differences measured here.
pub fn interleaved(mut a: impl FnMut(), mut b: impl FnMut(), rounds: usize, batch: usize) -> Interleaved {
    fn time(f: &mut impl FnMut(), batch: usize) -> f64 {
        let start = std::time::Instant::now();
        for _ in 0..batch {
            f();
        }
        start.elapsed().as_secs_f64()
    }
    // Warm both up once before measuring.
    time(&mut a, batch);
    time(&mut b, batch);
    let mut ratios: Vec<f64> = (0..rounds)
        .map(|round| {
            if round % 2 == 0 {
                let ta = time(&mut a, batch);
                ta / time(&mut b, batch)
            } else {
                let tb = time(&mut b, batch);
                time(&mut a, batch) / tb
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    Interleaved {
        median: at(0.5),
        p10: at(0.1),
        p90: at(0.9),
        rounds,
    }
}

/// Prints one interleaved ratio with its goal.
pub fn print_interleaved(label: &str, ratio: &Interleaved, goal: &str) {
    println!(
        "{label}: {:.3}x (p10 {:.3}, p90 {:.3}; median of {} interleaved rounds) ({goal})",
        ratio.median, ratio.p10, ratio.p90, ratio.rounds
    );
}
