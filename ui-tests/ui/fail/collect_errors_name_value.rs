use pypwext::{collect_errors, PwError};

#[collect_errors]
#[collect_errors = "root"]
fn step() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
