//! What each PEP section asks, field by field, and how a field's value is checked.
//!
//! Sections are modelled by purpose (`SectionKey`); their labels and owners come from council
//! policy (`SectionPolicy`, stored as the `sections` policy), falling back to DOMAIN.md's
//! defaults. Fields are never mandatory to save: people type what they know, and the task list
//! says what is left (today's systems block finishing when a fact is unknown).

use super::plausible::{MOST_SESSIONS_IN_A_SCHOOL_YEAR, check_date_in_range};
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::pep::{Phase, SectionKey};
use super::roles::Role;
use super::text_enum;

/// How a field is typed and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text, up to `LONGEST_TEXT` characters.
    Text,
    /// A whole number of zero or more (sessions, days).
    Count,
    /// An ISO date.
    Date,
}

/// One question of a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Stable key stored in `pep_fields.field`.
    pub key: &'static str,
    pub label: &'static str,
    /// Help under the label, in plain words.
    pub hint: &'static str,
    pub kind: FieldKind,
}

const fn text(key: &'static str, label: &'static str, hint: &'static str) -> FieldSpec {
    FieldSpec {
        key,
        label,
        hint,
        kind: FieldKind::Text,
    }
}

/// The most characters one field keeps (a long account, not a document).
pub const LONGEST_TEXT: usize = 10_000;

/// A `'static` slice of field specs (calls to `text` are not promoted to statics by themselves).
macro_rules! consts {
    ($fields:expr) => {{
        const FIELDS: &[FieldSpec] = $fields;
        FIELDS
    }};
}

/// The questions of a section, in page order. Targets and actions are structured records of
/// their own, not fields.
pub fn fields(section: SectionKey) -> &'static [FieldSpec] {
    use SectionKey as S;
    match section {
        S::ChildDetails => consts!(&[
            text(
                "corrections",
                "What needs correcting in these details?",
                "Say what is wrong and what it should be. The register is updated by the social worker or the Virtual School."
            ),
            text(
                "contacts",
                "Who to contact about the child's education",
                "Names and roles, for example the carer and the social worker."
            ),
        ]),
        S::CareJourney => consts!(&[
            text(
                "journey",
                "Education, health and care journey",
                "Placements and school moves so far, and what they meant for learning."
            ),
            text(
                "priorities",
                "Priorities for this term",
                "What matters most for the child's education now."
            ),
        ]),
        S::CarerContribution => consts!(&[
            text(
                "going_well",
                "What is going well",
                "At home and at school, in your words."
            ),
            text(
                "worries",
                "Any worries",
                "Anything you would like the meeting to talk about."
            ),
            text(
                "support_at_home",
                "How you support learning at home",
                "Reading together, homework, clubs, routines."
            ),
        ]),
        S::YoungPersonViews => consts!(&[
            text(
                "going_well",
                "What is going well at school?",
                "Things you enjoy or are proud of."
            ),
            text(
                "hard",
                "What is hard?",
                "Anything that worries you or gets in the way."
            ),
            text(
                "hopes",
                "What do you hope for?",
                "This year, and when you are older."
            ),
            text(
                "what_helps",
                "Who or what helps you?",
                "People, places or things that make a difference."
            ),
        ]),
        S::Attendance => consts!(&[
            FieldSpec {
                key: "sessions_possible",
                label: "Sessions possible this school year",
                hint: "Two sessions a day: morning and afternoon.",
                kind: FieldKind::Count
            },
            FieldSpec {
                key: "sessions_attended",
                label: "Sessions attended this school year",
                hint: "Including approved educational activities.",
                kind: FieldKind::Count
            },
            text(
                "support",
                "Support to improve attendance",
                "What is in place, and who is doing it."
            ),
        ]),
        S::SuspensionsExclusions => consts!(&[
            text(
                "record",
                "What is being done to avoid another suspension",
                "Support, adjustments and how reintegration went. Each suspension or exclusion is recorded above with its dates and who was told."
            ),
            text(
                "notified",
                "Anything else the Virtual School should know",
                "For example a managed move being discussed."
            ),
        ]),
        S::PartTimeAlternative => consts!(&[
            text(
                "arrangement",
                "Part-time timetable or alternative provision",
                "Hours compared with full time, the reason, and who agreed it with the Virtual School."
            ),
            FieldSpec {
                key: "planned_end",
                label: "Planned end date",
                hint: "A part-time timetable must be time-limited.",
                kind: FieldKind::Date
            },
            text(
                "review",
                "Review dates and progress",
                "When it was last reviewed and what changed."
            ),
        ]),
        S::Send => consts!(&[
            text(
                "needs",
                "Special educational needs and disabilities",
                "SEN support or EHC plan, and the main needs. Link to the EHC plan, do not copy it."
            ),
            text(
                "support",
                "Support in place",
                "What the school provides, and outside services."
            ),
        ]),
        S::Transition => consts!(&[text(
            "plans",
            "Transition planning",
            "Moves coming up: Reception, Year 7, Year 10, post-16, or a school move, and how disruption is kept small."
        )]),
        S::Semh => consts!(&[
            text(
                "needs",
                "Social, emotional and mental health",
                "Attachment, trauma, wellbeing: what the child needs."
            ),
            text(
                "support",
                "Support in place",
                "Key adult, counselling, CAMHS, nurture group."
            ),
        ]),
        S::AttainmentProgress => consts!(&[
            text(
                "attainment",
                "Current attainment",
                "Working at, against age-related expectations, by subject."
            ),
            text(
                "progress",
                "Progress since the last PEP",
                "What has moved, and the evidence."
            ),
            text(
                "aspirations",
                "Longer-term aspirations",
                "Exams, further and higher education, careers (from Year 9 at the latest)."
            ),
        ]),
        S::EarlyYearsLearning => consts!(&[
            text(
                "eyfs_areas",
                "Learning and development in the EYFS areas",
                "Communication and language, physical, personal social and emotional, and the specific areas."
            ),
            text(
                "two_year_check",
                "Two-year progress check",
                "When it was done and what it found."
            ),
            text(
                "key_person",
                "Key person",
                "Name, and how they work with the carer."
            ),
            text("eypp", "Early Years Pupil Premium", "How it is used."),
        ]),
        S::Post16Pathway => consts!(&[
            text(
                "course",
                "Course or training",
                "Provider, course, level and start date."
            ),
            text(
                "eet_status",
                "Education, employment or training",
                "In education, employment or training, or not (NEET), and since when."
            ),
            text(
                "pathway_plan",
                "Pathway plan",
                "How this plan links to the pathway plan."
            ),
        ]),
        S::MeetingRecord => consts!(&[
            text(
                "attendees",
                "Who attended the meeting",
                "Names and roles, and who sent views instead."
            ),
            text("gone_well", "What has gone well", "Since the last PEP."),
            text(
                "concerns",
                "Difficulties and concerns",
                "And what was agreed about them."
            ),
            text(
                "current_support",
                "Current support and interventions",
                "What, when, where, who and how often."
            ),
            text(
                "pp_plus_impact",
                "Impact of Pupil Premium Plus",
                "What last term's PP+ paid for and what difference it made."
            ),
            FieldSpec {
                key: "next_meeting",
                label: "Next PEP meeting date",
                hint: "For example 2027-03-12.",
                kind: FieldKind::Date
            },
        ]),
        S::Targets | S::Actions => &[],
        S::SignOff => consts!(&[text(
            "summary",
            "Designated teacher's summary",
            "Anything the Virtual School should know when it reads this PEP."
        )]),
    }
}

