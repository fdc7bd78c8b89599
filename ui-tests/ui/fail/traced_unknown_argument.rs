use pypwext::{traced, PwError};

#[traced(capture_result = false, name = "", capture_error = "no")]
fn reserve() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
