//! Command line and configuration. Every setting has an environment variable and a default that
//! makes a fresh checkout work; `server --help` lists them.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use app::infra::db::Db;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "ePEP: Personal Education Plans for children in care"
)]
pub struct Cli {
    /// The database: sqlite://PATH (created on first start) or postgres://USER:PASSWORD@HOST/DB.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/epep.db",
        global = true
    )]
    pub database_url: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, then serve the web app until SIGTERM or Ctrl-C.
    Serve(ServeArgs),
    /// Apply the database migrations and exit.
    Migrate,
    /// Apply migrations and load the demo council, schools, children, people and PEPs (idempotent).
    SeedDemo,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (the name cargo-leptos uses, so `cargo leptos watch` agrees).
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// The built site: `pkg/` with the WASM, JS and CSS, plus the public assets.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// The address people use to reach the service. https turns on HSTS (and secure cookies).
    #[arg(long, env = "EPEP_PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
    pub public_url: String,

    /// Load the demo data before serving (for trying the product; never for real children).
    #[arg(long, env = "EPEP_DEMO", default_value_t = false)]
    pub demo: bool,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let db = open_database(&cli.database_url).await?;
    let outcome = match cli.command {
        Command::Migrate => {
            tracing::info!(backend = db.backend_name(), "migrations applied");
            Ok(())
        }
        Command::SeedDemo => seed_demo(&db).await,
        Command::Serve(args) => {
            if args.demo {
                seed_demo(&db).await?;
            }
            crate::http::serve(db.clone(), args).await
        }
    };
    db.close().await;
    outcome
}

/// Connects and migrates, turning every failure into a message that says what to change.
pub async fn open_database(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(url)
        .await
        .context("the database is not available")?;
    db.migrate()
        .await
        .context("the database schema could not be brought up to date")?;
    Ok(db)
}

async fn seed_demo(db: &Db) -> anyhow::Result<()> {
    let outcome = crate::demo::seed(db)
        .await
        .context("the demo data could not be loaded")?;
    tracing::info!("{outcome}");
    Ok(())
}
