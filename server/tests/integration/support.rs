//! The shared test support is the `test-support` crate (`server/test-support`), which the
//! benchmarks use too: a database per test on each backend, the app served on port 0, signing
//! in, fixtures and the live channel. Re-exported here so tests say `super::support::…`
//! (`test_support::live` and `test_support::served::serve` are there for the benches).

pub use test_support::*;
