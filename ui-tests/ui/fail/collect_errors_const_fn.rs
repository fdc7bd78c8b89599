use pypwext::{collect_errors, PwError};

#[collect_errors]
const fn step() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
