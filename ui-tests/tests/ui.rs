//! Every diagnostic of the pypwext macros, compared to the letter with the
//! expected `.stderr` next to each case. The messages depend on the compiler,
//! which is why `rust-toolchain.toml` pins it; after a deliberate change to a
//! message, regenerate with `TRYBUILD=overwrite cargo test -p pypwext-ui-tests`
//! and read the diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
