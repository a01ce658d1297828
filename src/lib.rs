//! Workspace root crate: holds the integration tests, examples and benchmarks.
