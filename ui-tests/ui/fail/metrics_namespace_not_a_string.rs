use pypwext::{metrics, PwError};

const SHOP: &str = "shop";

#[metrics(namespace = SHOP)]
fn by_constant() -> Result<(), PwError> {
    Ok(())
}

#[metrics(namespace = 42, service)]
fn by_number() -> Result<(), PwError> {
    Ok(())
}

#[metrics(namespace = "")]
fn empty() -> Result<(), PwError> {
    Ok(())
}

#[metrics(namespace = "shop", service = "bestellungen-ü")]
fn not_ascii() -> Result<(), PwError> {
    Ok(())
}

fn main() {}
