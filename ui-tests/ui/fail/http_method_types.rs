use pypwext::{http_method, PwError};

struct Opaque;

// A value in the URL must be `Display`.
#[http_method(url = "https://api.example.com/{key}")]
async fn opaque_key(key: Opaque) -> Result<String, PwError> {}

static NOT_A_SESSION: u32 = 7;

#[http_method(url = "https://api.example.com/x", session = NOT_A_SESSION)]
async fn wrong_session() -> Result<String, PwError> {}

fn main() {}
