//! The shape of a Personal Education Plan: its phase, term, kind, workflow state and sections.

use super::roles::Role;
use super::text_enum;

text_enum! {
    /// Where a PEP is in its life. Who may edit what depends on the state (see `policy`).
    PepState, "PEP state" {
        /// Created by the schedule with its due date; nobody has started it.
        Scheduled = "scheduled", "scheduled";
        /// Pre-meeting contributions from the social worker, carer and young person are open.
        Contributions = "contributions", "pre-meeting contributions";
        /// The PEP meeting is happening now.
        Meeting = "meeting", "in meeting";
        /// After the meeting: the designated teacher completes the record.
        Draft = "draft", "draft";
        /// The designated teacher says it is complete; it passes the error-level checks.
        Ready = "ready", "ready to submit";
        /// Submitted to the Virtual School for quality assurance.
        Submitted = "submitted", "submitted";
        /// Sent back by the Virtual School with a reason, to be amended and resubmitted.
        Returned = "returned", "returned";
        /// Approved by the Virtual School: locked and read-only.
        Approved = "approved", "approved";
    }
}

text_enum! {
    /// The education phase decides which variant of the form a PEP uses.
    Phase, "phase" {
        EarlyYears = "early_years", "early years";
        SchoolAge = "school_age", "school age";
        Post16 = "post_16", "post-16";
    }
}

text_enum! {
    /// School terms: one PEP review each.
    Term, "term" {
        Autumn = "autumn", "autumn";
        Spring = "spring", "spring";
        Summer = "summer", "summer";
    }
}

text_enum! {
    /// Why a PEP exists.
    PepKind, "kind of PEP" {
        /// Within 10 working days of an emergency placement, before the first review.
        Initial = "initial", "initial PEP";
        /// New to care or new school.
        NewSchool = "new_school", "new school PEP";
        /// The termly review.
        Termly = "termly", "termly review";
        /// Started in a long holiday until the school reopens.
        Interim = "interim", "interim PEP";
    }
}

text_enum! {
    /// Sections by purpose; councils give them their own labels (A, B, C/D, E…).
    SectionKey, "section" {
        ChildDetails = "child_details", "Child's details";
        CareJourney = "care_journey", "Education, health and care journey";
        CarerContribution = "carer_contribution", "Carer's contribution";
        YoungPersonViews = "young_person_views", "My views";
        Attendance = "attendance", "Attendance";
        SuspensionsExclusions = "suspensions_exclusions", "Suspensions and exclusions";
        PartTimeAlternative = "part_time_alternative", "Part-time timetable and alternative provision";
        Send = "send", "Special educational needs and disabilities";
        Transition = "transition", "Transition planning";
        Semh = "semh", "Social, emotional and mental health";
        AttainmentProgress = "attainment_progress", "Attainment and progress";
        EarlyYearsLearning = "early_years_learning", "Early years learning and development";
        Post16Pathway = "post_16_pathway", "Education, employment and training";
        MeetingRecord = "meeting_record", "Meeting record";
        Targets = "targets", "SMART targets";
        Actions = "actions", "Action log";
        SignOff = "sign_off", "Designated teacher sign-off";
    }
}

impl PepState {
    /// The states in which nobody edits a PEP: submitted (the Virtual School has it) and
    /// approved (history). Queries read "still open" as `state NOT IN` these
    /// (`Sql::push_not_in`), never a list of their own.
    pub const LOCKED: [PepState; 2] = [PepState::Submitted, PepState::Approved];

    /// Approved PEPs are history and submitted ones the Virtual School's: nobody edits them.
    pub fn is_locked(self) -> bool {
        Self::LOCKED.contains(&self)
    }

    /// Contributors other than the designated teacher write before and during the meeting, and
    /// amend after a return.
    pub fn is_open_to_contributors(self) -> bool {
        matches!(
            self,
            PepState::Scheduled | PepState::Contributions | PepState::Meeting | PepState::Returned
        )
    }
}

impl SectionKey {
    /// The role that completes the section by default (councils may change it).
    pub fn default_owner(self) -> Role {
        match self {
            SectionKey::CareJourney => Role::SocialWorker,
            SectionKey::CarerContribution => Role::Carer,
            SectionKey::YoungPersonViews => Role::YoungPerson,
            _ => Role::DesignatedTeacher,
        }
    }

    /// Whether the section belongs on a PEP in this phase.
    pub fn applies_to(self, phase: Phase) -> bool {
        match self {
            SectionKey::EarlyYearsLearning => phase == Phase::EarlyYears,
            SectionKey::Post16Pathway => phase == Phase::Post16,
            SectionKey::SuspensionsExclusions
            | SectionKey::PartTimeAlternative
            | SectionKey::AttainmentProgress => phase == Phase::SchoolAge,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_phase_has_its_own_variant_of_the_form() {
        let sections = |phase| {
            SectionKey::ALL
                .iter()
                .copied()
                .filter(move |s| s.applies_to(phase))
                .collect::<Vec<_>>()
        };
        assert!(sections(Phase::EarlyYears).contains(&SectionKey::EarlyYearsLearning));
        assert!(!sections(Phase::EarlyYears).contains(&SectionKey::AttainmentProgress));
        assert!(sections(Phase::Post16).contains(&SectionKey::Post16Pathway));
        assert!(!sections(Phase::SchoolAge).contains(&SectionKey::Post16Pathway));
        for phase in Phase::ALL.iter().copied() {
            assert!(
                sections(phase).contains(&SectionKey::Targets),
                "{phase} needs targets"
            );
        }
    }
}
