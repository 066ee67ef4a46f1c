//! Pure domain rules: no Leptos, no `cfg`, the same code in the server and the browser.

pub mod academic_year;
pub mod access;
pub mod calendar;
pub mod child;
pub mod deadlines;
pub mod ical;
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
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
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

    #[test]
    fn every_code_round_trips_and_codes_are_unique() {
        fn check<T: Copy + PartialEq + std::fmt::Debug>(
            all: &[T],
            as_str: fn(T) -> &'static str,
            parse: fn(&str) -> Result<T, super::UnknownValue>,
        ) {
            let mut seen = std::collections::HashSet::new();
            for &v in all {
                assert_eq!(parse(as_str(v)), Ok(v));
                assert!(seen.insert(as_str(v)), "duplicate code {}", as_str(v));
            }
        }
        check(Role::ALL, Role::as_str, Role::parse);
        check(PepState::ALL, PepState::as_str, PepState::parse);
        check(Phase::ALL, Phase::as_str, Phase::parse);
        check(Term::ALL, Term::as_str, Term::parse);
        check(SectionKey::ALL, SectionKey::as_str, SectionKey::parse);
    }

    #[test]
    fn unknown_codes_are_refused_with_a_readable_message() {
        let err = Role::parse("headteacher").unwrap_err();
        assert_eq!(err.to_string(), "“headteacher” is not a known role");
    }
}
