use pypwext::{traced, PwError};

#[traced]
fn reserve() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
