use pypwext::collect_errors;

#[collect_errors]
struct Order {
    id: u32,
}

trait Store {
    #[collect_errors]
    fn get(&self) -> Result<Option<u32>, pypwext::PwError>;
}

fn main() {
    let _ = Order { id: 1 }.id;
}
