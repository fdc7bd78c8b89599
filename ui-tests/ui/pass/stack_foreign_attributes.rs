use pypwext::{collect_errors, logged, PwError};

// Above the stack a foreign attribute wraps all of it; inert attributes may
// stand anywhere; `cfg_attr` works as the topmost attribute.
#[tracing::instrument]
#[cfg_attr(all(), logged)]
/// Documented.
#[allow(clippy::unnecessary_wraps)]
#[collect_errors]
#[inline]
fn instrumented() -> Result<(), PwError> {
    Ok(())
}

fn main() {
    instrumented().unwrap();
}
