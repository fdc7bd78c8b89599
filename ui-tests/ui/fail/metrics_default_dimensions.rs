use pypwext::{metrics, PwError};

#[metrics(
    namespace = "shop",
    default_dimensions(service = "orders", env = "prod", env = "test", "café" = "x", region = ":eu"),
)]
fn handler() -> Result<(), PwError> {
    Ok(())
}

#[metrics(default_dimensions = "env")]
const fn constant() -> u32 {
    1
}

fn main() {}
