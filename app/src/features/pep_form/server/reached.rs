//! One PEP as the person asking reaches it: the guard every PEP server function asks first
//! (`reach`), what that person may do with each section now (`Reached`), the live channel's
//! rights, and the page guard's check. A leaf of `pep_form::server`: the parts import it, and
//! it imports none of them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::access::{Action, Relationship};
use crate::domain::audit::AuditAction;
use crate::domain::pep::{PepState, Phase, SectionKey};
use crate::domain::pep_form::sections_for;
use crate::domain::policy::Access;
use crate::error::AppError;
use crate::features::auth::CurrentUser;
use crate::features::guard::{authorize, reader, relationship};
use crate::infra::audit::AuditEvent;
use crate::infra::db::Db;
use crate::infra::sql::sql;

/// A PEP as the rights and deadlines need it.
#[derive(sqlx::FromRow)]
pub(in crate::features::pep_form) struct PepRow {
    pub(in crate::features::pep_form) id: String,
    pub(in crate::features::pep_form) child_id: String,
    pub(in crate::features::pep_form) academic_year: i64,
    pub(in crate::features::pep_form) term: String,
    pub(in crate::features::pep_form) kind: String,
    pub(in crate::features::pep_form) phase: Phase,
    pub(in crate::features::pep_form) state: PepState,
    pub(in crate::features::pep_form) school_id: Option<String>,
    pub(in crate::features::pep_form) school: Option<String>,
    pub(in crate::features::pep_form) due_on: NaiveDate,
    pub(in crate::features::pep_form) due_explanation: String,
    pub(in crate::features::pep_form) meeting_at: Option<DateTime<Utc>>,
    pub(in crate::features::pep_form) version: i64,
    /// The PEP's event revision when it was read (before its fields), for the live channel.
    pub(in crate::features::pep_form) revision: i64,
    pub(in crate::features::pep_form) returned_reason: Option<String>,
    /// Why it was marked ready or approved without a contribution the council requires.
    pub(in crate::features::pep_form) went_on_without: Option<String>,
}

impl PepRow {
    /// The PEP's school as countdowns take it: (id, name), or none.
    pub(in crate::features::pep_form) fn school_ref(
        &self,
    ) -> crate::features::children::countdowns::SchoolRef<'_> {
        match (&self.school_id, &self.school) {
            (Some(id), Some(name)) => Some((id.as_str(), name.as_str())),
            _ => None,
        }
    }
}

/// The PEP, the person asking, and what that person may do with each of its sections now.
pub(in crate::features::pep_form) struct Reached {
    pub(in crate::features::pep_form) user: CurrentUser,
    pub(in crate::features::pep_form) pep: PepRow,
    pub(in crate::features::pep_form) state: PepState,
    pub(in crate::features::pep_form) phase: Phase,
    rights: HashMap<SectionKey, Access>,
}

impl Reached {
    /// The audit event for something this person did `at` to `entity_id` of this PEP; the PEP
    /// and its child are filled in.
    pub(in crate::features::pep_form) fn event<'a>(
        &'a self,
        at: DateTime<Utc>,
        action: AuditAction,
        entity: &'a str,
        entity_id: &'a str,
        detail: serde_json::Value,
    ) -> AuditEvent<'a> {
        AuditEvent {
            occurred_at: at,
            actor_id: Some(&self.user.id),
            action,
            entity,
            entity_id: Some(entity_id),
            child_id: Some(&self.pep.child_id),
            pep_id: Some(&self.pep.id),
            detail,
            request_id: None,
        }
    }

    pub(in crate::features::pep_form) fn access(&self, section: SectionKey) -> Access {
        self.rights.get(&section).copied().unwrap_or(Access::None)
    }

    /// The one access rule, with the council's stored right for this section and state.
    pub(in crate::features::pep_form) fn authorize(
        &self,
        section: SectionKey,
        edit: bool,
        relationship: Relationship,
    ) -> Result<(), AppError> {
        authorize(
            Some(&self.user),
            Action::Section {
                section,
                state: self.state,
                edit,
            },
            relationship,
            self.access(section),
        )
    }
}

