//! The children register's rules: what a child's details and care and education episodes must be
//! before they are stored. The browser checks with the same code as it is submitted; the server
//! decides. Each problem names its field and says what to change.
//!
//! Choices: episodes are recorded on or after the day they start (a future move would make the
//! current episode wrong until then); a new episode starts after the current one, which ends the
//! day before; a school is needed on a roll or in an early years setting, and not otherwise.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::child::check_upn;
use super::text_enum;

text_enum! {
    /// Special educational needs support.
    SenStatus, "SEN status" {
        None = "none", "none recorded";
        SenSupport = "sen_support", "SEN support";
        Ehcp = "ehcp", "education, health and care plan (EHCP)";
    }
}

text_enum! {
    /// Where a child is educated during an education episode.
    EducationStatus, "education status" {
        OnRoll = "on_roll", "on a school's roll";
        EarlyYearsSetting = "early_years_setting", "in an early years setting";
        Neet = "neet", "not in education, employment or training (NEET)";
        EmploymentTraining = "employment_training", "in employment or training";
        NotInSetting = "not_in_setting", "not in an early years setting";
        MissingEducation = "missing_education", "missing education";
    }
}

impl EducationStatus {
    /// On a roll or in a setting, the school or setting is named.
    pub fn needs_school(self) -> bool {
        matches!(
            self,
            EducationStatus::OnRoll | EducationStatus::EarlyYearsSetting
        )
    }
}

/// A problem with one field: (field id, what to change).
pub type FieldProblem = (&'static str, String);

/// A child's details as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildDetailsForm {
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: String,
    /// YYYY-MM-DD (a date input).
    pub date_of_birth: String,
    pub upn: String,
    pub gender: String,
    pub ethnicity: String,
    pub first_language: String,
    pub sen_status: String,
    /// Empty for the year group from the date of birth, or a year group set by hand.
    pub nc_year_override: String,
}

/// A child's details, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildDetails {
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: NaiveDate,
    pub upn: Option<String>,
    pub gender: String,
    pub ethnicity: String,
    pub first_language: String,
    pub sen_status: SenStatus,
    pub nc_year_override: Option<i32>,
}

const LONGEST_TEXT: usize = 100;

fn required(
    problems: &mut Vec<FieldProblem>,
    field: &'static str,
    what: &str,
    value: &str,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        problems.push((field, format!("Enter the child's {what}")));
    } else if value.chars().count() > LONGEST_TEXT {
        problems.push((
            field,
            format!("The {what} must be {LONGEST_TEXT} characters or fewer"),
        ));
    }
    value.to_string()
}

/// Reads a date typed as YYYY-MM-DD, not after `today`.
fn past_date(
    problems: &mut Vec<FieldProblem>,
    field: &'static str,
    what: &str,
    value: &str,
    today: NaiveDate,
) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
        Err(_) if value.trim().is_empty() => {
            problems.push((field, format!("Enter the {what}")));
            None
        }
        Err(_) => {
            problems.push((
                field,
                format!("Enter the {what} as a real date, like 2026-09-03"),
            ));
            None
        }
        Ok(date) if date > today => {
            problems.push((
                field,
                format!("The {what} must be today or in the past: record it on or after the day"),
            ));
            None
        }
        Ok(date) => match super::plausible::check_date_in_range(date, &format!("the {what}")) {
            Ok(date) => Some(date),
            Err(problem) => {
                problems.push((field, problem));
                None
            }
        },
    }
}

/// A new episode starts after the current one, which then ends the day before.
fn starts_after(
    problems: &mut Vec<FieldProblem>,
    field: &'static str,
    started_on: Option<NaiveDate>,
    current_start: Option<NaiveDate>,
) {
    if let (Some(start), Some(current)) = (started_on, current_start)
        && start <= current
    {
        problems.push((
            field,
            format!(
                "The start date must be after the current episode's start ({}): a past episode \
                 is corrected by the Virtual School",
                super::deadlines::long_date(current)
            ),
        ));
    }
}

