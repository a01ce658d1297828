//! The compile-time checks of `#[derive(SessionData)]`: each `tests/ui/fail/*.rs` holds
//! one mistake (or two, reported together) and its `.stderr` the exact message; each
//! `tests/ui/pass/*.rs` compiles and runs.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
