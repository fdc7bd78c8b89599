use pypwext::{metrics, PwError};

#[metrics(namespace = "shop")]
#[pypwext::metrics(capture_cold_start_metric)]
fn handler() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
