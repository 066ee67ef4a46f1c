//! What the server's integration tests and benchmarks share, so a benchmark measures the app
//! the tests check, served and signed in to the same way:
//!
//! - [`db`]: a fresh database per test on SQLite and on PostgreSQL, dropped even when the test
//!   panics;
//! - [`served`]: the real app on a free loopback port, calling its server functions as the
//!   hydrated page does, signing in (second factor included), typed answers;
//! - [`fixtures`]: the demo people by role, children related to them as asked, PEPs and targets;
//! - [`live`]: a page's live channel.

#![allow(
    clippy::unwrap_used,
    reason = "test support should stop loudly at the first unexpected error"
)]

pub mod db;
pub mod fixtures;
pub mod live;
pub mod served;

pub use db::{TestDb, free_port};
pub use fixtures::{USERS, field_version, fixture_child, fixture_pep, fixture_target, seeded_apps};
pub use served::{TestApp, call, cookie_of, session, sign_in, spawn_app, spawn_app_on};
