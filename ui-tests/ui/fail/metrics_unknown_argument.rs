use pypwext::{metrics, PwError};

#[metrics(namespace = "shop", cold_start, dimensions(env = "prod"))]
fn handler() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
