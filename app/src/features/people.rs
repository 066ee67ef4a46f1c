//! The Virtual School's admin pages: the council's people (invite, change role, deactivate), who
//! is assigned to which child, and the council's section-rights table.
//!
//! Every function here is for Virtual School staff only (`Action::ManagePeople`), within their own
//! council, and every change is audited in the transaction that makes it.

mod invite_colleague_page;
mod people_page;
mod person_page;
mod section_rights_page;
#[cfg(feature = "ssr")]
mod server;

use crate::domain::ids::ChildId;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::pep::PepState;
use crate::domain::policy::Access;
use crate::domain::roles::Role;
use crate::error::AppError;

pub use invite_colleague_page::InviteColleaguePage;
pub use people_page::{AdminAccessProblem, AdminNav, PeoplePage};
pub use person_page::PersonPage;
pub use section_rights_page::SectionRightsPage;

/// One person in the council's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub school_id: Option<String>,
    pub school: Option<String>,
    pub active: bool,
    pub second_factor_set_up: bool,
}

/// An invitation that has not been used yet, or was used recently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRow {
    pub email: String,
    pub role: Role,
    pub school: Option<String>,
    /// "Registered", "Expired on 3 December 2026" or "Open until 3 December 2026".
    pub status: String,
}

/// A thing to pick from a list: a school, a child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleOverview {
    pub people: Vec<PersonRow>,
    pub invitations: Vec<InvitationRow>,
    pub schools: Vec<Choice>,
}

/// A person's link to a child, current or past.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRow {
    pub id: String,
    pub child_id: String,
    pub child_name: String,
    /// Shown as "3 September 2026".
    pub starts_on: String,
    pub ends_on: Option<String>,
    /// In force today.
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDetail {
    pub person: PersonRow,
    /// For optimistic concurrency: changes name the version they were made against.
    pub version: i64,
    /// The person looking is this person (they cannot change their own role or deactivate
    /// themselves).
    pub is_you: bool,
    pub assignments: Vec<AssignmentRow>,
    /// Children of the council, to assign to.
    pub children: Vec<Choice>,
    pub schools: Vec<Choice>,
}

/// The council's stored section rights for one PEP state: one row per section, one cell per role
/// in the order of `roles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionRightsTable {
    pub state: String,
    pub roles: Vec<Role>,
    pub rows: Vec<(String, Vec<Access>)>,
}

/// How a person of `role` is linked to a child by an assignment; `None` for roles that reach
/// children another way (the head sees every child, a designated teacher their school's roll).
pub fn assignment_relationship(role: Role) -> Option<&'static str> {
    match role {
        Role::EducationAdvisor => Some("education_advisor"),
        Role::SocialWorker => Some("social_worker"),
        Role::Carer => Some("carer"),
        Role::YoungPerson => Some("young_person"),
        Role::VirtualSchoolHead | Role::DesignatedTeacher => None,
    }
}

/// Everyone in the council, and the invitations of the last 30 days.
#[server(prefix = "/api", endpoint = "people/list")]
pub async fn list_people() -> Result<PeopleOverview, AppError> {
    server::list_people()
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// One person with their assignments.
#[server(prefix = "/api", endpoint = "people/detail")]
pub async fn get_person(user_id: String) -> Result<PersonDetail, AppError> {
    server::get_person(user_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Changes a person's role (and a designated teacher's school); signs them out everywhere so the
/// new role's rules (second factor included) apply from their next sign-in.
#[server(prefix = "/api", endpoint = "people/change_role")]
pub async fn change_role(
    user_id: String,
    role: Role,
    school_id: Option<String>,
    version: i64,
) -> Result<(), AppError> {
    server::change_role(user_id, role, school_id, version)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Deactivates (ending every session at once) or reactivates a person.
#[server(prefix = "/api", endpoint = "people/set_active")]
pub async fn set_person_active(
    user_id: String,
    active: bool,
    version: i64,
) -> Result<(), AppError> {
    server::set_person_active(user_id, active, version)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Links a person to a child from `starts_on` (ISO date; today when empty).
#[server(prefix = "/api", endpoint = "people/assign")]
pub async fn assign_child(
    user_id: String,
    child_id: ChildId,
    starts_on: String,
) -> Result<(), AppError> {
    server::assign_child(user_id, child_id, starts_on)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Ends an assignment now: the person loses access to the child straight away.
#[server(prefix = "/api", endpoint = "people/end_assignment")]
pub async fn end_assignment(assignment_id: String) -> Result<(), AppError> {
    server::end_assignment(assignment_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// The council's stored section rights in one PEP state (a state code).
#[server(prefix = "/api", endpoint = "council/section_rights")]
pub async fn section_rights(state: PepState) -> Result<SectionRightsTable, AppError> {
    server::section_rights(state)
        .await
        .inspect_err(crate::features::auth::set_status)
}
