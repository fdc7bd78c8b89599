use pypwext::{collect_errors, PwError};

#[collect_errors(rooot)]
fn step() -> Result<(), PwError> {
    Ok(())
}

#[collect_errors(root, level = "debug")]
fn other_step() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
