use pypwext::{metrics, PwError};

#[metrics(
    namespace = "shop",
    default_dimensions(service = "orders", env = "prod", env = "test", "café" = "x", region = ":eu", _aws = "x"),
)]
fn handler() -> Result<(), PwError> {
    Ok(())
}

// A value that breaks a rule, on a line of its own.
#[metrics(
    namespace = "shop",
    default_dimensions(
        environment = "prod",
        owner = " ",
    ),
)]
fn blank_value() -> Result<(), PwError> {
    Ok(())
}

// CloudWatch takes 29 dimensions besides `service`: the 30th is reported.
#[metrics(
    namespace = "shop",
    default_dimensions(
        d0 = "v", d1 = "v", d2 = "v", d3 = "v", d4 = "v", d5 = "v", d6 = "v", d7 = "v", d8 = "v", d9 = "v",
        d10 = "v", d11 = "v", d12 = "v", d13 = "v", d14 = "v", d15 = "v", d16 = "v", d17 = "v", d18 = "v", d19 = "v",
        d20 = "v", d21 = "v", d22 = "v", d23 = "v", d24 = "v", d25 = "v", d26 = "v", d27 = "v", d28 = "v", d29 = "v",
        d30 = "v",
    ),
)]
fn too_many() -> Result<(), PwError> {
    Ok(())
}

#[metrics(default_dimensions = "env")]
const fn constant() -> u32 {
    1
}

fn main() {}
