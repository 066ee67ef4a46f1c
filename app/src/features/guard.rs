//! The guard every server function asks first: who is asking, which children they reach, and
//! how a refusal is answered.
//!
//! It sits below every feature but `auth` (which says who is signed in): features import it and
//! it imports no feature of theirs, so access rules live in one place and features depend
//! downward only. The rule itself is `domain::access`; this is where it meets the request and
//! the database.

use chrono::{NaiveDate, Utc};

use crate::domain::access::{Action, Actor, Denial, Relationship};
use crate::domain::policy::Access;
use crate::domain::roles::Role;
use crate::error::AppError;
use crate::features::auth::{CurrentUser, current_user};
use crate::infra::db::Db;
use crate::infra::sql::{Sql, sql};

/// The answer to a refusal: signed out and second factor pending say so (the page asks them to
/// sign in); everything else is one 403, so nobody learns whether a child or PEP exists.
pub fn denial_error(denial: Denial) -> AppError {
    match denial {
        Denial::SignedOut => AppError::SignedOut,
        Denial::SecondFactorPending => AppError::SecondFactorRequired,
        Denial::NotAssigned
        | Denial::SectionRights
        | Denial::NotVirtualSchool
        | Denial::NotRegisterEditor => AppError::Forbidden,
    }
}

/// What the access rule needs to know about a person.
pub fn actor(user: &CurrentUser) -> Actor {
    Actor {
        role: user.role,
        second_factor_pending: user.second_factor_pending,
    }
}

/// `domain::access::authorize` for the person asking (`None`: signed out), refusals answered
/// by [`denial_error`].
pub fn authorize(
    user: Option<&CurrentUser>,
    action: Action,
    relationship: Relationship,
    access: Access,
) -> Result<(), AppError> {
    crate::domain::access::authorize(user.map(actor), action, relationship, access)
        .map_err(denial_error)
}

/// Today in England: assignments and school rolls start and end on English dates.
pub fn today() -> NaiveDate {
    crate::domain::uk_time::uk_today(Utc::now())
}

/// The person asking, once they may do `action` in that relationship (signed-out and
/// second-factor-pending sessions are refused before anything is looked up).
async fn asking(action: Action, relationship: Relationship) -> Result<CurrentUser, AppError> {
    let user = current_user().await?;
    authorize(user.as_ref(), action, relationship, Access::None)?;
    user.ok_or(AppError::SignedOut)
}

/// The person asking, before any child is touched: signed in, second factor done.
pub async fn reader() -> Result<CurrentUser, AppError> {
    asking(Action::ReadChild, Relationship::Current).await
}

/// The signed-in Virtual School member asking, or the reason they may not.
pub async fn administrator() -> Result<CurrentUser, AppError> {
    asking(Action::ManagePeople, Relationship::None).await
}

/// How `user` relates to `child_id` today (see `domain::access::Relationship`).
pub async fn relationship(
    db: &Db,
    user: &CurrentUser,
    child_id: &str,
) -> Result<Relationship, AppError> {
    let today = today();
    let assigned = |q: Sql<'static>, on: Option<NaiveDate>| {
        let q = q
            .push("EXISTS (SELECT 1 FROM assignments a WHERE a.child_id = ")
            .push_bind(child_id.to_string())
            .push(" AND a.user_id = ")
            .push_bind(user.id.clone());
        let q = match on {
            Some(day) => q
                .push(" AND ")
                .push_in_force("a.starts_on", "a.ends_on", day),
            None => q,
        };
        let q = q.push(")");
        match (user.role, &user.school_id) {
            // A designated teacher reaches the children on their school's roll.
            (Role::DesignatedTeacher, Some(school)) => {
                let q = q
                    .push(" OR EXISTS (SELECT 1 FROM education_episodes e WHERE e.child_id = ")
                    .push_bind(child_id.to_string())
                    .push(" AND e.school_id = ")
                    .push_bind(school.clone());
                let q = match on {
                    Some(day) => q
                        .push(" AND ")
                        .push_in_force("e.started_on", "e.ended_on", day),
                    None => q,
                };
                q.push(")")
            }
            _ => q,
        }
    };
    let query = assigned(sql("SELECT "), Some(today)).push(", ");
    let (current, ever): (bool, bool) = assigned(query, None).fetch_one(db).await?;
    Ok(match (current, ever) {
        (true, _) => Relationship::Current,
        (false, true) => Relationship::Ended,
        (false, false) => Relationship::None,
    })
}

/// The person asking, once they may read this child's record today.
pub async fn child_reader(db: &Db, child_id: &str) -> Result<CurrentUser, AppError> {
    child_guard(db, child_id, Action::ReadChild).await
}

/// The person asking, once they may do `action` to this child today (another council's child,
/// or no such child, answers the same as "not yours"). Signed-out and second-factor-pending
/// sessions are refused before any lookup.
pub async fn child_guard(db: &Db, child_id: &str, action: Action) -> Result<CurrentUser, AppError> {
    let user = reader().await?;
    let in_council: bool =
        sql("SELECT EXISTS (SELECT 1 FROM children WHERE id = $1 AND council_id = $2)")
            .bind(child_id)
            .bind(&user.council_id)
            .fetch_value(db)
            .await?;
    if !in_council {
        return Err(AppError::Forbidden);
    }
    let relationship = relationship(db, &user, child_id).await?;
    authorize(Some(&user), action, relationship, Access::None)?;
    Ok(user)
}

/// The rule of `domain::access` in SQL, for lists: "the child `c` is one of the council's
/// children that this person reaches today". It binds its own values, so it goes anywhere in
/// a statement: `Reach::today(&user).push_onto(sql("… WHERE ")).push(" ORDER BY …")`.
pub struct Reach<'a> {
    user: &'a CurrentUser,
    on: NaiveDate,
}

impl<'a> Reach<'a> {
    pub fn today(user: &'a CurrentUser) -> Self {
        Self::on(user, today())
    }

    /// The children the person reaches on `day`.
    pub fn on(user: &'a CurrentUser, day: NaiveDate) -> Self {
        Reach { user, on: day }
    }

    /// Adds the condition on `children c` to `query`.
    pub fn push_onto<'q>(&self, query: Sql<'q>) -> Sql<'q>
    where
        'a: 'q,
    {
        let query = query
            .push("(c.council_id = ")
            .push_bind(&self.user.council_id);
        // The Virtual School head reaches every child of the council.
        if self.user.role == Role::VirtualSchoolHead {
            return query.push(")");
        }
        let query = query
            .push(" AND (EXISTS (SELECT 1 FROM assignments a WHERE a.child_id = c.id AND a.user_id = ")
            .push_bind(&self.user.id)
            .push(" AND ")
            .push_in_force("a.starts_on", "a.ends_on", self.on)
            .push(")");
        let query = match (self.user.role, &self.user.school_id) {
            (Role::DesignatedTeacher, Some(school)) => query
                .push(
                    " OR EXISTS (SELECT 1 FROM education_episodes e WHERE e.child_id = c.id \
                     AND e.school_id = ",
                )
                .push_bind(school)
                .push(" AND ")
                .push_in_force("e.started_on", "e.ended_on", self.on)
                .push(")"),
            _ => query,
        };
        query.push("))")
    }
}
