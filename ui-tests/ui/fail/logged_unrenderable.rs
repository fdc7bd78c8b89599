use pypwext::logged;

struct Secret {
    key: Vec<u8>,
}

#[logged]
fn sign(payload: &str, secret: Secret) -> usize {
    payload.len() + secret.key.len()
}

struct Opaque;

#[logged]
fn make() -> Opaque {
    Opaque
}

fn main() {}
