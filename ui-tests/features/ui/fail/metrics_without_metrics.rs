use pypwext::{metrics, PwError};

#[metrics(namespace = "shop")]
fn handler() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
