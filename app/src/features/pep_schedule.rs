//! The PEP schedule kept up to date: every eligible child has the PEP that is due now (initial,
//! new to care or school, this term's review), each with its due date explained in words.
//!
//! The rules are `domain::schedule`; this runs them over the database. The server runs it at
//! start-up and after each English midnight, and `server schedule` runs it by hand. It is
//! idempotent (a PEP is unique per child, year, term and kind, and inserted with ON CONFLICT DO
//! NOTHING), so several servers may run it at once.

#[cfg(feature = "ssr")]
pub mod server {
    use std::collections::HashMap;

    use chrono::{NaiveDate, Utc};

    use crate::domain::academic_year::AcademicYear;
    use crate::domain::audit::AuditAction;
    use crate::domain::child::{EligibilityFacts, eligibility};
    use crate::domain::pep::{PepState, Phase, Term};
    use crate::domain::schedule::{
        ChildSituation, ExistingPep, PepChange, PlannedPep, peps_to_create,
    };
    use crate::infra::audit;
    use crate::infra::audit::AuditEvent;
    use crate::infra::db::Db;
    use crate::infra::reference_data::{
        bank_holidays, council_calendars, council_division, deadline_policy,
    };
    use crate::infra::sql::sql;

    /// What a run did.
    #[derive(Debug, Default, PartialEq, Eq)]
    pub struct ScheduleReport {
        /// Each PEP created by this run, in words: "initial PEP, due 4 December 2026".
        pub created_peps: Vec<String>,
        /// Each PEP on record a move changed, in words: "the PEP being written is now due …".
        pub changed_peps: Vec<String>,
        /// (child id, what stopped a PEP from being scheduled), for the Virtual School to mend.
        pub problems: Vec<(String, String)>,
    }

    impl ScheduleReport {
        /// How many PEPs this run created.
        pub fn created(&self) -> usize {
            self.created_peps.len()
        }
    }

    #[derive(sqlx::FromRow)]
    struct ChildRow {
        id: String,
        council_id: String,
        date_of_birth: NaiveDate,
        nc_year_override: Option<i64>,
        in_care_since: Option<NaiveDate>,
        emergency_placement: Option<bool>,
        school_id: Option<String>,
        school: Option<String>,
        education_since: Option<NaiveDate>,
    }

