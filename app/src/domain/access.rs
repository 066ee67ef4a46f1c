//! Who may do what to which child's record: the one `authorize` policy every server function asks.
//!
//! People reach children only through a relationship in force today: an assignment (social worker,
//! carer, young person, education advisor), or for a designated teacher the child being on their
//! school's roll. The Virtual School head oversees every child of the council. The SQL that lists
//! children applies the same rule (`features::guard::Reach`); this function decides single
//! requests.

use super::pep::{PepState, SectionKey};
use super::policy::Access;
use super::roles::Role;

/// How the person asking relates to the child, today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Relationship {
    /// An assignment (or, for a designated teacher, the school roll) in force today.
    Current,
    /// There was one, and it has ended: history is not a reason to see today's record.
    Ended,
    /// Never assigned.
    None,
}

/// The person asking, as far as the policy needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub role: Role,
    pub second_factor_pending: bool,
}

/// What they want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read a child's record (details, PEP list).
    ReadChild,
    /// Read or edit one section of one of the child's PEPs, in the PEP's current state.
    Section {
        section: SectionKey,
        state: PepState,
        edit: bool,
    },
    /// Manage people, invitations and assignments (the Virtual School's admin pages).
    ManagePeople,
    /// Change a child's register entry: details, care and education episodes. The Virtual
    /// School and the child's social worker keep it accurate (DOMAIN.md: the social worker keeps
    /// care details accurate); schools, carers and young people read it.
    EditRegister,
    /// See and replace a school's calendar: the Virtual School for any school, a designated
    /// teacher for their own (academies and others set their own dates and INSET days).
    ManageSchoolCalendar { own_school: bool },
    /// Approve or decline a PP+ request on one of the child's PEPs: the Virtual School holds the
    /// money (the head for any child, an advisor for the children assigned to them).
    DecidePpPlus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Denial {
    SignedOut,
    SecondFactorPending,
    NotAssigned,
    SectionRights,
    NotVirtualSchool,
    NotRegisterEditor,
}

