//! Schools and settings a council's children attend (often outside its own area), and the rules
//! for adding one.

use serde::{Deserialize, Serialize};

use super::register::FieldProblem;
use super::text_enum;

text_enum! {
    /// Who runs the school: it decides who sets its term dates (the council for community
    /// schools; academies, free, foundation and voluntary-aided schools set their own).
    SchoolKind, "kind of school" {
        Community = "community", "community school";
        Academy = "academy", "academy";
        Free = "free", "free school";
        Foundation = "foundation", "foundation school";
        VoluntaryAided = "voluntary_aided", "voluntary-aided school";
        Independent = "independent", "independent school";
        Special = "special", "special school";
        EarlyYearsSetting = "early_years_setting", "early years setting";
        College = "college", "further education college";
    }
}

/// A new school as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSchoolForm {
    pub name: String,
    /// The DfE unique reference number, six digits (optional).
    pub urn: String,
    pub kind: String,
    /// "primary", "secondary 11 to 16", "all-through"…
    pub phase: String,
    /// The local authority the school is in.
    pub local_authority: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSchool {
    pub name: String,
    pub urn: Option<String>,
    pub kind: SchoolKind,
    pub phase: String,
    pub local_authority: String,
}

pub fn check_new_school(form: &NewSchoolForm) -> Result<NewSchool, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut text = |field: &'static str, what: &str, value: &str| {
        let value = value.trim();
        if value.is_empty() {
            problems.push((field, format!("Enter the school's {what}")));
        } else if value.chars().count() > 100 {
            problems.push((field, format!("The {what} must be 100 characters or fewer")));
        }
        value.to_string()
    };
    let name = text("school_name", "name", &form.name);
    let phase = text(
        "school_phase",
        "phase, like primary or secondary",
        &form.phase,
    );
    let local_authority = text("local_authority", "local authority", &form.local_authority);
    let urn = form.urn.trim();
    let six_digits = urn.len() == 6 && urn.chars().all(|c| c.is_ascii_digit());
    if !urn.is_empty() && !six_digits {
        problems.push((
            "urn",
            "The URN is 6 digits, like 100000: find it on Get Information about Schools, or leave it empty"
                .to_string(),
        ));
    }
    let kind = SchoolKind::parse(form.kind.trim());
    if kind.is_err() {
        problems.push(("school_kind", "Choose the kind of school".to_string()));
    }
    match (problems.is_empty(), kind) {
        (true, Ok(kind)) => Ok(NewSchool {
            name,
            urn: (!urn.is_empty()).then(|| urn.to_string()),
            kind,
            phase,
            local_authority,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_school_needs_a_name_kind_phase_and_authority_and_a_urn_is_six_digits() {
        let good = NewSchoolForm {
            name: "Hillside Academy".into(),
            urn: "140123".into(),
            kind: "academy".into(),
            phase: "secondary 11 to 18".into(),
            local_authority: "Eastshire".into(),
        };
        assert_eq!(check_new_school(&good).unwrap().kind, SchoolKind::Academy);
        let bad = NewSchoolForm {
            name: " ".into(),
            urn: "14012".into(),
            kind: "grammar".into(),
            ..good
        };
        let fields: Vec<&str> = check_new_school(&bad)
            .unwrap_err()
            .iter()
            .map(|(f, _)| *f)
            .collect();
        assert_eq!(fields, ["school_name", "urn", "school_kind"]);
    }
}