pub fn check_child_details(
    form: &ChildDetailsForm,
    today: NaiveDate,
) -> Result<ChildDetails, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let first_name = required(&mut problems, "first_name", "first name", &form.first_name);
    let last_name = required(&mut problems, "last_name", "last name", &form.last_name);
    let preferred_name = form.preferred_name.trim();
    if preferred_name.chars().count() > LONGEST_TEXT {
        problems.push((
            "preferred_name",
            format!("The preferred name must be {LONGEST_TEXT} characters or fewer"),
        ));
    }
    let date_of_birth = past_date(
        &mut problems,
        "date_of_birth",
        "date of birth",
        &form.date_of_birth,
        today,
    );
    if let Some(born) = date_of_birth
        && born < today - chrono::Duration::days(366 * 26)
    {
        problems.push((
            "date_of_birth",
            "Check the date of birth: the register is for children and young people up to 25"
                .to_string(),
        ));
    }
    let upn = match form.upn.trim() {
        "" => None,
        typed => match check_upn(typed) {
            Ok(upn) => Some(upn),
            Err(problem) => {
                problems.push(("upn", format!("Check the UPN: {problem}")));
                None
            }
        },
    };
    let gender = required(&mut problems, "gender", "gender", &form.gender);
    let ethnicity = required(&mut problems, "ethnicity", "ethnicity", &form.ethnicity);
    let first_language = required(
        &mut problems,
        "first_language",
        "first language",
        &form.first_language,
    );
    let sen_status = SenStatus::parse(form.sen_status.trim()).unwrap_or_else(|_| {
        problems.push((
            "sen_status",
            "Choose the child's special educational needs support".to_string(),
        ));
        SenStatus::None
    });
    let nc_year_override = match form.nc_year_override.trim() {
        "" => None,
        typed => match typed.parse::<i32>() {
            Ok(year) if (-3..=14).contains(&year) => Some(year),
            _ => {
                problems.push((
                    "nc_year_override",
                    "Choose a year group from the list, or leave it to follow the date of birth"
                        .to_string(),
                ));
                None
            }
        },
    };
    match (problems.is_empty(), date_of_birth) {
        (true, Some(date_of_birth)) => Ok(ChildDetails {
            first_name,
            last_name,
            preferred_name: (!preferred_name.is_empty()).then(|| preferred_name.to_string()),
            date_of_birth,
            upn,
            gender,
            ethnicity,
            first_language,
            sen_status,
            nc_year_override,
        }),
        _ => Err(problems),
    }
}

/// A new care episode (coming into care, or a new legal status or placement) as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareEpisodeForm {
    pub started_on: String,
    pub legal_status: String,
    pub placement_type: String,
    pub emergency_placement: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareEpisode {
    pub started_on: NaiveDate,
    pub legal_status: String,
    pub placement_type: String,
    pub emergency_placement: bool,
}

/// Checks a new care episode against the current one's start (it must start after it).
pub fn check_care_episode(
    form: &CareEpisodeForm,
    current_start: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<CareEpisode, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let started_on = past_date(
        &mut problems,
        "care_started_on",
        "start date",
        &form.started_on,
        today,
    );
    starts_after(&mut problems, "care_started_on", started_on, current_start);
    let legal_status = required(
        &mut problems,
        "legal_status",
        "legal status",
        &form.legal_status,
    );
    let placement_type = required(
        &mut problems,
        "placement_type",
        "placement type",
        &form.placement_type,
    );
    match (problems.is_empty(), started_on) {
        (true, Some(started_on)) => Ok(CareEpisode {
            started_on,
            legal_status,
            placement_type,
            emergency_placement: form.emergency_placement,
        }),
        _ => Err(problems),
    }
}

/// A school move or change of education status, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EducationEpisodeForm {
    pub started_on: String,
    pub status: String,
    /// Empty when the status has no school.
    pub school_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EducationEpisode {
    pub started_on: NaiveDate,
    pub status: EducationStatus,
    pub school_id: Option<String>,
}

