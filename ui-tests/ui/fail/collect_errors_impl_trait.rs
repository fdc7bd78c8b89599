use pypwext::collect_errors;

#[collect_errors]
fn numbers() -> impl Iterator<Item = u32> {
    0..3
}

fn main() {}
