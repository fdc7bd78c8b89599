use pypwext::collect_errors;

#[collect_errors]
fn notify(user: &str) {
    println!("{user}");
}

fn main() {}
