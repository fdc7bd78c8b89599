use pypwext::{collect_errors, PwError};

#[collect_errors]
fn parse(input: &str) -> Result<u32, PwError> {
    Ok(input.len() as u32)
}

fn main() {}
