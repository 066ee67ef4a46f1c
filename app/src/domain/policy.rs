//! Council policy: who may read or edit which PEP section in which state.
//!
//! Each council stores its own role × section × state table (`section_rights`); this module holds
//! the defaults from DOMAIN.md that a new council starts with, and the lookup over a stored table.
//! Whether a person reaches a child at all is decided by assignments, not here.

use super::pep::{PepState, SectionKey};
use super::roles::Role;
use super::text_enum;

text_enum! {
    /// What a role may do with a section.
    Access, "access level" {
        None = "none", "no access";
        Read = "read", "read";
        Edit = "edit", "read and edit";
    }
}

/// The default rights every new council starts with.
pub fn default_section_access(role: Role, section: SectionKey, state: PepState) -> Access {
    use SectionKey as S;
    if state.is_locked() {
        return if can_read_by_default(role, section) {
            Access::Read
        } else {
            Access::None
        };
    }
    let edits = match role {
        // The Virtual School reads everything and acts through the workflow and QA; its advisor
        // may add to the action log while the PEP is being written.
        Role::VirtualSchoolHead | Role::EducationAdvisor => {
            section == S::Actions && state != PepState::Ready
        }
        // The designated teacher leads the PEP in school and keeps it editable until submission.
        Role::DesignatedTeacher => section != S::CareJourney && section != S::CarerContribution,
        Role::SocialWorker => {
            matches!(section, S::ChildDetails | S::CareJourney)
                && (state.is_open_to_contributors() || state == PepState::Draft)
        }
        Role::Carer => section == S::CarerContribution && state.is_open_to_contributors(),
        Role::YoungPerson => section == S::YoungPersonViews && state.is_open_to_contributors(),
    };
    if edits {
        Access::Edit
    } else if can_read_by_default(role, section) {
        Access::Read
    } else {
        Access::None
    }
}

fn can_read_by_default(role: Role, section: SectionKey) -> bool {
    use SectionKey as S;
    match role {
        Role::VirtualSchoolHead
        | Role::EducationAdvisor
        | Role::DesignatedTeacher
        | Role::SocialWorker => true,
        // The social worker's account of the care journey can hold family detail the carer and
        // the child should hear from their social worker, not read in a form.
        Role::Carer => section != S::CareJourney,
        Role::YoungPerson => matches!(
            section,
            S::ChildDetails
                | S::YoungPersonViews
                | S::Attendance
                | S::MeetingRecord
                | S::Targets
                | S::Actions
        ),
    }
}

/// One row of a council's section-rights table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SectionRight {
    pub role: Role,
    pub section: SectionKey,
    pub state: PepState,
    pub access: Access,
}

/// Every row of the default table, in a stable order, for seeding a new council.
pub fn default_section_rights() -> Vec<SectionRight> {
    let mut rows = Vec::new();
    for &role in Role::ALL {
        for &section in SectionKey::ALL {
            for &state in PepState::ALL {
                let access = default_section_access(role, section, state);
                rows.push(SectionRight {
                    role,
                    section,
                    state,
                    access,
                });
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_owner_can_edit_their_section_before_the_meeting() {
        for &section in SectionKey::ALL {
            let owner = section.default_owner();
            assert_eq!(
                default_section_access(owner, section, PepState::Contributions),
                Access::Edit,
                "{owner} should edit {section}"
            );
        }
    }

    #[test]
    fn submitted_and_approved_peps_are_read_only_for_everyone() {
        for row in default_section_rights() {
            if row.state.is_locked() {
                assert_ne!(row.access, Access::Edit, "{row:?}");
            }
        }
    }

    #[test]
    fn young_people_and_carers_see_only_what_is_meant_for_them() {
        let yp = |s| default_section_access(Role::YoungPerson, s, PepState::Draft);
        assert_eq!(yp(SectionKey::YoungPersonViews), Access::Read);
        assert_eq!(yp(SectionKey::CareJourney), Access::None);
        assert_eq!(yp(SectionKey::Semh), Access::None);
        let carer = |s| default_section_access(Role::Carer, s, PepState::Meeting);
        assert_eq!(carer(SectionKey::CarerContribution), Access::Edit);
        assert_eq!(carer(SectionKey::CareJourney), Access::None);
        assert_eq!(carer(SectionKey::Targets), Access::Read);
    }

    #[test]
    fn the_default_table_covers_every_combination_once() {
        let rows = default_section_rights();
        assert_eq!(
            rows.len(),
            Role::ALL.len() * SectionKey::ALL.len() * PepState::ALL.len()
        );
        let unique: std::collections::HashSet<_> =
            rows.iter().map(|r| (r.role, r.section, r.state)).collect();
        assert_eq!(unique.len(), rows.len());
    }
}
