//! Facts derived from a child's record: the UPN's check letter, the national curriculum year from
//! the date of birth (1 September cut-off), the PEP phase, and whether a PEP is due, with the
//! reason in words.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::academic_year::AcademicYear;
use super::deadlines::long_date;
use super::pep::Phase;

/// The 23 letters the DfE uses for check letters and temporary UPNs (no I, O or S), in value order.
const UPN_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// Checks a unique pupil number (DfE): 13 characters, a check letter, then 11 digits and a last
/// digit (or, in a temporary UPN, a letter). The check letter is the weighted sum of characters 2 to
/// 13 (weights 2 to 13; a letter counts its place in the 23-letter list) modulo 23.
pub fn check_upn(text: &str) -> Result<String, String> {
    let upn: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if !upn.is_ascii() {
        return Err("A UPN has only letters and digits, like H801200001001".into());
    }
    if upn.len() != 13 {
        return Err(format!(
            "A UPN has 13 characters, like H801200001001 (this has {})",
            upn.chars().count()
        ));
    }
    let bytes = upn.as_bytes();
    if !bytes[1..12].iter().all(u8::is_ascii_digit) {
        return Err("Characters 2 to 12 of a UPN are digits".into());
    }
    let Some(expected) = check_letter_for(&bytes[1..]) else {
        return Err(
            "The last character of a UPN is a digit, or a letter other than I, O or S".into(),
        );
    };
    if bytes[0] as char != expected {
        return Err(format!(
            "The check letter does not match: check the number with the school (for these digits \
             it would be {expected})"
        ));
    }
    Ok(upn)
}

/// The check letter for the 12 characters after it: 11 digits and a digit or (temporary UPN) a
/// letter. `None` when those characters cannot be part of a UPN.
pub fn upn_check_letter(rest: &str) -> Option<char> {
    let bytes = rest.as_bytes();
    (bytes.len() == 12 && bytes[..11].iter().all(u8::is_ascii_digit))
        .then(|| check_letter_for(bytes))
        .flatten()
}

/// Characters 2 to 13 weighted 2 to 13 (a letter counts its place in the 23-letter list), modulo 23.
fn check_letter_for(rest: &[u8]) -> Option<char> {
    let value = |b: u8| -> Option<u32> {
        if b.is_ascii_digit() {
            Some(u32::from(b - b'0'))
        } else {
            UPN_LETTERS.iter().position(|l| *l == b).map(|p| p as u32)
        }
    };
    let mut sum = 0;
    for (b, weight) in rest.iter().zip(2u32..) {
        sum += value(*b)? * weight;
    }
    Some(UPN_LETTERS[(sum % 23) as usize] as char)
}

/// National curriculum year in an academic year: 0 is Reception, 1 to 13 are Years 1 to 13, below
/// zero the early years (−1 the nursery year). Children born on 1 September are the oldest in
/// their year.
pub fn year_group(date_of_birth: NaiveDate, year: AcademicYear) -> i32 {
    let born_in = AcademicYear::containing(date_of_birth).start_year();
    year.start_year() - born_in - 5
}

/// "Reception", "Year 5", "Nursery" (age 3 to 4), and the two years before it by age (each name
/// once, so a list of year groups never offers "Early years" twice).
pub fn year_group_name(year_group: i32) -> String {
    match year_group {
        0 => "Reception".to_string(),
        -1 => "Nursery".to_string(),
        -2 => "Early years (age 2 to 3)".to_string(),
        n if n < -2 => "Early years (under 2)".to_string(),
        n => format!("Year {n}"),
    }
}

/// The PEP phase for a year group; `None` past Year 13.
pub fn phase_for(year_group: i32) -> Option<Phase> {
    match year_group {
        ..=-1 => Some(Phase::EarlyYears),
        0..=11 => Some(Phase::SchoolAge),
        12..=13 => Some(Phase::Post16),
        _ => None,
    }
}

/// What decides whether a child has a PEP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityFacts {
    pub date_of_birth: NaiveDate,
    /// The current care episode's start, or `None` when the child is not looked after now.
    pub in_care_since: Option<NaiveDate>,
    /// Adopted or under a special guardianship order: previously looked after, no PEP.
    pub previously_looked_after: bool,
    /// Takes up funded early-years hours (a PEP from age 2 rather than 3).
    pub funded_early_years_hours: bool,
    /// A year group set by hand (a child taught out of their year group).
    pub year_group_override: Option<i32>,
}

