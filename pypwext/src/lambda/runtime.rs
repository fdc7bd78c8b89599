//! What the runners (`pypwext::lambda::run`, `pypwext::batch::run`) check
//! before they hand a handler to `lambda_runtime::run_concurrent`.

/// Checks what `lambda_runtime::run_concurrent` would get wrong or panic on:
/// `AWS_LAMBDA_MAX_CONCURRENCY` that is not a whole number of 1 or more
/// (lambda_runtime would read it as 1 and say nothing), and a call outside
/// tokio (where its client cannot run). `run_concurrent` runs one invocation
/// at a time at a concurrency of 1, as `run` does: one runtime loop compiled
/// into the function, not two.
pub(crate) fn check_before_run_concurrent(runner: &str) -> Result<(), lambda_runtime::Error> {
    max_concurrency(std::env::var_os("AWS_LAMBDA_MAX_CONCURRENCY").as_deref())?;
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(format!(
            "{runner} runs invocations as tokio tasks: call it inside a tokio runtime (#[tokio::main])"
        )
        .into());
    }
    Ok(())
}

/// How many invocations may run at once: `AWS_LAMBDA_MAX_CONCURRENCY`, or 1
/// when it is not set. lambda_runtime reads the variable again and would run
/// one at a time on a value it cannot parse; this says what is wrong instead.
fn max_concurrency(value: Option<&std::ffi::OsStr>) -> Result<u32, lambda_runtime::Error> {
    let Some(value) = value else {
        return Ok(1);
    };
    match value.to_str().map(str::parse::<u32>) {
        Some(Ok(n)) if n > 0 => Ok(n),
        _ => Err(format!(
            "the environment variable AWS_LAMBDA_MAX_CONCURRENCY is `{}`, not a whole number of 1 or more: set it to how many invocations may run at once, or unset it for one at a time",
            value.to_string_lossy()
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::max_concurrency;
    use std::ffi::OsStr;

    #[test]
    fn max_concurrency_is_a_whole_number_of_1_or_more() {
        assert_eq!(max_concurrency(None).unwrap(), 1);
        assert_eq!(max_concurrency(Some(OsStr::new("1"))).unwrap(), 1);
        assert_eq!(max_concurrency(Some(OsStr::new("8"))).unwrap(), 8);
        for bad in ["0", "-2", "eight", "", " 8", "1.5", "99999999999"] {
            let err = max_concurrency(Some(OsStr::new(bad))).unwrap_err().to_string();
            assert_eq!(
                err,
                format!(
                    "the environment variable AWS_LAMBDA_MAX_CONCURRENCY is `{bad}`, not a whole number of 1 or more: set it to how many invocations may run at once, or unset it for one at a time"
                )
            );
        }
    }
}