    /// Schedules what is due on `today` for every child, or for one child.
    pub async fn schedule_peps(
        db: &Db,
        today: NaiveDate,
        only_child: Option<&str>,
    ) -> Result<ScheduleReport, sqlx::Error> {
        let children: Vec<ChildRow> = {
            sql(
                "SELECT c.id, c.council_id, c.date_of_birth, c.nc_year_override, \
                 ce.started_on AS in_care_since, ce.emergency_placement, \
                 e.school_id, s.name AS school, e.started_on AS education_since \
                 FROM children c \
                 LEFT JOIN care_episodes ce ON ce.child_id = c.id AND ce.ended_on IS NULL \
                 LEFT JOIN education_episodes e ON e.child_id = c.id AND e.ended_on IS NULL \
                 LEFT JOIN schools s ON s.id = e.school_id \
                 WHERE c.id = COALESCE($1, c.id) ORDER BY c.council_id, c.id",
            )
            .bind(only_child)
            .fetch_all(db)
            .await?
        };
        #[derive(sqlx::FromRow)]
        struct PepRow {
            id: String,
            child_id: String,
            academic_year: i64,
            term: Term,
            due_on: NaiveDate,
            state: PepState,
            school_id: Option<String>,
            trigger_on: Option<NaiveDate>,
        }
        let existing_rows: Vec<PepRow> = {
            sql(
                "SELECT id, child_id, academic_year, term, due_on, state, school_id, trigger_on \
                 FROM peps WHERE child_id = COALESCE($1, child_id)",
            )
            .bind(only_child)
            .fetch_all(db)
            .await?
        };
        let mut existing: HashMap<String, Vec<ExistingPep>> = HashMap::new();
        for row in existing_rows {
            existing.entry(row.child_id).or_default().push(ExistingPep {
                id: row.id,
                academic_year: AcademicYear::starting(row.academic_year as i32),
                term: row.term,
                due_on: row.due_on,
                state: row.state,
                school_id: row.school_id,
                trigger_on: row.trigger_on,
            });
        }

        let mut report = ScheduleReport::default();
        let mut council = None;
        for child in children {
            // Children come ordered by council: load its rules and calendars once.
            if council.as_ref().map(|c: &CouncilRules| &c.id) != Some(&child.council_id) {
                council = Some(CouncilRules::load(db, &child.council_id).await?);
            }
            let rules = council.as_ref().expect("loaded above");
            let facts = EligibilityFacts::from_register(
                child.date_of_birth,
                child.in_care_since,
                child.nc_year_override,
            );
            let eligibility = eligibility(&facts, today);
            let situation = ChildSituation {
                eligible: eligibility.eligible,
                in_care_since: child
                    .in_care_since
                    .map(|since| (since, child.emergency_placement.unwrap_or(false))),
                at_school_since: match (&child.school, child.education_since) {
                    (Some(school), Some(since)) => Some((since, school.clone())),
                    _ => None,
                },
                school_id: child.school_id.clone(),
                existing: existing.remove(&child.id).unwrap_or_default(),
            };
            let periods = match &child.school_id {
                Some(school_id) => rules.calendars.for_school(school_id),
                None => &[][..],
            };
            let school_calendar = rules
                .policy
                .counting_calendar(periods, &rules.bank_holidays);
            // Without a school the council default calendar still says which term it is.
            let term_calendar = school_calendar.clone().or_else(|| {
                rules
                    .policy
                    .counting_calendar(&rules.calendars.default, &rules.bank_holidays)
            });
            let schedule = peps_to_create(
                &situation,
                &rules.policy,
                school_calendar.as_ref(),
                term_calendar.as_ref(),
                &rules.bank_holidays,
                today,
            );
            for problem in schedule.problems {
                report
                    .problems
                    .push((child.id.clone(), problem.to_string()));
            }
            for change in &schedule.changes {
                if apply_change(db, &child.id, change).await? {
                    report.changed_peps.push(change.words.clone());
                }
            }
            let phase = eligibility.phase.unwrap_or(Phase::SchoolAge);
            for planned in &schedule.planned {
                if insert_planned_pep(db, &child.id, child.school_id.as_deref(), phase, planned)
                    .await?
                {
                    report.created_peps.push(format!(
                        "{}, due {}",
                        planned.kind.label(),
                        crate::domain::deadlines::long_date(planned.deadline.due)
                    ));
                }
            }
        }
        Ok(report)
    }

    struct CouncilRules {
        id: String,
        policy: crate::domain::schedule::DeadlinePolicy,
        calendars: crate::infra::reference_data::CouncilCalendars,
        bank_holidays: crate::domain::calendar::BankHolidays,
    }

    impl CouncilRules {
        async fn load(db: &Db, council_id: &str) -> Result<CouncilRules, sqlx::Error> {
            let division = council_division(db, council_id).await?;
            Ok(CouncilRules {
                id: council_id.to_string(),
                policy: deadline_policy(db, council_id).await?,
                calendars: council_calendars(db, council_id).await?,
                bank_holidays: bank_holidays(db, &division).await?,
            })
        }
    }

