//! Every misuse of the attributes and of `static_metrics!` is a compile error
//! pointing at the attribute (or the bad literal) with a message that says
//! what to do. The expected messages are the `.stderr` files next to each
//! case in `tests/ui/`; regenerate them with `TRYBUILD=overwrite` and review
//! the diff.

#[test]
fn misuse_does_not_compile_and_says_what_to_do() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
