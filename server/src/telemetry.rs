//! Logging: `tracing` to stderr (stdout stays free for command output), filtered by `RUST_LOG`
//! (default `info`, quieter dependencies).

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // `try_init`: tests start several servers in one process.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}
