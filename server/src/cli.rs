//! Command line and configuration. Every setting has an environment variable and a default that
//! makes a fresh checkout work; `server --help` lists them.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use app::infra::db::Db;
use app::infra::mail::Mailer;
use clap::{Parser, Subcommand};

/// Production refuses demo data; development is the default so a fresh checkout runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "ePEP: Personal Education Plans for children in care"
)]
pub struct Cli {
    /// `production` refuses to load or serve the demo data.
    #[arg(
        long,
        env = "EPEP_ENV",
        value_enum,
        default_value = "development",
        global = true
    )]
    pub environment: Environment,

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
    /// Print the due date of a rule counted from a date over a school calendar (no database).
    Deadline(DeadlineArgs),
    /// Run the SMART checks on a target's words and print what they find (no database): for
    /// staff training and for checking the checks.
    CheckTarget(CheckTargetArgs),
    /// Bring the PEP schedule up to date now (the server also does this at start-up and after
    /// each midnight) and print what was created and what could not be scheduled.
    Schedule(ScheduleArgs),
}

/// `server check-target --json "Maya will read 40 words a minute by 12 February 2027"`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckTargetArgs {
    /// Print one JSON object (measurable, measure_phrase, vague, date_phrase, findings) instead of
    /// lines for people.
    #[arg(long)]
    pub json: bool,

    /// The target statement, in quotes.
    pub text: String,
}

/// `server schedule [--today 2027-01-04]`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScheduleArgs {
    /// Schedule as on this date, YYYY-MM-DD (default: today in England).
    #[arg(long)]
    pub today: Option<String>,
}

/// `server deadline --calendar riverside.csv --from 2026-10-12 --rule "20 school days"`.
#[derive(Debug, Clone, clap::Args)]
pub struct DeadlineArgs {
    /// The school's calendar as CSV (start,end,kind,label). Without one, school days are counted as
    /// working days, as for a child with no school.
    #[arg(long)]
    pub calendar: Option<PathBuf>,

    /// The trigger date, YYYY-MM-DD (not counted itself unless --count-trigger-day).
    #[arg(long)]
    pub from: String,

    /// The rule: "20 school days", "10 working days" or "14 calendar days".
    #[arg(long)]
    pub rule: String,

    /// What happened on the trigger date, for the explanation.
    #[arg(long, default_value = "the trigger date")]
    pub trigger: String,

    /// Count the trigger date as day 1 when it is an open day.
    #[arg(long)]
    pub count_trigger_day: bool,

    /// Bank holidays in the government's JSON format (default: the shipped 2024-2027 list).
    #[arg(long)]
    pub bank_holidays: Option<PathBuf>,
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

    /// Where outgoing email is written, one `.eml` file per message, when no SMTP relay is set.
    #[arg(long, env = "EPEP_MAIL_DIR", default_value = "data/mail")]
    pub mail_folder: PathBuf,