impl EligibilityFacts {
    /// The facts as the register stores them (the year group override as stored, an integer);
    /// previous care and funded early-years hours are not recorded yet, so both are false.
    pub fn from_register(
        date_of_birth: NaiveDate,
        in_care_since: Option<NaiveDate>,
        nc_year_override: Option<i64>,
    ) -> EligibilityFacts {
        EligibilityFacts {
            date_of_birth,
            in_care_since,
            previously_looked_after: false,
            funded_early_years_hours: false,
            year_group_override: nc_year_override.map(|y| y as i32),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    pub eligible: bool,
    pub phase: Option<Phase>,
    pub year_group: i32,
    /// Why, in words: "Year 5, looked after since 3 March 2025: a PEP every term".
    pub reason: String,
}

/// Whether a child needs a PEP on `today`, and why (DOMAIN.md, "Who gets a PEP").
pub fn eligibility(facts: &EligibilityFacts, today: NaiveDate) -> Eligibility {
    let derived = year_group(facts.date_of_birth, AcademicYear::containing(today));
    let year_group = facts.year_group_override.unwrap_or(derived);
    let phase = phase_for(year_group);
    let age = age_on(facts.date_of_birth, today);
    let group = year_group_name(year_group);
    let overridden = if facts.year_group_override.is_some() {
        " (set by hand)"
    } else {
        ""
    };
    let (eligible, reason) = match facts.in_care_since {
        _ if facts.previously_looked_after => (
            false,
            "Previously looked after (adopted or under a special guardianship order): no PEP"
                .to_string(),
        ),
        None => (false, "Not looked after now: no PEP".to_string()),
        Some(since) => match phase {
            None => (
                false,
                format!(
                    "{group}{overridden}: past Year 13, the PEP has ended (the Pathway Plan goes on)"
                ),
            ),
            Some(Phase::EarlyYears) if age < 2 => (
                false,
                format!(
                    "Aged {age}: a PEP starts at 2 with funded early-years hours, otherwise at 3"
                ),
            ),
            Some(Phase::EarlyYears) if age < 3 && !facts.funded_early_years_hours => (
                false,
                "Aged 2 without funded early-years hours: the PEP starts at 3".to_string(),
            ),
            Some(phase) => (
                true,
                format!(
                    "{group}{overridden} ({}), looked after since {}: a PEP every term",
                    phase.label(),
                    long_date(since)
                ),
            ),
        },
    };
    Eligibility {
        eligible,
        phase,
        year_group,
        reason,
    }
}

/// Whole years of age on `day`.
pub fn age_on(date_of_birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - date_of_birth.year();
    if (day.month(), day.day()) < (date_of_birth.month(), date_of_birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn upn_check_letters_follow_the_dfe_rule() {
        // The DfE's own example.
        assert_eq!(check_upn("H801200001001"), Ok("H801200001001".to_string()));
        assert_eq!(
            check_upn(" h8012 00001001 "),
            Ok("H801200001001".to_string())
        );
        let wrong = check_upn("A801200001001").unwrap_err();
        assert!(wrong.contains("would be H"), "{wrong}");
        assert!(
            check_upn("H80120000100")
                .unwrap_err()
                .contains("13 characters")
        );
        assert!(check_upn("H80120000X001").unwrap_err().contains("digits"));
        assert!(
            check_upn("H80120000100I")
                .unwrap_err()
                .contains("other than I, O or S")
        );
        assert_eq!(upn_check_letter("801200001001"), Some('H'));
        // A temporary UPN ends in a letter, which counts by its place (A = 0).
        let letter = upn_check_letter("80120000100A").unwrap();
        assert!(check_upn(&format!("{letter}80120000100A")).is_ok());
    }

    #[test]
    fn the_year_group_turns_on_the_first_of_september() {
        let year = AcademicYear::starting(2026);
        assert_eq!(year_group(d(2021, 9, 1), year), 0, "oldest in Reception");
        assert_eq!(year_group(d(2021, 8, 31), year), 1, "youngest in Year 1");
        assert_eq!(year_group(d(2015, 10, 11), year), 6, "Reception in 2020/21");
        assert_eq!(year_group(d(2009, 2, 14), year), 13, "18 in February 2027");
        assert_eq!(year_group(d(2022, 11, 3), year), -1);
        assert_eq!(year_group_name(-1), "Nursery");
        assert_eq!(year_group_name(0), "Reception");
        assert_eq!(year_group_name(12), "Year 12");
    }

    #[test]
    fn eligibility_comes_with_its_reason() {
        let today = d(2026, 11, 28);
        let facts = EligibilityFacts {
            date_of_birth: d(2015, 10, 11),
            in_care_since: Some(d(2025, 3, 3)),
            previously_looked_after: false,
            funded_early_years_hours: false,
            year_group_override: None,
        };
        let school_age = eligibility(&facts, today);
        assert!(school_age.eligible);
        assert_eq!(school_age.phase, Some(Phase::SchoolAge));
        assert_eq!(
            school_age.reason,
            "Year 6 (school age), looked after since 3 March 2025: a PEP every term"
        );

        let two_year_old = EligibilityFacts {
            date_of_birth: d(2024, 6, 1),
            ..facts.clone()
        };
        assert!(!eligibility(&two_year_old, today).eligible);
        assert!(
            eligibility(&two_year_old, today)
                .reason
                .contains("starts at 3")
        );
        let funded = EligibilityFacts {
            funded_early_years_hours: true,
            ..two_year_old
        };
        assert!(eligibility(&funded, today).eligible);

        let adopted = EligibilityFacts {
            previously_looked_after: true,
            ..facts.clone()
        };
        assert!(
            eligibility(&adopted, today)
                .reason
                .starts_with("Previously looked after")
        );
        let left_care = EligibilityFacts {
            in_care_since: None,
            ..facts.clone()
        };
        assert!(!eligibility(&left_care, today).eligible);
        let past_year_13 = EligibilityFacts {
            date_of_birth: d(2007, 5, 1),
            ..facts.clone()
        };
        assert!(
            eligibility(&past_year_13, today)
                .reason
                .contains("past Year 13")
        );
        let held_back = EligibilityFacts {
            year_group_override: Some(4),
            ..facts
        };
        assert!(
            eligibility(&held_back, today)
                .reason
                .starts_with("Year 4 (set by hand)")
        );
    }

    proptest! {
        #[test]
        fn any_text_gets_an_answer_and_valid_upns_round_trip(text in "\\PC{0,20}", digits in "[0-9]{12}") {
            let _ = check_upn(&text);
            let letter = upn_check_letter(&digits).unwrap();
            let upn = format!("{letter}{digits}");
            prop_assert_eq!(check_upn(&upn), Ok(upn.clone()));
        }
    }
}
