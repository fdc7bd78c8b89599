use pypwext::{traced, PwError};

#[traced(capture_result = false, name = "", capture_error = "no")]
fn first() -> Result<(), PwError> {
    Ok(())
}

#[traced(name = "checkout (v2)")]
fn reserve() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