/// The field of `section` named `key`, if the section asks it.
pub fn field(section: SectionKey, key: &str) -> Option<&'static FieldSpec> {
    fields(section).iter().find(|f| f.key == key)
}

/// Checks a value before it is saved: a message saying what to change, or nothing. An empty
/// value is always accepted (unknown for now).
pub fn check_field_value(spec: &FieldSpec, value: &str) -> Result<(), String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(());
    }
    match spec.kind {
        FieldKind::Text => {
            let characters = value.chars().count();
            if characters > LONGEST_TEXT {
                Err(format!(
                    "{} must be {LONGEST_TEXT} characters or fewer: it has {characters}",
                    spec.label
                ))
            } else {
                Ok(())
            }
        }
        FieldKind::Count => match trimmed.parse::<u32>() {
            Ok(n) if n > MOST_SESSIONS_IN_A_SCHOOL_YEAR => Err(format!(
                "{} must be at most {MOST_SESSIONS_IN_A_SCHOOL_YEAR}: a school year has two sessions a day",
                spec.label
            )),
            Ok(_) => Ok(()),
            Err(_) => Err(format!(
                "{} must be a whole number, like 120: “{trimmed}” is not",
                spec.label
            )),
        },
        FieldKind::Date => match chrono::NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
            Ok(day) => check_date_in_range(day, &spec.label.to_lowercase()).map(|_| ()),
            Err(_) => Err(format!(
                "{} must be a date written year-month-day, like 2027-03-12: “{trimmed}” is not",
                spec.label
            )),
        },
    }
}

text_enum! {
    /// Where a section is on the task list.
    SectionStatus, "section status" {
        NotStarted = "not_started", "not started";
        InProgress = "in_progress", "in progress";
        Completed = "completed", "completed";
        /// Pre-filled and waiting for someone to confirm it is right (the child's details).
        NeedsChecking = "needs_checking", "needs checking";
    }
}

impl SectionStatus {
    /// The status a new PEP's section starts with: the child's details come pre-filled from
    /// the register, so they wait to be checked.
    pub fn initial(section: SectionKey) -> SectionStatus {
        if section == SectionKey::ChildDetails {
            SectionStatus::NeedsChecking
        } else {
            SectionStatus::NotStarted
        }
    }

    /// After someone saves a field of the section: started, unless already finished (a late
    /// correction to a completed section keeps it completed).
    pub fn after_edit(self) -> SectionStatus {
        match self {
            SectionStatus::NotStarted => SectionStatus::InProgress,
            other => other,
        }
    }
}

