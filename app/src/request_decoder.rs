//! The one decoder every server function's request passes before its body runs.
//!
//! server_fn decodes a form body itself and answers any failure with `500 {"Transport": …}`
//! (and the error text, which can hold the value sent). Here each request is read first, the way
//! the function's own argument type will read it, and refused with **400** naming the field
//! (**422** for a coded value that is none of its choices, answered like the function's own):
//! - the body must be a URL-encoded form (a JSON body is refused with 415);
//! - every name and value must be valid UTF-8 once decoded (refused, never replaced with U+FFFD);
//! - no name may come twice (`version=1&version=2` would let the last one win unseen);
//! - no value may hold NUL or another control character (line breaks and tabs are text);
//! - the values must fit the argument type: a missing field, `version=abc`, a number too big.
//!
//! The checks are listed per server function in [`decoders`]; a test fails when a registered
//! server function is missing from the list. The refusal never repeats the value, so logging it
//! (at WARN, by the server's middleware) cannot fill the log with what an attacker sent.

use serde::de::DeserializeOwned;

use crate::domain::text::{TextProblem, check_plain_text};
use crate::error::AppError;

/// Why a request was not read: the field (when one is to blame) and what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: Option<String>,
    pub message: String,
    /// 400; 415 for a body that is not a form; 422 for a value that is none of a coded
    /// field's choices.
    pub status: u16,
}

impl Refusal {
    fn on(field: &str, message: impl Into<String>) -> Refusal {
        Refusal {
            field: Some(field.to_string()),
            message: message.into(),
            status: 400,
        }
    }

    /// A 422 (a value that is not one of a coded field's choices) is answered like the
    /// function's own refusals, by field and in words; the rest are bad requests.
    pub fn into_app_error(self) -> AppError {
        match (self.status, self.field) {
            (422, Some(field)) => {
                let choices = self
                    .message
                    .strip_prefix("is not one of: ")
                    .unwrap_or(&self.message);
                AppError::Invalid(vec![(field, format!("Choose one of: {choices}"))])
            }
            (_, field) => AppError::BadRequest {
                field,
                message: self.message,
            },
        }
    }
}

