//! A child process for the logging tests: the environment is process-global,
//! so each setting is tried in a process of its own.
//!
//! `log-probe [BUILDER_LEVEL] [INVOCATIONS]` installs the logger from the
//! environment (and the builder level, if given), then runs INVOCATIONS
//! invocations (default 3), each logging one line per level (two at DEBUG) with its index.

use pypwext::lambda::Invocation;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut builder = pypwext::logging::builder();
    if let Some(level) = args.next().filter(|l| l != "-") {
        let level: tracing::Level = match level.parse() {
            Ok(level) => level,
            Err(err) => {
                eprintln!("log-probe: bad level {level:?}: {err}");
                std::process::exit(2);
            }
        };
        builder = builder.level(level);
    }
    let invocations: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(3);
    builder.init();
    for i in 0..invocations {
        Invocation::new(format!("req-{i}")).sync_scope(|| {
            tracing::trace!(i, "trace");
            tracing::debug!(i, "debug");
            tracing::debug!(i, "debug again");
            tracing::info!(i, "info");
            tracing::warn!(i, "warn");
            tracing::error!(i, "error");
        });
    }
}
