use pypwext::{collect_errors, ErrorWithReturn, PwError, StatusCode};

// A value of another type than the function's `T`: on the value.
#[collect_errors]
fn send_offer(email: &str) -> Result<Option<String>, ErrorWithReturn<String>> {
    Err(PwError::new(StatusCode::CONFLICT, "already has the offer").with_return(email.len()))
}

// An `ErrorWithReturn<U>` for an `Option<T>` of another type: on the return type.
#[collect_errors]
async fn count_offers(email: &str) -> Result<Option<String>, ErrorWithReturn<u32>> {
    Ok(Some(email.to_owned()))
}

fn main() {}
