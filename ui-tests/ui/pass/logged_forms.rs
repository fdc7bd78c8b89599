//! The forms `#[logged]` accepts.

use pypwext::{logged, InfoClassification, LogEntryType, PwError};

#[derive(Debug)]
struct DebugOnly;

#[logged]
fn defaults(a: u8, b: &str, c: DebugOnly) -> (u8, usize) {
    let _ = c;
    (a, b.len())
}

#[pypwext::logged(
    level = "trace",
    out_level = "WARNING",
    classification = InfoClassification::CorporateSensitiveInfo,
    out_classification = Na,
    log_type = LogEntryType::Audit,
    out_log_type = Std,
    operation = "op",
    out_operation = "op-out",
    log_exception = false,
    skip(c),
    redact(b),
)]
fn everything(a: u8, b: &str, c: fn()) -> Result<u8, PwError> {
    let _ = (b, c);
    Ok(a)
}

// Types that cannot be rendered are fine when skipped; so are impl Trait
// returns and destructured parameters (which are not logged).
#[logged(skip(f))]
fn skipped(f: impl Fn() -> u8, (x, y): (u8, u8)) -> impl std::fmt::Debug {
    f() + x + y
}

struct Service;

impl Service {
    #[logged(level = "info")]
    async fn call(&self, id: u32) -> Result<Option<u32>, String> {
        Ok(Some(id))
    }
}

fn assert_send<T: Send>(_: T) {}

fn main() {
    assert_eq!(defaults(1, "ab", DebugOnly), (1, 2));
    assert_eq!(everything(3, "x", || {}).unwrap(), 3);
    let _ = skipped(|| 1, (2, 3));
    let service = Service;
    assert_send(service.call(1));
}