pub fn check_education_episode(
    form: &EducationEpisodeForm,
    current_start: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<EducationEpisode, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let started_on = past_date(
        &mut problems,
        "education_started_on",
        "start date",
        &form.started_on,
        today,
    );
    starts_after(
        &mut problems,
        "education_started_on",
        started_on,
        current_start,
    );
    let status = EducationStatus::parse(form.status.trim()).map_err(|_| {
        problems.push((
            "education_status",
            "Choose where the child is educated".to_string(),
        ));
    });
    let school = form.school_id.trim();
    let school_id = match status {
        Ok(status) if status.needs_school() && school.is_empty() => {
            problems.push((
                "school_id",
                format!(
                    "Choose the school or setting: the child is {}",
                    status.label()
                ),
            ));
            None
        }
        Ok(status) if !status.needs_school() && !school.is_empty() => {
            problems.push((
                "school_id",
                format!(
                    "Leave the school empty: the child is {}, not on a roll",
                    status.label()
                ),
            ));
            None
        }
        _ => (!school.is_empty()).then(|| school.to_string()),
    };
    match (problems.is_empty(), started_on, status) {
        (true, Some(started_on), Ok(status)) => Ok(EducationEpisode {
            started_on,
            status,
            school_id,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn good_details() -> ChildDetailsForm {
        ChildDetailsForm {
            first_name: " Maya ".into(),
            last_name: "Patel".into(),
            preferred_name: String::new(),
            date_of_birth: "2016-04-09".into(),
            upn: "h801200001001".into(),
            gender: "female".into(),
            ethnicity: "Asian British – Indian".into(),
            first_language: "Gujarati".into(),
            sen_status: "sen_support".into(),
            nc_year_override: String::new(),
        }
    }

    fn fields(problems: &[FieldProblem]) -> Vec<&str> {
        problems.iter().map(|(field, _)| *field).collect()
    }

    #[test]
    fn good_details_are_trimmed_and_the_upn_upper_cased() {
        let details = check_child_details(&good_details(), d(2026, 11, 28)).unwrap();
        assert_eq!(details.first_name, "Maya");
        assert_eq!(details.upn.as_deref(), Some("H801200001001"));
        assert_eq!(details.sen_status, SenStatus::SenSupport);
        assert_eq!(details.preferred_name, None);
    }

    #[test]
    fn every_problem_is_named_by_its_field_at_once() {
        let form = ChildDetailsForm {
            first_name: " ".into(),
            date_of_birth: "2027-01-01".into(),
            upn: "A801200001001".into(),
            sen_status: "some".into(),
            nc_year_override: "Year 5".into(),
            ..good_details()
        };
        let problems = check_child_details(&form, d(2026, 11, 28)).unwrap_err();
        assert_eq!(
            fields(&problems),
            [
                "first_name",
                "date_of_birth",
                "upn",
                "sen_status",
                "nc_year_override"
            ]
        );
        assert!(problems[2].1.contains("check letter"), "{:?}", problems[2]);
    }

    #[test]
    fn a_new_care_episode_starts_after_the_current_one_and_not_in_the_future() {
        let form = CareEpisodeForm {
            started_on: "2026-11-20".into(),
            legal_status: "Interim care order (s38)".into(),
            placement_type: "Foster placement".into(),
            emergency_placement: true,
        };
        let today = d(2026, 11, 28);
        let episode = check_care_episode(&form, Some(d(2025, 1, 6)), today).unwrap();
        assert!(episode.emergency_placement);
        let problems = check_care_episode(&form, Some(d(2026, 11, 20)), today).unwrap_err();
        assert_eq!(fields(&problems), ["care_started_on"]);
        let future = CareEpisodeForm {
            started_on: "2026-12-01".into(),
            ..form
        };
        let problems = check_care_episode(&future, None, today).unwrap_err();
        assert!(problems[0].1.contains("today or in the past"));
    }

    #[test]
    fn a_school_is_named_exactly_when_the_child_is_on_a_roll_or_in_a_setting() {
        let today = d(2026, 11, 28);
        let on_roll = EducationEpisodeForm {
            started_on: "2026-11-02".into(),
            status: "on_roll".into(),
            school_id: String::new(),
        };
        assert_eq!(
            fields(&check_education_episode(&on_roll, None, today).unwrap_err()),
            ["school_id"]
        );
        let neet_with_school = EducationEpisodeForm {
            status: "neet".into(),
            school_id: "demo-school-riverside".into(),
            ..on_roll.clone()
        };
        assert_eq!(
            fields(&check_education_episode(&neet_with_school, None, today).unwrap_err()),
            ["school_id"]
        );
        let moved = EducationEpisodeForm {
            school_id: "demo-school-riverside".into(),
            ..on_roll
        };
        let episode = check_education_episode(&moved, Some(d(2024, 9, 2)), today).unwrap();
        assert_eq!(episode.school_id.as_deref(), Some("demo-school-riverside"));
    }
}
