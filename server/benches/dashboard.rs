//! Benchmark: the Virtual School dashboard's server time for 2,000 children with three years of
//! PEP history (nine termly PEPs each, 18,000 PEPs), on SQLite and, when `TEST_DATABASE_URL` names
//! a PostgreSQL server, on PostgreSQL. Not a test: it prints numbers to report.
//!
//!     cargo bench -p server --bench dashboard
//!
//! Measures `dashboard_for` (the query, the phase and state filters, sorting, the page's
//! countdowns) and the size of its JSON answer, for the unfiltered first page and three filters.

#![expect(clippy::unwrap_used, reason = "a benchmark stops at the first error")]
mod common;

use std::time::{Duration, Instant};

use app::features::dashboard::DashboardFilter;
use app::features::dashboard::server::dashboard_for;
use app::infra::db::Db;
use app::infra::sql::sql;
use chrono::NaiveDate;

const CHILDREN: usize = 2_000;
const RUNS: usize = 30;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sqlite = common::TestDb::sqlite().await;
    run("SQLite", &sqlite.db).await;
    sqlite.finish().await;

    match common::TestDb::postgres().await {
        Some(postgres) => {
            run("PostgreSQL", &postgres.db).await;
            postgres.finish().await;
        }
        None => println!("PostgreSQL skipped: set TEST_DATABASE_URL to a server to include it"),
    }
}

async fn run(backend: &str, db: &Db) {
    server::demo::seed(db).await.unwrap();
    let started = Instant::now();
    let peps = load_children(db).await.unwrap();
    println!(
        "{backend}: loaded {CHILDREN} children with {peps} PEPs in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let head = server::demo::virtual_school_head();
    // Just after the autumn final date: this term's unsubmitted PEPs are overdue.
    let today = NaiveDate::from_ymd_opt(2026, 12, 14).unwrap();
    let cases: [(&str, DashboardFilter); 4] = [
        ("every child, page 1", DashboardFilter::default()),
        (
            "state: draft",
            DashboardFilter {
                state: Some("draft".into()),
                ..Default::default()
            },
        ),
        (
            "overdue only",
            DashboardFilter {
                overdue: true,
                ..Default::default()
            },
        ),
        (
            "one school, page 2",
            DashboardFilter {
                school: Some("demo-school-riverside".into()),
                page: 2,
                ..Default::default()
            },
        ),
    ];
    for (name, filter) in cases {
        let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
        let mut answer = None;
        for _ in 0..RUNS {
            let start = Instant::now();
            let dashboard = dashboard_for(db, &head, &filter, today).await.unwrap();
            times.push(start.elapsed());
            answer = Some(dashboard);
        }
        times.sort();
        let answer = answer.unwrap();
        let bytes = serde_json::to_vec(&answer).unwrap().len();
        println!(
            "{backend}: {name:<22} median {:>6.1} ms  p95 {:>6.1} ms  ({} matching, {} rows, {} KB JSON)",
            ms(times[RUNS / 2]),
            ms(times[RUNS * 95 / 100]),
            answer.matching,
            answer.rows.len(),
            bytes / 1024,
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// 2,000 children spread over the demo schools, each in care with a school place and a termly PEP
/// every term from autumn 2024 (seven each): the past ones approved, this term's in one of the
/// working states.
async fn load_children(db: &Db) -> Result<usize, sqlx::Error> {
    let mut peps = 0;
    let schools = [
        "demo-school-brookfield",
        "demo-school-northdale-high",
        "demo-school-riverside",
    ];
    let states = [
        "scheduled",
        "contributions",
        "meeting",
        "draft",
        "ready",
        "submitted",
        "returned",
    ];
    let terms = [("autumn", 12, 11), ("spring", 3, 19), ("summer", 7, 9)];
    let now = chrono::Utc::now();
    {
        let mut tx = db.begin_read().await?;
        for n in 0..CHILDREN {
            let id = format!("bench-child-{n:05}");
            let born = NaiveDate::from_ymd_opt(
                2009 + (n % 14) as i32,
                1 + (n % 12) as u32,
                1 + (n % 28) as u32,
            )
            .unwrap();
            let school = schools[n % schools.len()];
            sql("INSERT INTO children (id, council_id, first_name, last_name, date_of_birth, gender, ethnicity, first_language, sen_status, created_at, updated_at) VALUES ($1, 'demo-council', 'Bench', $1, $2, 'female', 'White British', 'English', 'none', $3, $3)")
                .bind(&id).bind(born).bind(now).execute(&mut tx).await?;
            sql("INSERT INTO care_episodes (id, child_id, started_on, legal_status, placement_type) VALUES ($1, $2, '2024-05-01', 'Care order (s31)', 'Foster placement')")
                .bind(format!("{id}-care")).bind(&id).execute(&mut tx).await?;
            sql("INSERT INTO education_episodes (id, child_id, school_id, status, started_on) VALUES ($1, $2, $3, 'on_roll', '2024-09-02')")
                .bind(format!("{id}-edu")).bind(&id).bind(school).execute(&mut tx).await?;
            for year in 2024..=2026 {
                for (t, (term, month, day)) in terms.iter().enumerate() {
                    if year == 2026 && t > 0 {
                        continue;
                    }
                    let calendar_year = if *term == "autumn" { year } else { year + 1 };
                    let due = NaiveDate::from_ymd_opt(calendar_year, *month, *day).unwrap();
                    let state = if year == 2026 {
                        states[n % states.len()]
                    } else {
                        "approved"
                    };
                    sql("INSERT INTO peps (id, child_id, academic_year, term, kind, phase, state, school_id, due_on, due_explanation, created_at, updated_at) VALUES ($1, $2, $3, $4, 'termly', 'school_age', $5, $6, $7, 'The council''s final date', $8, $8)")
                        .bind(format!("{id}-pep-{year}-{term}")).bind(&id).bind(i64::from(year)).bind(*term)
                        .bind(state).bind(school).bind(due).bind(now)
                        .execute(&mut tx).await?;
                    peps += 1;
                }
            }
        }
        tx.commit().await?;
    };
    // As autovacuum would after a bulk load: PostgreSQL plans from table statistics.
    if let Db::Postgres(pool) = db {
        sql("ANALYZE").execute(pool).await?;
    }
    Ok(peps)
}
