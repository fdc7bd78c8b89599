use pypwext::{collect_errors, PwError};

#[collect_errors(root)]
#[pypwext::collect_errors]
fn step() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
