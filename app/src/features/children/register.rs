//! Keeping the children register accurate: a child's details (version-checked, so two people
//! editing at once never overwrite each other silently), and their care and education episodes.
//! A new episode ends the current one the day before and brings the child's PEP schedule up to
//! date at once (a school move means a PEP is due). Every change is audited with its row.

use crate::domain::ids::ChildId;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::register::{CareEpisodeForm, ChildDetailsForm, EducationEpisodeForm};
use crate::error::AppError;

/// A child's register entry as the edit page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterEntry {
    pub child_id: String,
    pub name: String,
    pub version: i64,
    pub details: ChildDetailsForm,
    /// Every care episode, newest first, in words.
    pub care: Vec<Episode>,
    /// Every education episode, newest first, in words.
    pub education: Vec<Episode>,
    /// (id, name) of the council's schools, for a school move.
    pub schools: Vec<(String, String)>,
}

/// One episode of a child's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Episode {
    /// "3 March 2025 to now".
    pub dates: String,
    /// "Interim care order (s38); Foster placement; emergency placement".
    pub description: String,
}

/// What a save did: the record's new version, and any PEP it made due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterSaved {
    pub child_id: String,
    pub version: i64,
    /// "new to care or school PEP, due 27 November 2026".
    pub peps_scheduled: Vec<String>,
    /// "the PEP being written is now due 27 November 2026 (was 11 December 2026), and the new
    /// school's designated teacher leads it".
    #[serde(default)]
    pub peps_changed: Vec<String>,
}