    /// Inserts one planned PEP with its audit row; false when it already exists (another server,
    /// or an earlier run, got there first).
    async fn insert_planned_pep(
        db: &Db,
        child_id: &str,
        school_id: Option<&str>,
        phase: Phase,
        planned: &PlannedPep,
    ) -> Result<bool, sqlx::Error> {
        let id = uuid::Uuid::now_v7().to_string();
        let now = Utc::now();
        {
            let mut tx = db.begin_write().await?;
            let inserted = sql(
                "INSERT INTO peps (id, child_id, academic_year, term, kind, phase, state, \
                 school_id, due_on, due_explanation, trigger_on, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
                 ON CONFLICT (child_id, academic_year, term, kind) DO NOTHING",
            )
            .bind(&id)
            .bind(child_id)
            .bind(i64::from(planned.academic_year.start_year()))
            .bind(planned.term.as_str())
            .bind(planned.kind.as_str())
            .bind(phase.as_str())
            .bind(PepState::Scheduled.as_str())
            .bind(school_id)
            .bind(planned.deadline.due)
            .bind(&planned.deadline.explanation)
            .bind(planned.trigger_on)
            .bind(now)
            .execute(&mut tx)
            .await?
            .rows_affected()
                == 1;
            if inserted {
                audit::append(
                    &mut tx,
                    &AuditEvent {
                        occurred_at: now,
                        actor_id: None,
                        action: AuditAction::PepScheduled,
                        entity: "pep",
                        entity_id: Some(&id),
                        child_id: Some(child_id),
                        pep_id: Some(&id),
                        detail: serde_json::json!({
                            "kind": planned.kind.as_str(),
                            "term": planned.term.as_str(),
                            "academic_year": planned.academic_year.start_year(),
                            "due_on": planned.deadline.due,
                            "explanation": planned.deadline.explanation,
                        }),
                        request_id: None,
                    },
                )
                .await?;
            }
            tx.commit().await?;
            Ok(inserted)
        }
    }

    /// Brings a PEP forward and hands it to the new school after a move, with its audit row;
    /// false when it was no longer open (submitted meanwhile) and so left alone.
    async fn apply_change(
        db: &Db,
        child_id: &str,
        change: &PepChange,
    ) -> Result<bool, sqlx::Error> {
        let now = Utc::now();
        {
            let mut tx = db.begin_write().await?;
            let changed = sql("UPDATE peps SET due_on = COALESCE($1, due_on), \
                 due_explanation = COALESCE($2, due_explanation), \
                 school_id = COALESCE($3, school_id), trigger_on = $4, \
                 version = version + 1, updated_at = $5 \
                 WHERE id = $6 AND ")
            .bind(change.brought_forward.as_ref().map(|d| d.due))
            .bind(
                change
                    .brought_forward
                    .as_ref()
                    .map(|d| d.explanation.clone()),
            )
            .bind(change.school_id.as_deref())
            .bind(change.trigger_on)
            .bind(now)
            .bind(&change.pep_id)
            .push_not_in("state", &PepState::LOCKED)
            .execute(&mut tx)
            .await?
            .rows_affected()
                == 1;
            if changed {
                audit::append(&mut tx, &AuditEvent {
                    occurred_at: now,
                    actor_id: None,
                    action: AuditAction::PepRescheduled,
                    entity: "pep",
                    entity_id: Some(&change.pep_id),
                    child_id: Some(child_id),
                    pep_id: Some(&change.pep_id),
                    detail: serde_json::json!({
                        "due_on": change.brought_forward.as_ref().map(|d| d.due),
                        "explanation": change.brought_forward.as_ref().map(|d| d.explanation.clone()),
                        "school_id": change.school_id,
                        "trigger_on": change.trigger_on,
                    }),
                    request_id: None,
                }).await?;
            }
            tx.commit().await?;
            Ok(changed)
        }
    }

    /// Runs the schedule now and then after each English midnight, for as long as the server
    /// runs. A failed run is logged and retried at the next midnight.
    pub async fn keep_schedule_up_to_date(db: Db) {
        use crate::domain::uk_time::{next_uk_midnight, uk_today};
        loop {
            let now = Utc::now();
            match schedule_peps(&db, uk_today(now), None).await {
                Ok(report) => {
                    tracing::info!(
                        created = report.created(),
                        problems = report.problems.len(),
                        "PEP schedule brought up to date"
                    );
                    for (child_id, problem) in &report.problems {
                        tracing::warn!(child_id, "a PEP could not be scheduled: {problem}");
                    }
                }
                Err(error) => tracing::error!("the PEP schedule could not run: {error}"),
            }
            let wait = (next_uk_midnight(now) - now).to_std().unwrap_or_default()
                + std::time::Duration::from_secs(60);
            tokio::time::sleep(wait).await;
        }
    }
}
