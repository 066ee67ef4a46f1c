//! Pure domain rules: no Leptos, no `cfg`, the same code in the server and the browser.

pub mod academic_year;
pub mod access;
pub mod calendar;
pub mod child;
pub mod deadlines;
pub mod ids;
pub mod live;
pub mod meeting;
pub mod passwords;
pub mod pep;
pub mod pep_form;
pub mod plausible;
pub mod policy;
pub mod pp_plus;
pub mod register;
pub mod roles;
pub mod schedule;
pub mod school;
pub mod school_record;
pub mod shared_text;
pub mod smart;
pub mod targets;
pub mod text;
pub mod uk_time;
pub mod workflow;

/// A value that could not be parsed from its stored or submitted text form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{value}” is not a known {what}")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

/// Declares a closed set of codes stored as text (in the database, in URLs, in JSON) with a
/// human label, so every enum round-trips through the same `as_str`/`parse` pair.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        // In JSON as in the database: its code, one name everywhere (a derive would name it
        // after the variant, `post16` in JSON beside `post_16` in the database).
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                const CODES: &[&str] = &[ $( $code, )+ ];
                $name::parse(&code).map_err(|_| serde::de::Error::unknown_variant(&code, CODES))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The stable code stored in the database.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $code, )+ }
            }

            /// What people read.
            pub fn label(self) -> &'static str {
                match self { $( $name::$variant => $label, )+ }
            }

            pub fn parse(value: &str) -> Result<Self, $crate::domain::UnknownValue> {
                match value {
                    $( $code => Ok($name::$variant), )+
                    other => Err($crate::domain::UnknownValue { what: $what, value: other.to_string() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}
pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    use super::pep::{PepState, Phase, SectionKey, Term};
    use super::roles::Role;

    /// Every coded value: its code parses back, no two share one, and JSON carries the same code
    /// (so a value reads the same in the database, in a server function's answer and on the
    /// live channel).
    #[test]
    fn every_code_round_trips_through_parse_and_json_and_codes_are_unique() {
        macro_rules! check {
            ($($kind:ty),+ $(,)?) => {$(
                let mut seen = std::collections::HashSet::new();
                for &value in <$kind>::ALL {
                    let code = value.as_str();
                    assert_eq!(<$kind>::parse(code), Ok(value));
                    assert!(seen.insert(code), "duplicate code {code}");
                    let json = serde_json::to_string(&value).unwrap();
                    assert_eq!(json, format!("\"{code}\""), "{}", stringify!($kind));
                    assert_eq!(serde_json::from_str::<$kind>(&json).unwrap(), value);
                }
                assert!(serde_json::from_str::<$kind>("\"no such code\"").is_err());
            )+};
        }
        use super::*;
        check!(
            school::SchoolKind,
            calendar::PeriodKind,
            pp_plus::PpPlusStatus,
            pep_form::SectionStatus,
            PepState,
            Phase,
            Term,
            pep::PepKind,
            SectionKey,
            register::SenStatus,
            register::EducationStatus,
            school_record::ExclusionKind,
            targets::NeedArea,
            targets::Evaluation,
            targets::TargetTextPart,
            targets::ActionTextPart,
            meeting::Attendance,
            Role,
            policy::Access,
            deadlines::DayKind,
        );
    }

    #[test]
    fn unknown_codes_are_refused_with_a_readable_message() {
        let err = Role::parse("headteacher").unwrap_err();
        assert_eq!(err.to_string(), "“headteacher” is not a known role");
    }
}

/// Property tests of every parser of outside input (files, JSON, the live channel's messages,
/// money and dates as typed): whatever arrives, they answer with a value or a message and never
/// panic, and what they accept keeps their own promises.
#[cfg(test)]
mod outside_input {
    use proptest::prelude::*;

    use super::calendar::ical::parse_calendar_ics;
    use super::calendar::{BankHolidays, parse_calendar, parse_calendar_csv};

    /// Lines that look like a calendar CSV row, some right and most nearly right.
    fn csv_line() -> impl Strategy<Value = String> {
        let date = prop_oneof![
            "20[0-9]{2}-[01][0-9]-[0-3][0-9]",
            "\\PC{0,12}",
            Just("2026-02-30".to_string()),
            Just("9999-12-31".to_string()),
        ];
        let kind = prop_oneof![
            Just("term".to_string()),
            Just("holiday".to_string()),
            Just("inset".to_string()),
            Just("closure".to_string()),
            "\\PC{0,8}",
        ];
        (date.clone(), date, kind, "[^\\r\\n]{0,20}")
            .prop_map(|(start, end, kind, label)| format!("{start},{end},{kind},{label}"))
    }

    proptest! {
        #[test]
        fn the_calendar_csv_reader_accepts_only_real_periods(lines in prop::collection::vec(csv_line(), 0..12)) {
            let text = format!("start,end,kind,label\n{}", lines.join("\n"));
            match parse_calendar_csv(&text) {
                Ok(periods) => {
                    for period in periods {
                        prop_assert!(period.start <= period.end);
                        prop_assert!(!period.label.trim().is_empty());
                    }
                }
                Err(problems) => {
                    prop_assert!(!problems.is_empty());
                    for problem in problems {
                        prop_assert!(problem.line >= 1 && problem.line <= lines.len() + 1);
                    }
                }
            }
        }

        #[test]
        fn any_file_text_gets_periods_or_problems_never_a_panic(text in "\\PC{0,400}") {
            let _ = parse_calendar(&text);
            let _ = parse_calendar_csv(&text);
            let _ = parse_calendar_ics(&text);
        }

        #[test]
        fn icalendar_lines_in_any_order_never_panic(
            lines in prop::collection::vec(prop_oneof![
                Just("BEGIN:VCALENDAR".to_string()),
                Just("END:VCALENDAR".to_string()),
                Just("BEGIN:VEVENT".to_string()),
                Just("END:VEVENT".to_string()),
                "DTSTART;VALUE=DATE:[0-9]{8}",
                "DTEND;VALUE=DATE:[0-9]{0,9}",
                "SUMMARY:\\PC{0,20}",
                "RRULE:\\PC{0,30}",
                " \\PC{0,10}",
            ], 0..20)
        ) {
            let _ = parse_calendar_ics(&lines.join("\r\n"));
        }

        #[test]
        fn the_bank_holiday_json_reader_never_panics(text in "\\PC{0,300}", division in "\\PC{0,20}") {
            let _ = BankHolidays::read_gov_uk_json(&text, &division);
            let shaped = format!(r#"{{"{division}": {{"division": "{division}", "events": [{{"title": "x", "date": "{text}"}}]}}}}"#);
            let _ = BankHolidays::read_gov_uk_json(&shaped, &division);
        }

        #[test]
        fn live_channel_messages_are_read_or_refused(text in "\\PC{0,200}") {
            let _ = serde_json::from_str::<super::live::ClientMessage>(&text);
            let shaped = format!(r#"{{"type": "draft", "field": {{"section": "carer_contribution", "field": "{}"}}, "value": "{}"}}"#, text.replace('"', ""), text.replace('"', ""));
            let _ = serde_json::from_str::<super::live::ClientMessage>(&shaped);
        }

        #[test]
        fn money_and_counts_as_typed_are_read_or_refused(text in "\\PC{0,20}") {
            if let Ok(pence) = super::pp_plus::parse_pounds(&text) {
                prop_assert!(pence >= 0);
            }
            if let Ok(n) = super::pp_plus::parse_count(&text, "sessions", 100) {
                prop_assert!((0..=100).contains(&n));
            }
        }

        #[test]
        fn dates_as_typed_are_read_or_refused(text in "\\PC{0,16}") {
            if let Ok(day) = super::plausible::parse_plausible_date(&text, "the date") {
                prop_assert!(day >= super::plausible::EARLIEST_RECORD && day <= super::plausible::LATEST_PLAN);
            }
            let field = super::pep_form::field(super::pep::SectionKey::MeetingRecord, "next_meeting").expect("a date field");
            let _ = super::pep_form::check_field_value(field, &text);
        }
    }
}
