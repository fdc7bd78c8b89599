use pypwext::{traced, PwError};

#[traced]
#[pypwext::traced(capture_response = false)]
fn reserve() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
