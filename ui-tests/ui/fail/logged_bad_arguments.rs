use pypwext::logged;

#[logged(operation = 42, log_exception = "yes", skip = token, verbose)]
fn step(token: u64) -> u64 {
    token
}

fn main() {}
