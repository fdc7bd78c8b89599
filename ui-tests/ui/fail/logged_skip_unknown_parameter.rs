use pypwext::logged;

#[logged(skip(pasword), redact(token, tokn))]
fn login(user: &str, password: &str, token: u64) -> bool {
    !user.is_empty() && !password.is_empty() && token > 0
}

#[logged(skip(user), redact(user))]
fn logout(user: &str) -> bool {
    !user.is_empty()
}

fn main() {}
