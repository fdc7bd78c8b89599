use pypwext::logged;

#[logged(level = "loud", out_level = "Info")]
fn step(n: u32) -> u32 {
    n
}

#[logged(level = debug)]
fn other(n: u32) -> u32 {
    n
}

fn main() {}
