//! `#[http_method]` without the `http` feature is a compile error that names
//! the feature; the attributes of the enabled features still compile. After a
//! deliberate change to a message, regenerate with
//! `TRYBUILD=overwrite cargo test -p pypwext-ui-features` and read the diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
