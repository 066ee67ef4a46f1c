//! What the benchmarks share beyond the tests' own support (`test-support`, served and signed in
//! to the same way as the integration tests): percentiles in words.

#![allow(dead_code, unused_imports, reason = "each benchmark uses part of it")]

use std::time::Duration;

use app::infra::db::Db;
pub use test_support::TestDb;
pub use test_support::live::{Socket, open_live};

/// Serves the app on `db` (demo on) on a free loopback port through the server's own serving
/// loop; its address.
pub async fn serve(db: Db, mail_folder: std::path::PathBuf) -> String {
    test_support::served::serve(db, mail_folder, true).await.0
}

/// Signs in with the demo password (no second factor: carers and young people); the cookie.
pub async fn sign_in(base: &str, email: &str) -> String {
    test_support::sign_in(&reqwest::Client::new(), base, email, false).await
}

/// "p50 / p99 ms".
pub fn percentiles(samples: &mut [Duration]) -> String {
    samples.sort();
    if samples.is_empty() {
        return "-".into();
    }
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "{:.1} / {:.1} ms",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    )
}
