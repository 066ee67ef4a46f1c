//! `server`: runs the ePEP and its operations subcommands. See `server --help`.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = server::cli::Cli::parse();
    server::telemetry::init();
    match server::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One readable line per cause, no backtrace: this is read by people starting a server.
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  because: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
