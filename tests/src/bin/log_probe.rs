//! A child process for the logging tests: the environment is process-global,
//! so each setting is tried in a process of its own.
//!
//! `log-probe [BUILDER_LEVEL] [INVOCATIONS] [SOURCE]` installs the logger from
//! the environment (and the builder level, if given), then runs INVOCATIONS
//! invocations (default 3), each logging one line per level (two at DEBUG)
//! with its index. SOURCE says how each invocation is made: `new` (default,
//! `Invocation::new`) or `context` (from a Lambda runtime `Context`, with an
//! X-Ray trace id `Root=ctx-i` on odd invocations only).

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
    let from_context = match args.next().as_deref() {
        None | Some("new") => false,
        Some("context") => true,
        Some(other) => {
            eprintln!("log-probe: bad source {other:?}: `new` or `context`");
            std::process::exit(2);
        }
    };
    builder.init();
    for i in 0..invocations {
        let invocation = if from_context {
            let mut context = lambda_runtime::Context::default();
            context.request_id = format!("req-{i}");
            context.xray_trace_id = (i % 2 == 1).then(|| format!("Root=ctx-{i}"));
            Invocation::from(&context)
        } else {
            Invocation::new(format!("req-{i}"))
        };
        invocation.sync_scope(|| {
            tracing::trace!(i, "trace");
            tracing::debug!(i, "debug");
            tracing::debug!(i, "debug again");
            tracing::info!(i, "info");
            tracing::warn!(i, "warn");
            tracing::error!(i, "error");
        });
    }
}