/// Loads the PEP for the person asking, refusing (403, the same answer as "no such PEP") when
/// it belongs to another council or a child they do not reach today.
pub(in crate::features::pep_form) async fn reach(
    db: &Db,
    pep_id: &str,
) -> Result<(Reached, Relationship), AppError> {
    reach_as(db, reader().await?, pep_id).await
}

/// Whether the person asking may open this PEP at all (the page's guard, asked before it streams).
pub(crate) async fn pep_reader(db: &Db, pep_id: &str) -> Result<(), AppError> {
    reach(db, pep_id).await.map(drop)
}

/// What one person may do in one PEP now, for the live channel (which has no server-function
/// context and asks again on every message).
pub(crate) struct LiveRights {
    pub(crate) readable: Vec<SectionKey>,
    pub(crate) editable: Vec<SectionKey>,
    pub(crate) child_id: String,
    pub(crate) phase: Phase,
    /// The PEP's state these rights hold in (an edit finding another is not applied).
    pub(crate) state: PepState,
}

/// The sections of the PEP `user` may read and edit now; refused as the form itself would be.
pub(crate) async fn live_rights(
    db: &Db,
    user: CurrentUser,
    pep_id: &str,
) -> Result<LiveRights, AppError> {
    let (reached, relationship) = reach_as(db, user, pep_id).await?;
    let may =
        |section: SectionKey, edit: bool| reached.authorize(section, edit, relationship).is_ok();
    Ok(LiveRights {
        readable: sections_for(reached.phase)
            .filter(|&s| may(s, false))
            .collect(),
        editable: sections_for(reached.phase)
            .filter(|&s| may(s, true))
            .collect(),
        child_id: reached.pep.child_id.clone(),
        phase: reached.phase,
        state: reached.state,
    })
}

async fn reach_as(
    db: &Db,
    user: CurrentUser,
    pep_id: &str,
) -> Result<(Reached, Relationship), AppError> {
    let pep: Option<PepRow> = {
        sql(
            "SELECT p.id, p.child_id, p.academic_year, p.term, p.kind, p.phase, p.state, \
             p.school_id, s.name AS school, p.due_on, p.due_explanation, p.meeting_at, p.version, p.revision, p.returned_reason, \
             p.went_on_without \
             FROM peps p JOIN children c ON c.id = p.child_id \
             LEFT JOIN schools s ON s.id = p.school_id \
             WHERE p.id = $1 AND c.council_id = $2",
        )
        .bind(pep_id)
        .bind(&user.council_id)
        .fetch_optional(db)
        .await?
    };
    let Some(pep) = pep else {
        return Err(AppError::Forbidden);
    };
    let relationship = relationship(db, &user, &pep.child_id).await?;
    authorize(Some(&user), Action::ReadChild, relationship, Access::None)?;
    let (state, phase) = (pep.state, pep.phase);
    let stored: Vec<(String, String)> = {
        sql("SELECT section, access FROM section_rights \
             WHERE council_id = $1 AND role = $2 AND pep_state = $3")
        .bind(&user.council_id)
        .bind(user.role.as_str())
        .bind(state.as_str())
        .fetch_all(db)
        .await?
    };
    // A row that does not read (a section or level from a newer version) grants nothing.
    let rights = stored
        .into_iter()
        .filter_map(|(section, access)| {
            Some((
                SectionKey::parse(&section).ok()?,
                Access::parse(&access).ok()?,
            ))
        })
        .collect();
    Ok((
        Reached {
            user,
            pep,
            state,
            phase,
            rights,
        },
        relationship,
    ))
}

/// "3 December 2026 at 14:02", on England's clock.
pub(in crate::features::pep_form) fn when(at: DateTime<Utc>) -> String {
    crate::domain::uk_time::uk_local(at)
        .format("%-d %B %Y at %H:%M")
        .to_string()
}
