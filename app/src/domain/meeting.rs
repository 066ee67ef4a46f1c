//! The PEP meeting itself: started and ended by whoever writes the meeting record, with who
//! attended and how (in the room, online, or sent apologies). Shared by the page and the server.

use serde::{Deserialize, Serialize};

use super::text_enum;

use crate::domain::roles::Role;

text_enum! {
    /// How someone took part in the meeting.
    Attendance, "way of attending" {
        InPerson = "in_person", "In person";
        Online = "online", "Online";
        Apologies = "apologies", "Sent apologies";
    }
}

/// One person at (or sending apologies to) the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub name: String,
    /// Their role, for the people of the child's team; none for others (an interpreter, a
    /// tutor).
    pub role: Option<Role>,
    pub attendance: Attendance,
}

impl Attendee {
    /// "Linda Bennett (carer): online".
    pub fn line(&self) -> String {
        let role = self
            .role
            .map(|r| format!(" ({})", r.label()))
            .unwrap_or_default();
        format!("{}{role}: {}", self.name, self.attendance.label())
    }
}

/// The meeting as everyone with the PEP open sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingInfo {
    /// "28 November 2026 at 14:02", England's clock.
    pub started: String,
    pub started_by: String,
    /// When it ended, in the same words; none while it runs.
    pub ended: Option<String>,
    pub attendees: Vec<Attendee>,
    /// For saving the attendance list only over the version the person saw.
    pub version: i64,
}

impl MeetingInfo {
    pub fn running(&self) -> bool {
        self.ended.is_none()
    }
}

/// The most people one meeting lists.
pub const MOST_ATTENDEES: usize = 40;
/// The longest name on the list.
pub const LONGEST_NAME: usize = 100;

/// Every problem with an attendance list, each as (`attendees[i]`, what to change).
pub fn check_attendees(attendees: &[Attendee]) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    if attendees.len() > MOST_ATTENDEES {
        problems.push((
            "attendees".to_string(),
            format!(
                "A meeting lists at most {MOST_ATTENDEES} people: remove {}",
                attendees.len() - MOST_ATTENDEES
            ),
        ));
    }
    for (i, attendee) in attendees.iter().enumerate() {
        let name = attendee.name.trim();
        let at = format!("attendees[{i}]");
        if name.is_empty() {
            problems.push((at, format!("Enter the name of person {}", i + 1)));
        } else if name.chars().count() > LONGEST_NAME {
            problems.push((
                at,
                format!(
                    "The name of person {} must be {LONGEST_NAME} characters or fewer",
                    i + 1
                ),
            ));
        } else if name.contains('\0') {
            problems.push((
                at,
                format!(
                    "The name of person {} has a character that cannot be stored",
                    i + 1
                ),
            ));
        } else if attendees[..i]
            .iter()
            .any(|a| a.name.trim().eq_ignore_ascii_case(name) && a.role == attendee.role)
        {
            problems.push((at, format!("{name} is on the list twice: remove one")));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attendee(name: &str, attendance: Attendance) -> Attendee {
        Attendee {
            name: name.into(),
            role: Some(Role::Carer),
            attendance,
        }
    }

    #[test]
    fn a_list_is_refused_person_by_person_saying_what_to_change() {
        assert!(check_attendees(&[attendee("Linda Bennett", Attendance::Online)]).is_empty());
        let problems = check_attendees(&[
            attendee("Linda Bennett", Attendance::Online),
            attendee("  ", Attendance::InPerson),
            attendee("linda bennett", Attendance::Apologies),
            attendee(&"x".repeat(LONGEST_NAME + 1), Attendance::Online),
        ]);
        assert_eq!(
            problems,
            vec![
                ("attendees[1]".into(), "Enter the name of person 2".into()),
                (
                    "attendees[2]".into(),
                    "linda bennett is on the list twice: remove one".into()
                ),
                (
                    "attendees[3]".into(),
                    "The name of person 4 must be 100 characters or fewer".into()
                ),
            ]
        );
        let crowd: Vec<_> = (0..MOST_ATTENDEES + 2)
            .map(|n| attendee(&format!("Person {n}"), Attendance::Online))
            .collect();
        assert_eq!(
            check_attendees(&crowd)[0].1,
            "A meeting lists at most 40 people: remove 2"
        );
    }

    #[test]
    fn an_attendee_reads_as_a_line() {
        assert_eq!(
            attendee("Linda Bennett", Attendance::Apologies).line(),
            "Linda Bennett (carer): Sent apologies"
        );
        let tutor = Attendee {
            name: "Sam Reed".into(),
            role: None,
            attendance: Attendance::InPerson,
        };
        assert_eq!(tutor.line(), "Sam Reed: In person");
        assert_eq!(Attendance::parse("online"), Ok(Attendance::Online));
    }
}
