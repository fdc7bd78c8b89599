use pypwext::logged;

#[logged(classification = Secret, out_log_type = LogEntryType::Loud)]
fn step(n: u32) -> u32 {
    n
}

#[logged(log_type = "AUDIT")]
fn other(n: u32) -> u32 {
    n
}

fn main() {}
