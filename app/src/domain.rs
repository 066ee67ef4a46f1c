//! Pure domain rules: no Leptos, no `cfg`, the same code in the server and the browser.

pub mod academic_year;
pub mod access;
pub mod audit;
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

/// A value stored as its code (every `text_enum!`): how the database layer binds one without
/// `domain` naming it.
pub trait Coded: Copy {
    fn code(self) -> &'static str;
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

        // In the database as text, read back by sqlx (`struct Row { state: PepState }`): a code
        // this version does not know is an error on the row, never a silent default.
        #[cfg(feature = "ssr")]
        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        #[cfg(feature = "ssr")]
        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let code = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                Ok($name::parse(code)?)
            }
        }

        impl $crate::domain::Coded for $name {
            fn code(self) -> &'static str {
                self.as_str()
            }
        }
    };
}
pub(crate) use text_enum;

/// Calls `$check!` with every coded value's type, so the tests that hold them to one name
/// everywhere (JSON, `parse`, the database) cannot miss one.
#[cfg(any(test, feature = "ssr"))]
macro_rules! every_text_enum {
    ($check:ident) => {
        $check!(
            $crate::domain::school::SchoolKind,
            $crate::domain::calendar::PeriodKind,
            $crate::domain::pp_plus::PpPlusStatus,
            $crate::domain::pep_form::SectionStatus,
            $crate::domain::pep::PepState,
            $crate::domain::pep::Phase,
            $crate::domain::pep::Term,
            $crate::domain::pep::PepKind,
            $crate::domain::pep::SectionKey,
            $crate::domain::register::SenStatus,
            $crate::domain::register::EducationStatus,
            $crate::domain::school_record::ExclusionKind,
            $crate::domain::targets::NeedArea,
            $crate::domain::targets::Evaluation,
            $crate::domain::targets::TargetTextPart,
            $crate::domain::targets::ActionTextPart,
            $crate::domain::meeting::Attendance,
            $crate::domain::roles::Role,
            $crate::domain::policy::Access,
            $crate::domain::deadlines::DayKind,
            $crate::domain::audit::AuditAction,
            $crate::domain::smart::SmartCheck,
        )
    };
}
#[cfg(any(test, feature = "ssr"))]
pub(crate) use every_text_enum;

#[cfg(test)]
mod tests {
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
        super::every_text_enum!(check);
    }

    /// Every `text_enum!` in the source is in `every_text_enum!` (read from the files, so a new
    /// enum left out of the list fails here).
    #[test]
    fn every_text_enum_is_in_the_list_the_round_trip_tests_use() {
        let domain = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
        let mut declared = Vec::new();
        let mut folders = vec![domain];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let mut rest = text.as_str();
                while let Some(at) = rest.find("text_enum! {") {
                    rest = &rest[at + "text_enum! {".len()..];
                    // The name is the first line that is not a doc comment or an attribute.
                    let name = rest
                        .lines()
                        .map(str::trim)
                        .find(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with('#'))
                        .and_then(|l| l.split(',').next())
                        .unwrap()
                        .to_string();
                    declared.push(name);
                }
            }
        }
        macro_rules! names {
            ($($kind:ty),+ $(,)?) => {
                vec![$(stringify!($kind).rsplit("::").next().unwrap().trim().to_string()),+]
            };
        }
        let mut listed: Vec<String> = super::every_text_enum!(names);
        declared.sort();
        listed.sort();
        assert_eq!(declared, listed);
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
