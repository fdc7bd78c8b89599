use pypwext::{collect_errors, PwError};

#[collect_errors(root = true, log = "no")]
fn step() -> Result<(), PwError> {
    Ok(())
}

#[collect_errors(root, root, log(false))]
fn other_step() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