/// The decision for one request. `section_access` is the council's stored right for the actor's
/// role, the section and the PEP's state (only consulted for section actions).
pub fn authorize(
    actor: Option<Actor>,
    action: Action,
    relationship: Relationship,
    section_access: Access,
) -> Result<(), Denial> {
    let actor = actor.ok_or(Denial::SignedOut)?;
    if actor.second_factor_pending {
        return Err(Denial::SecondFactorPending);
    }
    match action {
        Action::ManagePeople | Action::ManageSchoolCalendar { own_school: false } => {
            return if actor.role.is_virtual_school() {
                Ok(())
            } else {
                Err(Denial::NotVirtualSchool)
            };
        }
        Action::ManageSchoolCalendar { own_school: true } => {
            return if actor.role.is_virtual_school() || actor.role == Role::DesignatedTeacher {
                Ok(())
            } else {
                Err(Denial::NotVirtualSchool)
            };
        }
        _ => {}
    }
    let reaches_child =
        actor.role == Role::VirtualSchoolHead || relationship == Relationship::Current;
    if !reaches_child {
        return Err(Denial::NotAssigned);
    }
    match action {
        Action::ReadChild | Action::ManagePeople | Action::ManageSchoolCalendar { .. } => Ok(()),
        Action::DecidePpPlus if actor.role.is_virtual_school() => Ok(()),
        Action::DecidePpPlus => Err(Denial::NotVirtualSchool),
        Action::EditRegister => match actor.role {
            Role::VirtualSchoolHead | Role::EducationAdvisor | Role::SocialWorker => Ok(()),
            _ => Err(Denial::NotRegisterEditor),
        },
        Action::Section { edit, .. } => {
            let allowed = match section_access {
                Access::Edit => true,
                Access::Read => !edit,
                Access::None => false,
            };
            if allowed {
                Ok(())
            } else {
                Err(Denial::SectionRights)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::default_section_access;

    fn actor(role: Role) -> Option<Actor> {
        Some(Actor {
            role,
            second_factor_pending: false,
        })
    }

    #[test]
    fn only_the_virtual_school_decides_pp_plus_and_an_advisor_only_for_their_children() {
        for &role in Role::ALL {
            for relationship in [
                Relationship::Current,
                Relationship::Ended,
                Relationship::None,
            ] {
                let decision = authorize(
                    actor(role),
                    Action::DecidePpPlus,
                    relationship,
                    Access::None,
                );
                let expected = role == Role::VirtualSchoolHead
                    || (role == Role::EducationAdvisor && relationship == Relationship::Current);
                assert_eq!(
                    decision.is_ok(),
                    expected,
                    "{role:?} {relationship:?}: {decision:?}"
                );
            }
        }
        assert_eq!(
            authorize(
                actor(Role::DesignatedTeacher),
                Action::DecidePpPlus,
                Relationship::Current,
                Access::Edit
            ),
            Err(Denial::NotVirtualSchool)
        );
    }

    #[test]
    fn nobody_reaches_a_child_without_a_current_relationship_but_the_head() {
        for &role in Role::ALL {
            for relationship in [
                Relationship::Current,
                Relationship::Ended,
                Relationship::None,
            ] {
                let decision =
                    authorize(actor(role), Action::ReadChild, relationship, Access::None);
                let expected =
                    role == Role::VirtualSchoolHead || relationship == Relationship::Current;
                assert_eq!(decision.is_ok(), expected, "{role} {relationship:?}");
            }
        }
    }

    #[test]
    fn signed_out_and_second_factor_pending_are_refused_first() {
        let pending = Some(Actor {
            role: Role::VirtualSchoolHead,
            second_factor_pending: true,
        });
        assert_eq!(
            authorize(
                pending,
                Action::ReadChild,
                Relationship::Current,
                Access::Edit
            ),
            Err(Denial::SecondFactorPending)
        );
        assert_eq!(
            authorize(None, Action::ReadChild, Relationship::Current, Access::Edit),
            Err(Denial::SignedOut)
        );
    }

    #[test]
    fn section_edits_follow_the_council_table() {
        let state = PepState::Contributions;
        for &role in Role::ALL {
            for &section in SectionKey::ALL {
                let access = default_section_access(role, section, state);
                let edit = authorize(
                    actor(role),
                    Action::Section {
                        section,
                        state,
                        edit: true,
                    },
                    Relationship::Current,
                    access,
                );
                assert_eq!(edit.is_ok(), access == Access::Edit, "{role} {section}");
                let read = authorize(
                    actor(role),
                    Action::Section {
                        section,
                        state,
                        edit: false,
                    },
                    Relationship::Current,
                    access,
                );
                assert_eq!(read.is_ok(), access != Access::None, "{role} {section}");
            }
        }
    }

    #[test]
    fn the_register_is_edited_by_the_virtual_school_and_the_childs_social_worker_only() {
        let edit = |role, relationship| {
            authorize(
                actor(role),
                Action::EditRegister,
                relationship,
                Access::None,
            )
        };
        assert_eq!(edit(Role::VirtualSchoolHead, Relationship::None), Ok(()));
        assert_eq!(edit(Role::EducationAdvisor, Relationship::Current), Ok(()));
        assert_eq!(edit(Role::SocialWorker, Relationship::Current), Ok(()));
        assert_eq!(
            edit(Role::SocialWorker, Relationship::Ended),
            Err(Denial::NotAssigned)
        );
        for role in [Role::DesignatedTeacher, Role::Carer, Role::YoungPerson] {
            assert_eq!(
                edit(role, Relationship::Current),
                Err(Denial::NotRegisterEditor),
                "{role}"
            );
        }
    }

    #[test]
    fn designated_teachers_manage_their_own_schools_calendar_only() {
        let calendar = |role, own_school| {
            authorize(
                actor(role),
                Action::ManageSchoolCalendar { own_school },
                Relationship::None,
                Access::None,
            )
        };
        assert_eq!(calendar(Role::DesignatedTeacher, true), Ok(()));
        assert_eq!(
            calendar(Role::DesignatedTeacher, false),
            Err(Denial::NotVirtualSchool)
        );
        assert_eq!(calendar(Role::EducationAdvisor, false), Ok(()));
        assert_eq!(
            calendar(Role::SocialWorker, true),
            Err(Denial::NotVirtualSchool)
        );
    }

    #[test]
    fn only_the_virtual_school_manages_people() {
        for &role in Role::ALL {
            let decision = authorize(
                actor(role),
                Action::ManagePeople,
                Relationship::None,
                Access::None,
            );
            assert_eq!(decision.is_ok(), role.is_virtual_school(), "{role}");
        }
    }
}
