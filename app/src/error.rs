//! The one error type every server function returns: what the person may be told, never internal
//! detail. Internal failures are logged on the server with a correlation id, and only the id is sent.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Not signed in, or the session has ended (401).
    #[error("Your session has ended. Sign in again.")]
    SignedOut,
    /// Signed in, but the second factor has not been passed in this session (403).
    #[error("Enter the code from your authenticator app first.")]
    SecondFactorRequired,
    /// Signed in, but not allowed to do this (403).
    #[error("You do not have access to this.")]
    Forbidden,
    /// Bad input: one message per field, in page order (422).
    #[error("There is a problem with what you entered.")]
    Invalid(Vec<(String, String)>),
    /// Email and password do not match an active account (401).
    #[error("Enter a correct email address and password.")]
    WrongCredentials,
    /// Throttled (429): try again after this many seconds.
    #[error("Too many attempts. Wait {retry_after_secs} seconds, then try again.")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Something failed on our side (500); the id finds the log line.
    #[error("Something went wrong on our side. If it keeps happening, quote {correlation_id}.")]
    Internal { correlation_id: String },
    /// The request could not be read (400): `field` names what to change when one is to blame.
    /// Built by `request_decoder`, which never repeats the value sent.
    #[error("{}", match field { Some(field) => format!("The request could not be read: “{field}” {message}"), None => format!("The request could not be read. {message}") })]
    BadRequest {
        field: Option<String>,
        message: String,
    },
    /// The request itself could not be sent, or its answer read (in the browser).
    #[error("The request could not be completed: {0}")]
    Transport(String),
}

impl AppError {
    /// Why a child's page is not shown, in words: `what` is "this record", "this PEP".
    pub fn why_not_shown(&self, what: &str) -> String {
        match self {
            AppError::SignedOut => format!("You need to sign in to see {what}."),
            AppError::SecondFactorRequired => {
                format!("Enter the code from your authenticator app to see {what}.")
            }
            AppError::Forbidden => {
                format!("You are not assigned to this child, so {what} is not shown.")
            }
            other => other.to_string(),
        }
    }

    /// The problems a `domain` check found, each on its field (422).
    pub fn on_fields(problems: Vec<(&'static str, String)>) -> AppError {
        AppError::Invalid(
            problems
                .into_iter()
                .map(|(field, message)| (field.to_string(), message))
                .collect(),
        )
    }

    pub fn status_code(&self) -> u16 {
        match self {
            AppError::SignedOut | AppError::WrongCredentials => 401,
            AppError::Forbidden | AppError::SecondFactorRequired => 403,
            AppError::Invalid(_) => 422,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Internal { .. } => 500,
            AppError::BadRequest { .. } | AppError::Transport(_) => 400,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server, a request server_fn could not decode. `request_decoder` refuses these
            // before they get here; this keeps any it missed a 400 (not server_fn's 500), logged
            // at WARN, and without the decoder's text, which can hold the value sent.
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => {
                #[cfg(feature = "ssr")]
                {
                    if let Some(response) =
                        leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
                    {
                        response.set_status(axum::http::StatusCode::BAD_REQUEST);
                        tracing::warn!("a server function's request could not be decoded");
                    }
                }
                AppError::BadRequest {
                    field: None,
                    message: "Check what was sent and send it again.".to_string(),
                }
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

/// Logs an internal failure with a fresh correlation id and returns the error the person sees.
#[cfg(feature = "ssr")]
pub fn internal(context: &str, error: impl std::fmt::Display) -> AppError {
    let correlation_id = uuid::Uuid::now_v7().simple().to_string()[..12].to_string();
    tracing::error!(%correlation_id, %error, "{context}");
    AppError::Internal { correlation_id }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        internal("database error", error)
    }
}
