//! The forms `#[collect_errors]` accepts: sync and async, free functions and
//! methods, generics, lifetimes, type aliases, paths, `?` and `return`, and
//! `ErrorWithReturn<T>` errors.

use pypwext::{collect_errors, logged, ErrorAction, ErrorWithReturn, PwError, StatusCode};

type Outcome<T> = Result<Option<T>, PwError>;

#[collect_errors]
fn plain(n: u32) -> Result<Option<u32>, PwError> {
    if n == 0 {
        return Err(PwError::new(StatusCode::BAD_REQUEST, "zero").with_action(ErrorAction::Continue));
    }
    Ok(Some(n))
}

#[pypwext::collect_errors(root, log = false)]
fn aliased<T: Clone + std::fmt::Debug>(items: &[T]) -> Outcome<T> {
    let first = items.first().ok_or_else(|| PwError::new(StatusCode::NOT_FOUND, "empty"))?;
    Ok(Some(first.clone()))
}

#[::pypwext::collect_errors(log)]
fn borrowed<'a>(text: &'a str, sep: char) -> Result<Option<&'a str>, PwError> {
    Ok(text.split(sep).next())
}

#[collect_errors]
async fn unit(flag: bool) -> Result<(), PwError> {
    if flag {
        Err(PwError::new(StatusCode::CONFLICT, "flag").with_action(ErrorAction::Continue))?;
    }
    Ok(())
}

struct Service {
    name: String,
}

impl Service {
    #[collect_errors(root)]
    async fn name(&self, suffix: impl AsRef<str>) -> Result<Option<String>, PwError> {
        unit(false).await?;
        Ok(Some(format!("{}{}", self.name, suffix.as_ref())))
    }

    #[collect_errors]
    fn rename(&mut self, name: String) -> Result<(), PwError> {
        self.name = name;
        Ok(())
    }
}

#[collect_errors]
#[allow(clippy::needless_return)]
#[inline]
pub(crate) fn with_other_attributes() -> Result<(), PwError> {
    return Ok(());
}

#[logged]
#[collect_errors]
async fn with_return(n: u32) -> Result<Option<u32>, ErrorWithReturn<u32>> {
    plain(n)?; // a `PwError` converts, carrying no value
    if n > 10 {
        return Err(PwError::new(StatusCode::CONFLICT, "big").with_return(10));
    }
    Ok(Some(n))
}

#[collect_errors(root)]
async fn with_return_caller(n: u32) -> Result<Option<u32>, PwError> {
    Ok(with_return(n).await?) // an `ErrorWithReturn` converts into its `PwError`
}

fn main() {
    assert_eq!(plain(2).unwrap(), Some(2));
    assert_eq!(aliased(&[1, 2]).unwrap(), Some(1));
    assert_eq!(borrowed("a,b", ',').unwrap(), Some("a"));
    let mut service = Service { name: "n".into() };
    service.rename("m".into()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert_eq!(runtime.block_on(service.name("!")).unwrap(), Some("m!".to_owned()));
    with_other_attributes().unwrap();
    assert_eq!(runtime.block_on(with_return_caller(11)).unwrap(), Some(10));
}
