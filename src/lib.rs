//! Workspace root: holds the integration tests, the examples and the benchmarks of the
//! typed session crates. Nothing here is published.

/// The README's code blocks, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