#[server(name = RegisterEntryForEditing, prefix = "/api", endpoint = "register/entry")]
pub async fn register_entry(child_id: ChildId) -> Result<RegisterEntry, AppError> {
    server::register_entry(child_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Creates a child (no `child_id`; the Virtual School only) or updates one at `version`.
#[server(name = SaveChildDetails, prefix = "/api", endpoint = "register/save_child")]
pub async fn save_child_details(
    child_id: Option<String>,
    version: Option<i64>,
    details: ChildDetailsForm,
) -> Result<RegisterSaved, AppError> {
    server::save_child_details(child_id, version, details)
        .await
        .inspect_err(crate::features::auth::set_status)
}

#[server(name = AddCareEpisode, prefix = "/api", endpoint = "register/add_care_episode")]
pub async fn add_care_episode(
    child_id: ChildId,
    episode: CareEpisodeForm,
) -> Result<RegisterSaved, AppError> {
    server::add_care_episode(child_id, episode)
        .await
        .inspect_err(crate::features::auth::set_status)
}

#[server(name = AddEducationEpisode, prefix = "/api", endpoint = "register/add_education_episode")]
pub async fn add_education_episode(
    child_id: ChildId,
    episode: EducationEpisodeForm,
) -> Result<RegisterSaved, AppError> {
    server::add_education_episode(child_id, episode)
        .await
        .inspect_err(crate::features::auth::set_status)
}

#[cfg(feature = "ssr")]
pub mod server {
    use crate::domain::ids::ChildId;
    use chrono::{Duration, NaiveDate, Utc};

    use super::{Episode, RegisterEntry, RegisterSaved};
    use crate::domain::access::Action;
    use crate::domain::audit::AuditAction;
    use crate::domain::deadlines::long_date;
    use crate::domain::register::{
        CareEpisode, CareEpisodeForm, ChildDetailsForm, EducationEpisode, EducationEpisodeForm,
        EducationStatus, FieldProblem, check_care_episode, check_child_details,
        check_education_episode,
    };
    use crate::error::AppError;
    use crate::features::auth::CurrentUser;
    use crate::features::guard::{child_guard, today};
    use crate::features::pep_schedule::server::schedule_peps;
    use crate::infra::audit;
    use crate::infra::audit::AuditEvent;
    use crate::infra::db::Db;
    use crate::infra::sql::sql;

    fn invalid(problems: Vec<FieldProblem>) -> AppError {
        AppError::on_fields(problems)
    }

    /// The person asking, once they may edit this child's register entry.
    pub(crate) async fn editor(db: &Db, child_id: &str) -> Result<CurrentUser, AppError> {
        child_guard(db, child_id, Action::EditRegister).await
    }

    #[derive(sqlx::FromRow)]
    struct DetailsRow {
        first_name: String,
        last_name: String,
        preferred_name: Option<String>,
        date_of_birth: NaiveDate,
        upn: Option<String>,
        gender: String,
        ethnicity: String,
        first_language: String,
        sen_status: String,
        nc_year_override: Option<i64>,
        version: i64,
    }

    pub async fn register_entry(child_id: ChildId) -> Result<RegisterEntry, AppError> {
        let db = Db::from_context("register")?;
        let user = editor(&db, &child_id).await?;
        let row: DetailsRow = {
            sql(
                "SELECT first_name, last_name, preferred_name, date_of_birth, upn, gender, \
                 ethnicity, first_language, sen_status, nc_year_override, version \
                 FROM children WHERE id = $1",
            )
            .bind(&child_id)
            .fetch_one(&db)
            .await?
        };
        let (care, education) = episodes(&db, &child_id).await?;
        let schools: Vec<(String, String)> = {
            sql("SELECT id, name FROM schools WHERE council_id = $1 ORDER BY name")
                .bind(&user.council_id)
                .fetch_all(&db)
                .await?
        };
        Ok(RegisterEntry {
            child_id: child_id.0,
            name: format!("{} {}", row.first_name, row.last_name),
            version: row.version,
            details: ChildDetailsForm {
                first_name: row.first_name,
                last_name: row.last_name,
                preferred_name: row.preferred_name.unwrap_or_default(),
                date_of_birth: row.date_of_birth.to_string(),
                upn: row.upn.unwrap_or_default(),
                gender: row.gender,
                ethnicity: row.ethnicity,
                first_language: row.first_language,
                sen_status: row.sen_status,
                nc_year_override: row
                    .nc_year_override
                    .map(|y| y.to_string())
                    .unwrap_or_default(),
            },
            care,
            education,
            schools,
        })
    }

    fn dates(started: NaiveDate, ended: Option<NaiveDate>) -> String {
        match ended {
            Some(ended) => format!("{} to {}", long_date(started), long_date(ended)),
            None => format!("{} to now", long_date(started)),
        }
    }

    /// A child's care and education history in words, newest first (also on the child's page).
    pub async fn episodes(
        db: &Db,
        child_id: &str,
    ) -> Result<(Vec<Episode>, Vec<Episode>), AppError> {
        let care: Vec<(NaiveDate, Option<NaiveDate>, String, String, bool)> = {
            sql(
                "SELECT started_on, ended_on, legal_status, placement_type, emergency_placement \
                 FROM care_episodes WHERE child_id = $1 ORDER BY started_on DESC",
            )
            .bind(child_id)
            .fetch_all(db)
            .await?
        };
        let education: Vec<(NaiveDate, Option<NaiveDate>, String, Option<String>)> = {
            sql(
                "SELECT e.started_on, e.ended_on, e.status, s.name FROM education_episodes e \
                 LEFT JOIN schools s ON s.id = e.school_id \
                 WHERE e.child_id = $1 ORDER BY e.started_on DESC",
            )
            .bind(child_id)
            .fetch_all(db)
            .await?
        };
        let care = care
            .into_iter()
            .map(|(started, ended, legal, placement, emergency)| Episode {
                dates: dates(started, ended),
                description: if emergency {
                    format!("{legal}; {placement}; emergency placement")
                } else {
                    format!("{legal}; {placement}")
                },
            })
            .collect();
        let education = education
            .into_iter()
            .map(|(started, ended, status, school)| {
                let status = EducationStatus::parse(&status)
                    .map(|s| s.label().to_string())
                    .unwrap_or(status);
                Episode {
                    dates: dates(started, ended),
                    description: match school {
                        Some(school) => format!("{school} ({status})"),
                        None => crate::ui::text::capitalise(&status),
                    },
                }
            })
            .collect();
        Ok((care, education))
    }

    pub async fn save_child_details(
        child_id: Option<String>,
        version: Option<i64>,
        form: ChildDetailsForm,
    ) -> Result<RegisterSaved, AppError> {
        let db = Db::from_context("register")?;
        let today = today();
        let (user, child_id, creating) = match child_id.filter(|id| !id.is_empty()) {
            Some(child_id) => (editor(&db, &child_id).await?, child_id, false),
            // Adding a child to the register is the Virtual School's.
            None => (
                crate::features::guard::administrator().await?,
                uuid::Uuid::now_v7().to_string(),
                true,
            ),
        };
        let details = check_child_details(&form, today).map_err(invalid)?;
        let now = Utc::now();
        let result: Result<i64, sqlx::Error> = {
            async {
                let mut tx = db.begin_write().await?;
                let new_version: Option<i64> = if creating {
                    sql(
                        "INSERT INTO children (id, council_id, first_name, last_name, preferred_name, \
                         date_of_birth, upn, gender, ethnicity, first_language, sen_status, \
                         nc_year_override, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
                    )
                    .bind(&child_id)
                    .bind(&user.council_id)
                    .bind(&details.first_name)
                    .bind(&details.last_name)
                    .bind(&details.preferred_name)
                    .bind(details.date_of_birth)
                    .bind(&details.upn)
                    .bind(&details.gender)
                    .bind(&details.ethnicity)
                    .bind(&details.first_language)
                    .bind(details.sen_status.as_str())
                    .bind(details.nc_year_override.map(i64::from))
                    .bind(now)
                    .execute(&mut tx)
                    .await?;
                    // An advisor reaches children through assignments: the one who adds a child
                    // follows them (the head reaches every child already).
                    if user.role == crate::domain::roles::Role::EducationAdvisor {
                        sql(
                            "INSERT INTO assignments (id, user_id, child_id, relationship, starts_on, \
                             created_at, created_by) VALUES ($1, $2, $3, 'education_advisor', $4, $5, $2)",
                        )
                        .bind(uuid::Uuid::now_v7().to_string())
                        .bind(&user.id)
                        .bind(&child_id)
                        .bind(today)
                        .bind(now)
                        .execute(&mut tx)
                        .await?;
                    }
                    Some(1)
                } else {
                    sql(
                        "UPDATE children SET first_name = $1, last_name = $2, preferred_name = $3, \
                         date_of_birth = $4, upn = $5, gender = $6, ethnicity = $7, \
                         first_language = $8, sen_status = $9, nc_year_override = $10, \
                         updated_at = $11, version = version + 1 \
                         WHERE id = $12 AND version = $13 RETURNING version",
                    )
                    .bind(&details.first_name)
                    .bind(&details.last_name)
                    .bind(&details.preferred_name)
                    .bind(details.date_of_birth)
                    .bind(&details.upn)
                    .bind(&details.gender)
                    .bind(&details.ethnicity)
                    .bind(&details.first_language)
                    .bind(details.sen_status.as_str())
                    .bind(details.nc_year_override.map(i64::from))
                    .bind(now)
                    .bind(&child_id)
                    .bind(version.unwrap_or(0))
                    .fetch_optional_value(&mut tx)
                    .await?
                };
                let Some(new_version) = new_version else {
                    return Ok(0);
                };
                audit::append(&mut tx, &AuditEvent::about_child(
                    &user.id,
                    if creating { AuditAction::ChildCreated } else { AuditAction::ChildUpdated },
                    "child",
                    &child_id,
                    &child_id,
                    serde_json::json!({ "version": new_version }),
                )).await?;
                tx.commit().await?;
                Ok(new_version)
            }
            .await
        };
        let new_version = match result {
            Ok(0) => {
                return Err(invalid(vec![(
                    "first_name",
                    "Someone else changed this child's details just now. What you typed is still \
                     in the form: open the record in a new tab to see their change, then save \
                     again."
                        .to_string(),
                )]));
            }
            Ok(version) => version,
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(invalid(vec![(
                    "upn",
                    "This UPN is already recorded for another child: check it".to_string(),
                )]));
            }
            Err(other) => return Err(other.into()),
        };
        Ok(RegisterSaved {
            child_id,
            version: new_version,
            peps_scheduled: Vec::new(),
            peps_changed: Vec::new(),
        })
    }

    /// The current episode's start, for a new one to begin after it.
    async fn current_start(
        db: &Db,
        table: &str,
        child_id: &str,
    ) -> Result<Option<NaiveDate>, AppError> {
        Ok({
            sql(&format!(
                "SELECT started_on FROM {table} WHERE child_id = $1 AND ended_on IS NULL \
                 ORDER BY started_on DESC LIMIT 1"
            ))
            .bind(child_id)
            .fetch_optional_value(db)
            .await?
        })
    }

    pub async fn add_care_episode(
        child_id: ChildId,
        form: CareEpisodeForm,
    ) -> Result<RegisterSaved, AppError> {
        let db = Db::from_context("register")?;
        let user = editor(&db, &child_id).await?;
        let current = current_start(&db, "care_episodes", &child_id).await?;
        let episode = check_care_episode(&form, current, today()).map_err(invalid)?;
        add_episode(&db, &user, child_id, NewEpisode::Care(episode)).await
    }

    pub async fn add_education_episode(
        child_id: ChildId,
        form: EducationEpisodeForm,
    ) -> Result<RegisterSaved, AppError> {
        let db = Db::from_context("register")?;
        let user = editor(&db, &child_id).await?;
        let current = current_start(&db, "education_episodes", &child_id).await?;
        let episode = check_education_episode(&form, current, today()).map_err(invalid)?;
        if let Some(school_id) = &episode.school_id {
            let known: bool = {
                sql("SELECT EXISTS (SELECT 1 FROM schools WHERE id = $1 AND council_id = $2)")
                    .bind(school_id)
                    .bind(&user.council_id)
                    .fetch_value(&db)
                    .await?
            };
            if !known {
                return Err(invalid(vec![(
                    "school_id",
                    "Choose a school from the list".to_string(),
                )]));
            }
        }
        add_episode(&db, &user, child_id, NewEpisode::Education(episode)).await
    }

    enum NewEpisode {
        Care(CareEpisode),
        Education(EducationEpisode),
    }

    /// Ends the current episode the day before the new one, inserts it, audits it, then brings
    /// the child's PEP schedule up to date. The details' version is left alone: an episode does
    /// not touch a details form someone may have open.
    async fn add_episode(
        db: &Db,
        user: &CurrentUser,
        child_id: ChildId,
        episode: NewEpisode,
    ) -> Result<RegisterSaved, AppError> {
        let id = uuid::Uuid::now_v7().to_string();
        let (table, started_on) = match &episode {
            NewEpisode::Care(e) => ("care_episodes", e.started_on),
            NewEpisode::Education(e) => ("education_episodes", e.started_on),
        };
        let version: i64 = {
            let mut tx = db.begin_write().await?;
            sql(&format!(
                "UPDATE {table} SET ended_on = $1 WHERE child_id = $2 AND ended_on IS NULL"
            ))
            .bind(started_on - Duration::days(1))
            .bind(&child_id)
            .execute(&mut tx)
            .await?;
            let (action, entity, detail) = match &episode {
                NewEpisode::Care(e) => {
                    sql(
                        "INSERT INTO care_episodes (id, child_id, started_on, legal_status, \
                         placement_type, emergency_placement) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&id)
                    .bind(&child_id)
                    .bind(e.started_on)
                    .bind(&e.legal_status)
                    .bind(&e.placement_type)
                    .bind(e.emergency_placement)
                    .execute(&mut tx)
                    .await?;
                    (
                        AuditAction::CareEpisodeAdded,
                        "care_episode",
                        serde_json::json!({
                            "started_on": e.started_on, "emergency_placement": e.emergency_placement,
                        }),
                    )
                }
                NewEpisode::Education(e) => {
                    sql(
                        "INSERT INTO education_episodes (id, child_id, school_id, status, started_on) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&id)
                    .bind(&child_id)
                    .bind(&e.school_id)
                    .bind(e.status.as_str())
                    .bind(e.started_on)
                    .execute(&mut tx)
                    .await?;
                    (
                        AuditAction::EducationEpisodeAdded,
                        "education_episode",
                        serde_json::json!({
                            "started_on": e.started_on, "status": e.status.as_str(), "school_id": e.school_id,
                        }),
                    )
                }
            };
            let version: i64 = sql("SELECT version FROM children WHERE id = $1")
                .bind(&child_id)
                .fetch_value(&mut tx)
                .await?;
            audit::append(
                &mut tx,
                &AuditEvent::about_child(&user.id, action, entity, &id, &child_id, detail),
            )
            .await?;
            tx.commit().await?;
            version
        };
        let report = schedule_peps(db, today(), Some(&child_id)).await?;
        Ok(RegisterSaved {
            child_id: child_id.0,
            version,
            peps_scheduled: report.created_peps,
            peps_changed: report.changed_peps,
        })
    }
}