/// A council's labels and owners for the sections (the `sections` policy). Missing entries
/// fall back to DOMAIN.md's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionPolicy {
    #[serde(default)]
    pub labels: BTreeMap<SectionKey, String>,
    #[serde(default)]
    pub owners: BTreeMap<SectionKey, Role>,
}

impl SectionPolicy {
    /// Reads the stored JSON; unknown sections or roles are refused by name.
    pub fn from_json(value: &serde_json::Value) -> Result<SectionPolicy, String> {
        serde_json::from_value(value.clone()).map_err(|e| format!("the sections policy: {e}"))
    }

    pub fn label(&self, section: SectionKey) -> String {
        self.labels
            .get(&section)
            .cloned()
            .unwrap_or_else(|| section.label().to_string())
    }

    pub fn owner(&self, section: SectionKey) -> Role {
        self.owners
            .get(&section)
            .copied()
            .unwrap_or_else(|| section.default_owner())
    }
}

/// The sections of a PEP in this phase, in page order.
pub fn sections_for(phase: Phase) -> impl Iterator<Item = SectionKey> {
    SectionKey::ALL
        .iter()
        .copied()
        .filter(move |s| s.applies_to(phase))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn every_field_key_is_unique_within_its_section() {
        for &section in SectionKey::ALL {
            let mut seen = std::collections::HashSet::new();
            for spec in fields(section) {
                assert!(seen.insert(spec.key), "{section:?} repeats {}", spec.key);
                assert_eq!(field(section, spec.key), Some(spec));
            }
        }
        assert!(fields(SectionKey::Targets).is_empty());
        assert_eq!(field(SectionKey::Attendance, "no_such_field"), None);
    }

    #[test]
    fn values_are_checked_by_kind_and_empty_is_always_allowed() {
        let sessions = field(SectionKey::Attendance, "sessions_possible").unwrap();
        assert_eq!(check_field_value(sessions, ""), Ok(()));
        assert_eq!(check_field_value(sessions, " 120 "), Ok(()));
        let problem = check_field_value(sessions, "about 120").unwrap_err();
        assert!(
            problem.contains("whole number") && problem.contains("about 120"),
            "{problem}"
        );
        assert!(check_field_value(sessions, "-3").is_err());
        let too_many = check_field_value(sessions, "4294967295").unwrap_err();
        assert!(too_many.contains("at most 400"), "{too_many}");
        assert_eq!(check_field_value(sessions, "400"), Ok(()));
        let next_meeting = field(SectionKey::MeetingRecord, "next_meeting").unwrap();
        assert!(
            check_field_value(next_meeting, "9999-12-31")
                .unwrap_err()
                .contains("after 2100")
        );
        assert!(
            check_field_value(next_meeting, "0000-01-01")
                .unwrap_err()
                .contains("before 1990")
        );
        let next = field(SectionKey::MeetingRecord, "next_meeting").unwrap();
        assert_eq!(check_field_value(next, "2027-03-12"), Ok(()));
        assert!(
            check_field_value(next, "12/03/2027")
                .unwrap_err()
                .contains("2027-03-12")
        );
        let words = field(SectionKey::CarerContribution, "worries").unwrap();
        assert_eq!(check_field_value(words, &"a".repeat(LONGEST_TEXT)), Ok(()));
        assert!(check_field_value(words, &"a".repeat(LONGEST_TEXT + 1)).is_err());
    }

    #[test]
    fn council_labels_and_owners_replace_the_defaults_and_unknown_names_are_refused() {
        let policy = SectionPolicy::from_json(&serde_json::json!({
            "labels": { "carer_contribution": "Section D: carer" },
            "owners": { "care_journey": "designated_teacher" }
        }))
        .unwrap();
        assert_eq!(
            policy.label(SectionKey::CarerContribution),
            "Section D: carer"
        );
        assert_eq!(policy.label(SectionKey::Semh), SectionKey::Semh.label());
        assert_eq!(
            policy.owner(SectionKey::CareJourney),
            Role::DesignatedTeacher
        );
        assert_eq!(policy.owner(SectionKey::CarerContribution), Role::Carer);
        let refused =
            SectionPolicy::from_json(&serde_json::json!({ "labels": { "section_z": "Z" } }))
                .unwrap_err();
        assert!(refused.contains("section_z"), "{refused}");
    }

    #[test]
    fn a_section_is_started_by_an_edit_and_a_finished_one_stays_finished() {
        assert_eq!(
            SectionStatus::initial(SectionKey::ChildDetails),
            SectionStatus::NeedsChecking
        );
        assert_eq!(
            SectionStatus::initial(SectionKey::Semh),
            SectionStatus::NotStarted
        );
        assert_eq!(
            SectionStatus::NotStarted.after_edit(),
            SectionStatus::InProgress
        );
        assert_eq!(
            SectionStatus::Completed.after_edit(),
            SectionStatus::Completed
        );
    }

    proptest! {
        #[test]
        fn any_value_is_checked_without_panicking(value in "\\PC{0,40}") {
            for &section in SectionKey::ALL {
                for spec in fields(section) {
                    let _ = check_field_value(spec, &value);
                }
            }
        }
    }
}