    /// Send email through this SMTP relay instead of the folder: smtps://USER:PASSWORD@HOST,
    /// smtp://HOST:587?tls=required (STARTTLS) or smtp://localhost:25. Required in production.
    #[arg(long, env = "EPEP_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of every email.
    #[arg(
        long,
        env = "EPEP_MAIL_FROM",
        default_value = "ePEP <no-reply@epep.invalid>"
    )]
    pub mail_from: String,

    /// Minutes without activity after which a session ends (1 to 30; people are warned before).
    #[arg(long, env = "EPEP_SESSION_IDLE_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(u16).range(1..=30))]
    pub session_idle_minutes: u16,

    /// Load the demo data before serving (for trying the product; never for real children).
    #[arg(long, env = "EPEP_DEMO", default_value_t = false)]
    pub demo: bool,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Deadline(args) = &cli.command {
        // A calculation for staff checking a calendar: no database involved.
        let (due, explanation) = deadline(args)?;
        println!("{due}\n{explanation}");
        return Ok(());
    }
    if let Command::CheckTarget(args) = &cli.command {
        println!("{}", check_target(args)?);
        return Ok(());
    }
    let db = open_database(&cli.database_url).await?;
    let outcome = match cli.command {
        Command::Deadline(_) | Command::CheckTarget(_) => {
            unreachable!("answered above, without a database")
        }
        Command::Migrate => {
            tracing::info!(backend = db.backend_name(), "migrations applied");
            Ok(())
        }
        Command::SeedDemo => {
            refuse_demo_in_production(cli.environment, true)?;
            seed_demo(&db).await
        }
        Command::Schedule(args) => schedule(&db, &args).await,
        Command::Serve(args) => {
            refuse_demo_in_production(cli.environment, args.demo)?;
            if args.demo {
                seed_demo(&db).await?;
            }
            let demo = crate::demo::present(&db).await?;
            refuse_demo_in_production(cli.environment, demo)?;
            let mailer = mailer(cli.environment, &args)?;
            tokio::spawn(app::features::pep_schedule::server::keep_schedule_up_to_date(db.clone()));
            crate::http::serve(db.clone(), args, demo, mailer).await
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

/// Demo data and demo sign-ins (published password and authenticator secret) must never be
/// reachable on a production service.
fn refuse_demo_in_production(environment: Environment, demo: bool) -> anyhow::Result<()> {
    if environment == Environment::Production && demo {
        anyhow::bail!(
            "the demo data cannot be used with EPEP_ENV=production: its password and \
             authenticator secret are published. Remove --demo / EPEP_DEMO, and use a database \
             without the demo council"
        );
    }
    Ok(())
}

/// The due date (ISO) and its explanation, or what to change in the input.
pub fn deadline(args: &DeadlineArgs) -> anyhow::Result<(String, String)> {
    use app::domain::calendar::{
        BankHolidays, ENGLAND_AND_WALES, SHIPPED_BANK_HOLIDAYS_JSON, SchoolCalendar,
        parse_calendar_csv,
    };
    use app::domain::deadlines::{Conventions, Rule, due_date};

    let from = chrono::NaiveDate::parse_from_str(args.from.trim(), "%Y-%m-%d").map_err(|_| {
        anyhow::anyhow!(
            "--from “{}” is not a date: write it as YYYY-MM-DD, like 2026-10-12",
            args.from
        )
    })?;
    let rule = Rule::parse(&args.rule).map_err(|e| anyhow::anyhow!("--rule {e}"))?;
    let bank_holidays = match &args.bank_holidays {
        Some(path) => {
            let json = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            BankHolidays::from_gov_uk_json(&json, ENGLAND_AND_WALES)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => BankHolidays::from_gov_uk_json(SHIPPED_BANK_HOLIDAYS_JSON, ENGLAND_AND_WALES)
            .map_err(anyhow::Error::msg)?,
    };
    let calendar = match &args.calendar {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let periods = parse_calendar_csv(&text).map_err(|errors| {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                anyhow::anyhow!("{} has problems:\n{}", path.display(), lines.join("\n"))
            })?;
            Some(SchoolCalendar::new(periods, bank_holidays.clone()))
        }
        None => None,
    };
    let conventions = Conventions {
        trigger_day_counts: args.count_trigger_day,
        ..Conventions::default()
    };
    let deadline = due_date(
        rule,
        &args.trigger,
        from,
        calendar.as_ref(),
        &bank_holidays,
        conventions,
    )?;
    Ok((deadline.due.to_string(), deadline.explanation))
}

/// SMTP when a relay is set; otherwise files, which production refuses (mail to people must
/// leave the machine).
fn mailer(environment: Environment, args: &ServeArgs) -> anyhow::Result<Mailer> {
    match (&args.smtp_url, environment) {
        (Some(url), _) => Mailer::smtp(url, &args.mail_from).map_err(anyhow::Error::msg),
        (None, Environment::Production) => anyhow::bail!(
            "EPEP_ENV=production needs EPEP_SMTP_URL (for example \
             smtps://USER:PASSWORD@smtp.example.org): invitations and password resets are sent \
             by email"
        ),
        (None, Environment::Development) => Ok(Mailer::Files {
            folder: args.mail_folder.clone(),
            from: args.mail_from.clone(),
        }),
    }
}

/// The text-level SMART checks, as JSON or as lines: what makes it measurable, when, and each
/// finding with its severity and reason.
fn check_target(args: &CheckTargetArgs) -> anyhow::Result<String> {
    use app::domain::smart::check_target_text;
    let check = check_target_text(&args.text);
    if args.json {
        return Ok(serde_json::to_string_pretty(&check)?);
    }
    let mut lines = vec![
        format!(
            "measurable: {}",
            check
                .measure_phrase
                .as_deref()
                .map_or("no".to_string(), |p| format!("yes (“{p}”)"))
        ),
        format!(
            "when: {}",
            check
                .date_phrase
                .as_deref()
                .map_or("no date".to_string(), |p| format!("“{p}”"))
        ),
    ];
    if check.findings.is_empty() {
        lines.push("no findings".to_string());
    }
    for finding in &check.findings {
        lines.push(format!(
            "{} {:?} ({}): {}",
            finding.letter,
            finding.severity,
            finding.check.as_str(),
            finding.reason
        ));
    }
    Ok(lines.join("\n"))
}

async fn schedule(db: &Db, args: &ScheduleArgs) -> anyhow::Result<()> {
    let today = match &args.today {
        Some(text) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            anyhow::anyhow!("--today “{text}” is not a date: write it as YYYY-MM-DD")
        })?,
        None => app::domain::uk_time::uk_today(chrono::Utc::now()),
    };
    let report = app::features::pep_schedule::server::schedule_peps(db, today, None)
        .await
        .context("the PEP schedule could not run")?;
    println!("{} PEPs scheduled", report.created());
    for (child_id, problem) in &report.problems {
        println!("{child_id}: {problem}");
    }
    Ok(())
}

async fn seed_demo(db: &Db) -> anyhow::Result<()> {
    let outcome = crate::demo::seed(db)
        .await
        .context("the demo data could not be loaded")?;
    tracing::info!("{outcome}");
    Ok(())
}