/// A form body's pairs, decoded, or the first problem with them.
fn form_pairs(body: &[u8]) -> Result<Vec<(String, String)>, Refusal> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match part.iter().position(|&b| b == b'=') {
            Some(at) => (&part[..at], &part[at + 1..]),
            None => (part, &part[..0]),
        };
        let name = String::from_utf8(percent_decode(name)).map_err(|_| Refusal {
            field: None,
            message: "A field name is not valid UTF-8 text. Send the form as UTF-8.".to_string(),
            status: 400,
        })?;
        let value = String::from_utf8(percent_decode(value))
            .map_err(|_| Refusal::on(&name, "is not valid UTF-8 text. Send the text as UTF-8."))?;
        if pairs.iter().any(|(seen, _)| *seen == name) {
            return Err(Refusal::on(
                &name,
                "was sent more than once. Send each field once.",
            ));
        }
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// `%XX` and `+` decoded to bytes; a `%` not followed by two hex digits stays as it is.
fn percent_decode(input: &[u8]) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => {
                match (
                    input.get(i + 1).copied().and_then(hex),
                    input.get(i + 2).copied().and_then(hex),
                ) {
                    (Some(high), Some(low)) => {
                        out.push(high << 4 | low);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Reads `body` as `T` would be read by the server function, without running it.
pub fn check_form<T: DeserializeOwned>(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(), Refusal> {
    let is_form = content_type
        .map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
        .unwrap_or(false);
    // An empty body needs no type: a function without arguments called as `POST` with nothing.
    let empty_call = body.is_empty() && content_type.is_none();
    if !(is_form || empty_call) {
        return Err(Refusal {
            field: None,
            message: "Send the request as a form (application/x-www-form-urlencoded).".to_string(),
            status: 415,
        });
    }
    for (name, value) in form_pairs(body)? {
        if let Err(problem) = check_plain_text(&value) {
            let message = match problem {
                TextProblem::Nul => "contains a NUL character. Remove it.",
                TextProblem::Control => {
                    "contains a control character. Remove it (line breaks and tabs are fine)."
                }
            };
            return Err(Refusal::on(&name, message));
        }
    }
    let config = serde_qs::Config::new(5, false);
    let deserializer = serde_qs::Deserializer::with_config(&config, body).map_err(|_| Refusal {
        field: None,
        message: "The form could not be read.".to_string(),
        status: 400,
    })?;
    match serde_path_to_error::deserialize::<_, T>(deserializer) {
        Ok(_) => Ok(()),
        Err(error) => {
            let path = error.path().to_string();
            let inner = error.inner().to_string();
            Err(refusal_for(&path, &inner))
        }
    }
}

/// The refusal for a value that did not fit, in words and without the value.
fn refusal_for(path: &str, inner: &str) -> Refusal {
    // serde names a missing or unknown field in backticks: "missing field `version`".
    let quoted = inner.split('`').nth(1).map(str::to_string);
    let within = |name: &str| {
        if path.is_empty() || path == "." {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    if inner.starts_with("missing field") {
        let field = quoted
            .as_deref()
            .map(within)
            .unwrap_or_else(|| path.to_string());
        return Refusal::on(&field, "is missing. Send every field the request needs.");
    }
    if inner.starts_with("unknown field") {
        let field = quoted
            .as_deref()
            .map(within)
            .unwrap_or_else(|| path.to_string());
        return Refusal::on(&field, "is not a field of this request. Remove it.");
    }
    let field = if path.is_empty() || path == "." {
        None
    } else {
        Some(path.to_string())
    };
    let message = if inner.contains("number too large")
        || inner.contains("too large")
        || inner.contains("too small")
    {
        "is a number out of range. Send a smaller number."
    } else if inner.contains("invalid digit")
        || inner.contains("expected i")
        || inner.contains("expected u")
    {
        "is not a whole number. Send digits only."
    } else if inner.starts_with("unknown variant") {
        // "unknown variant `sent`, expected one of `a`, `b`": name the choices, not what was sent.
        // A coded argument (a PEP state, a section, a role) typed as its enum is checked here,
        // so a value that is none of them is answered 422 by field, as the function would.
        let choices: Vec<&str> = inner
            .split_once("expected")
            .map(|(_, expected)| expected.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        return Refusal {
            field,
            message: format!("is not one of: {}.", choices.join(", ")),
            status: 422,
        };
    } else {
        "is not in the form this field takes. Check it and send it again."
    };
    Refusal {
        field,
        message: message.to_string(),
        status: 400,
    }
}

/// One check per server function, by its path.
pub type Decoder = fn(Option<&str>, &[u8]) -> Result<(), Refusal>;

macro_rules! decoders {
    ($($ty:path),* $(,)?) => {
        vec![$((<$ty as leptos::server_fn::ServerFn>::PATH, check_form::<$ty> as Decoder)),*]
    };
}

/// Every server function's path with its decoder (a test keeps this list whole).
pub fn decoders() -> Vec<(&'static str, Decoder)> {
    decoders![
        crate::features::auth::password_reset::RequestPasswordReset,
        crate::features::auth::password_reset::ResetPassword,
        crate::features::auth::second_factor::SecondFactorSetup,
        crate::features::auth::second_factor::ConfirmSecondFactor,
        crate::features::auth::second_factor::VerifySecondFactor,
        crate::features::auth::session_timeout::SessionStatus,
        crate::features::auth::session_timeout::StaySignedIn,
        crate::features::auth::api::SignIn,
        crate::features::auth::api::SignOut,
        crate::features::auth::api::WhoAmI,
        crate::features::auth::api::MySessions,
        crate::features::auth::api::EndMySession,
        crate::features::deadline_rules::DeadlineRules,
        crate::features::deadline_rules::SaveDeadlineRules,
        crate::features::deadline_rules::CouncilContributionRule,
        crate::features::deadline_rules::SaveContributionRule,
        crate::features::children::MyChildren,
        crate::features::children::ChildRecord,
        crate::features::children::register::RegisterEntryForEditing,
        crate::features::children::register::SaveChildDetails,
        crate::features::children::register::AddCareEpisode,
        crate::features::children::register::AddEducationEpisode,
        crate::features::children::concerns::RaiseConcern,
        crate::features::actions::MyActionsList,
        crate::features::actions::SetActionStatus,
        crate::features::pep_form::PepFormForEditing,
        crate::features::pep_form::SavePepField,
        crate::features::pep_form::AddTarget,
        crate::features::pep_form::SaveTarget,
        crate::features::pep_form::EvaluateTarget,
        crate::features::pep_form::RemoveTarget,
        crate::features::pep_form::AddTargetAction,
        crate::features::pep_form::RemoveTargetAction,
        crate::features::pep_form::StartMeeting,
        crate::features::pep_form::RecordAttendance,
        crate::features::pep_form::EndMeeting,
        crate::features::pep_form::DecidePpPlus,
        crate::features::pep_form::RecordSuspension,
        crate::features::pep_form::AddAction,
        crate::features::pep_form::ChangePepState,
        crate::features::pep_form::EditPepText,
        crate::features::pep_form::PepTextSince,
        crate::features::pep_form::PepWorkflow,
        crate::features::pep_form::SetSectionStatus,
        crate::features::dashboard::VirtualSchoolDashboard,
        crate::features::calendars::SchoolCalendar,
        crate::features::calendars::PreviewCalendar,
        crate::features::calendars::ImportCalendar,
        crate::features::calendars::BankHolidayList,
        crate::features::calendars::PreviewBankHolidays,
        crate::features::calendars::ImportBankHolidays,
        crate::features::calendars::AddSchool,
        crate::features::people::ListPeople,
        crate::features::people::GetPerson,
        crate::features::people::ChangeRole,
        crate::features::people::SetPersonActive,
        crate::features::people::AssignChild,
        crate::features::people::EndAssignment,
        crate::features::people::SectionRights,
        crate::features::invitations::Invite,
        crate::features::invitations::Register,
        crate::features::service::GetServiceInfo,
    ]
}
