use pypwext::{collect_errors, logged, PwError};
use pypwext::logged as log;

// `instrument` would end up outside `#[logged]`: it must stand above the stack.
#[logged]
#[tracing::instrument]
#[collect_errors]
fn instrumented_in_the_middle() -> Result<(), PwError> {
    Ok(())
}

// Below the whole stack it would move too.
#[collect_errors]
#[tracing::instrument]
fn instrumented_below() -> Result<(), PwError> {
    Ok(())
}

// A renamed pypwext attribute is not recognised as part of the stack.
#[collect_errors]
#[log]
fn renamed() -> Result<(), PwError> {
    Ok(())
}

// The compiler applies `cfg_attr` before pypwext reads the stack, so the
// attribute it adds is part of the stack (here: written twice).
#[collect_errors]
#[cfg_attr(all(), collect_errors)]
fn conditional() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
