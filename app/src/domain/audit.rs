//! What the audit log says happened: one code per kind of event, stored as its dotted text
//! (`pep.field_saved`) and never renamed, since the log is kept for years. The live channel
//! reads the same codes back to tell people which part of a PEP someone changed.

use super::live::PepPart;
use super::text_enum;

text_enum! {
    /// What happened, as a stable dotted code: the part of the record before the dot.
    AuditAction, "audit action" {
        AuthSignInSucceeded = "auth.sign_in_succeeded", "signed in";
        AuthSignInFailed = "auth.sign_in_failed", "failed to sign in";
        AuthSignedOut = "auth.signed_out", "signed out";
        AuthSessionEnded = "auth.session_ended", "ended a session";
        AuthSecondFactorSetUp = "auth.second_factor_set_up", "set up a second factor";
        AuthSecondFactorPassed = "auth.second_factor_passed", "passed the second factor";
        AuthSecondFactorFailed = "auth.second_factor_failed", "failed the second factor";
        AuthPasswordResetRequested = "auth.password_reset_requested", "asked to reset their password";
        AuthPasswordReset = "auth.password_reset", "reset their password";
        UserRegistered = "user.registered", "registered";
        UserRoleChanged = "user.role_changed", "changed a person's role";
        UserDeactivated = "user.deactivated", "deactivated a person";
        UserReactivated = "user.reactivated", "reactivated a person";
        InvitationCreated = "invitation.created", "invited a person";
        AssignmentCreated = "assignment.created", "assigned a person to a child";
        AssignmentEnded = "assignment.ended", "ended an assignment";
        AssignmentWithdrawn = "assignment.withdrawn", "withdrew an assignment";
        CouncilDeadlineRulesChanged = "council.deadline_rules_changed", "changed the deadline rules";
        CouncilContributionRuleChanged = "council.contribution_rule_changed", "changed a contribution rule";
        SchoolAdded = "school.added", "added a school";
        CalendarImported = "calendar.imported", "imported a school calendar";
        BankHolidaysImported = "bank_holidays.imported", "imported the bank holidays";
        ChildCreated = "child.created", "added a child";
        ChildUpdated = "child.updated", "changed a child's details";
        ChildRead = "child.read", "read a child's record";
        CareEpisodeAdded = "care_episode.added", "recorded a care episode";
        EducationEpisodeAdded = "education_episode.added", "recorded a school move";
        ConcernRaised = "concern.raised", "raised a concern";
        PepCreated = "pep.created", "created a PEP";
        PepScheduled = "pep.scheduled", "scheduled a PEP";
        PepRescheduled = "pep.rescheduled", "rescheduled a PEP";
        PepFieldSaved = "pep.field_saved", "saved a field";
        PepTextEdited = "pep.text_edited", "edited a field's words";
        PepSectionStatus = "pep.section_status", "changed a section's status";
        PepStateChanged = "pep.state_changed", "moved the PEP on";
        TargetAdded = "target.added", "added a target";
        TargetSaved = "target.saved", "saved a target";
        TargetRemoved = "target.removed", "removed a target";
        TargetEvaluated = "target.evaluated", "evaluated a target";
        TargetActionAdded = "target.action_added", "added an action to a target";
        TargetActionRemoved = "target.action_removed", "removed an action from a target";
        ActionAdded = "action.added", "added an action";
        ActionStatusChanged = "action.status_changed", "changed an action's status";
        PpPlusDecided = "pp_plus.decided", "decided a PP+ request";
        SuspensionRecorded = "suspension.recorded", "recorded a suspension";
        MeetingStarted = "meeting.started", "started the meeting";
        MeetingEnded = "meeting.ended", "ended the meeting";
        MeetingAttendance = "meeting.attendance", "recorded who attended";
        DemoSeeded = "demo.seeded", "loaded the demo data";
    }
}

impl AuditAction {
    /// Whether this is about the PEP's meeting (the live channel sends the meeting again).
    pub fn is_meeting(self) -> bool {
        matches!(
            self,
            AuditAction::MeetingStarted
                | AuditAction::MeetingEnded
                | AuditAction::MeetingAttendance
        )
    }

    /// The part of a PEP this action changed, for "Priya Sharma changed the targets." (None:
    /// not a part the page shows as changed elsewhere: fields come back as values, meetings as
    /// the meeting, everything else is not about a PEP's page). Every code is decided here, so a
    /// new one has to say.
    pub fn pep_part(self) -> Option<PepPart> {
        use AuditAction::*;
        match self {
            PepSectionStatus => Some(PepPart::TaskList),
            PepStateChanged => Some(PepPart::State),
            TargetAdded | TargetSaved | TargetRemoved | TargetEvaluated | TargetActionAdded
            | TargetActionRemoved => Some(PepPart::Targets),
            ActionAdded | ActionStatusChanged => Some(PepPart::ActionLog),
            PpPlusDecided => Some(PepPart::PpPlus),
            SuspensionRecorded => Some(PepPart::Suspensions),
            AuthSignInSucceeded
            | AuthSignInFailed
            | AuthSignedOut
            | AuthSessionEnded
            | AuthSecondFactorSetUp
            | AuthSecondFactorPassed
            | AuthSecondFactorFailed
            | AuthPasswordResetRequested
            | AuthPasswordReset
            | UserRegistered
            | UserRoleChanged
            | UserDeactivated
            | UserReactivated
            | InvitationCreated
            | AssignmentCreated
            | AssignmentEnded
            | AssignmentWithdrawn
            | CouncilDeadlineRulesChanged
            | CouncilContributionRuleChanged
            | SchoolAdded
            | CalendarImported
            | BankHolidaysImported
            | ChildCreated
            | ChildUpdated
            | ChildRead
            | CareEpisodeAdded
            | EducationEpisodeAdded
            | ConcernRaised
            | PepCreated
            | PepScheduled
            | PepRescheduled
            | PepFieldSaved
            | PepTextEdited
            | MeetingStarted
            | MeetingEnded
            | MeetingAttendance
            | DemoSeeded => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_of_a_pep_is_named_by_its_actions_and_nothing_else_is() {
        use AuditAction::*;
        assert_eq!(TargetSaved.pep_part(), Some(PepPart::Targets));
        assert_eq!(TargetActionRemoved.pep_part(), Some(PepPart::Targets));
        assert_eq!(PpPlusDecided.pep_part(), Some(PepPart::PpPlus));
        assert_eq!(PepSectionStatus.pep_part(), Some(PepPart::TaskList));
        assert_eq!(PepStateChanged.pep_part(), Some(PepPart::State));
        assert_eq!(PepFieldSaved.pep_part(), None);
        assert_eq!(MeetingStarted.pep_part(), None);
        assert!(MeetingAttendance.is_meeting());
        assert!(!PepFieldSaved.is_meeting());
        // The part is the code's prefix, as it was read before the codes were an enum.
        for action in AuditAction::ALL {
            let prefix = action.as_str().split_once('.').unwrap().0;
            if let Some(part) = action.pep_part() {
                let expected = match prefix {
                    "target" => PepPart::Targets,
                    "action" => PepPart::ActionLog,
                    "pp_plus" => PepPart::PpPlus,
                    "suspension" => PepPart::Suspensions,
                    "pep" => part,
                    other => panic!("{other} names no part of a PEP"),
                };
                assert_eq!(part, expected, "{action:?}");
            }
        }
        assert!(AuditAction::parse("nonsense").is_err());
    }
}
