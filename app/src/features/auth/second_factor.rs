//! The second factor: setting up an authenticator app, and passing it after the password.
//! Required for professional roles; optional for carers and young people.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the setup page shows once: the QR code, and the key for typing in by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupDetails {
    /// The secret in groups of four, easier to type.
    pub key_for_typing: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

/// Starts (or resumes) setting up an authenticator app for the signed-in person.
#[server(prefix = "/api", endpoint = "auth/second_factor_setup")]
pub async fn second_factor_setup() -> Result<SetupDetails, AppError> {
    server::setup()
        .await
        .inspect_err(super::api::server::set_status)
}

/// Confirms the setup with a first code; returns the ten recovery codes, shown only now.
#[server(prefix = "/api", endpoint = "auth/confirm_second_factor")]
pub async fn confirm_second_factor(code: String) -> Result<Vec<String>, AppError> {
    server::confirm(code)
        .await
        .inspect_err(super::api::server::set_status)
}

/// Passes the second factor for this session with a code from the app or a recovery code.
#[server(prefix = "/api", endpoint = "auth/verify_second_factor")]
pub async fn verify_second_factor(code: String) -> Result<(), AppError> {
    server::verify(code)
        .await
        .inspect_err(super::api::server::set_status)
}

#[cfg(feature = "ssr")]
mod server {
    use chrono::Utc;

    use super::super::api::server::{
        record_auth_event, request_id, require_user, services, session_token,
    };
    use super::super::sessions;
    use super::super::throttle::{self, Counted};
    use super::super::totp::{
        matching_step, new_recovery_codes, new_secret, otpauth_uri, qr_svg, recovery_code_hash,
    };
    use super::SetupDetails;
    use crate::domain::audit::AuditAction;
    use crate::error::{AppError, internal};
    use crate::infra::sql::sql;

    #[derive(sqlx::FromRow)]
    struct SecondFactorRow {
        email: String,
        totp_secret: Option<String>,
        set_up: bool,
        totp_last_step: Option<i64>,
    }

    async fn load(db: &crate::infra::db::Db, user_id: &str) -> Result<SecondFactorRow, AppError> {
        let row: Option<SecondFactorRow> = {
            sql(
                "SELECT email, totp_secret, totp_confirmed_at IS NOT NULL AS set_up, totp_last_step \
                 FROM users WHERE id = $1",
            )
            .bind(user_id)
            .fetch_optional(db)
            .await?
        };
        row.ok_or(AppError::SignedOut)
    }

    fn code_problem(message: &str) -> AppError {
        AppError::Invalid(vec![("code".to_string(), message.to_string())])
    }

    /// Wrong codes are counted per person in this session and per person (`throttle`).
    fn guess_counters(user_id: &str) -> Result<[Counted; 2], AppError> {
        let (_, auth, parts) = services()?;
        let session = session_token(&parts, auth.cookies).unwrap_or_default();
        Ok([
            Counted::SecondFactorInSession {
                user_id: user_id.to_string(),
                session,
            },
            Counted::SecondFactor(user_id.to_string()),
        ])
    }

    async fn throttle(user_id: &str) -> Result<(), AppError> {
        let (db, _, _) = services()?;
        match throttle::wait_needed(&db, &guess_counters(user_id)?, Utc::now()).await? {
            Some(retry_after_secs) => Err(AppError::TooManyAttempts { retry_after_secs }),
            None => Ok(()),
        }
    }

    async fn count_wrong_guess(db: &crate::infra::db::Db, user_id: &str) -> Result<(), AppError> {
        for counted in guess_counters(user_id)? {
            throttle::record_failure(db, &counted, Utc::now()).await?;
        }
        Ok(())
    }

    /// Passed: the count is of guesses, not of a person signing in many times a day.
    async fn clear_guesses(db: &crate::infra::db::Db, user_id: &str) -> Result<(), AppError> {
        for counted in guess_counters(user_id)? {
            throttle::clear(db, &counted).await?;
        }
        Ok(())
    }

    pub async fn setup() -> Result<SetupDetails, AppError> {
        let user = require_user().await?;
        let (db, _, _) = services()?;
        let row = load(&db, &user.id).await?;
        if row.set_up {
            return Err(code_problem(
                "Your authenticator app is already set up. Sign in with a code from it.",
            ));
        }
        // Keep an unconfirmed secret across reloads so a code scanned earlier still works.
        let secret = match row.totp_secret {
            Some(secret) => secret,
            None => {
                let secret = new_secret().map_err(|e| internal("new TOTP secret", e))?;
                {
                    sql(
                        "UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_confirmed_at IS NULL",
                    )
                    .bind(&secret)
                    .bind(&user.id)
                    .execute(&db)
                    .await?;
                };
                secret
            }
        };
        let otpauth_uri = otpauth_uri(&secret, &row.email);
        let qr_svg = qr_svg(&otpauth_uri).ok_or_else(|| internal("QR code", "too long"))?;
        let key_for_typing = secret
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c))
            .collect::<Vec<_>>()
            .join(" ");
        Ok(SetupDetails {
            key_for_typing,
            otpauth_uri,
            qr_svg,
        })
    }

    pub async fn confirm(code: String) -> Result<Vec<String>, AppError> {
        let user = require_user().await?;
        throttle(&user.id).await?;
        let (db, auth, parts) = services()?;
        let row = load(&db, &user.id).await?;
        let request_id = request_id(&parts);
        let (Some(secret), false) = (row.totp_secret, row.set_up) else {
            return Err(code_problem(
                "Start again: open the set-up page to get a new QR code.",
            ));
        };
        let Some(step) = matching_step(&secret, &code, Utc::now().timestamp(), None) else {
            record_auth_event(
                &db,
                Some(&user.id),
                AuditAction::AuthSecondFactorFailed,
                serde_json::json!({ "during": "setup" }),
                request_id.as_deref(),
            )
            .await?;
            count_wrong_guess(&db, &user.id).await?;
            return Err(code_problem(
                "That code is not right. Enter the newest 6-digit code your app shows.",
            ));
        };
        let codes = new_recovery_codes().map_err(|e| internal("recovery codes", e))?;
        let now = Utc::now();
        {
            let mut tx = db.begin_write().await?;
            sql(
                "UPDATE users SET totp_confirmed_at = $1, totp_last_step = $2 \
                 WHERE id = $3 AND totp_confirmed_at IS NULL",
            )
            .bind(now)
            .bind(step)
            .bind(&user.id)
            .execute(&mut tx)
            .await?;
            sql("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(&user.id)
                .execute(&mut tx)
                .await?;
            for code in &codes {
                sql("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
                    .bind(&user.id)
                    .bind(recovery_code_hash(code))
                    .bind(now)
                    .execute(&mut tx)
                    .await?;
            }
            tx.commit().await?;
        };
        if let Some(token) = session_token(&parts, auth.cookies) {
            sessions::mark_second_factor_done(&db, &token).await?;
        }
        clear_guesses(&db, &user.id).await?;
        record_auth_event(
            &db,
            Some(&user.id),
            AuditAction::AuthSecondFactorSetUp,
            serde_json::json!({}),
            request_id.as_deref(),
        )
        .await?;
        Ok(codes)
    }

    pub async fn verify(code: String) -> Result<(), AppError> {
        let user = require_user().await?;
        throttle(&user.id).await?;
        let (db, auth, parts) = services()?;
        let row = load(&db, &user.id).await?;
        let request_id = request_id(&parts);
        let (Some(secret), true) = (row.totp_secret, row.set_up) else {
            return Err(code_problem("Set up your authenticator app first."));
        };
        let now = Utc::now();
        // A code from the app, each step accepted once (the UPDATE is the replay check)...
        let mut method = None;
        if let Some(step) = matching_step(&secret, &code, now.timestamp(), row.totp_last_step) {
            let updated = {
                sql("UPDATE users SET totp_last_step = $1 \
                     WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)")
                .bind(step)
                .bind(&user.id)
                .execute(&db)
                .await?
                .rows_affected()
            };
            if updated == 1 {
                method = Some("authenticator app");
            }
        } else {
            // ...or an unused recovery code.
            let used = {
                sql("UPDATE recovery_codes SET used_at = $1 \
                     WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
                .bind(now)
                .bind(&user.id)
                .bind(recovery_code_hash(&code))
                .execute(&db)
                .await?
                .rows_affected()
            };
            if used == 1 {
                method = Some("recovery code");
            }
        }
        let Some(method) = method else {
            record_auth_event(
                &db,
                Some(&user.id),
                AuditAction::AuthSecondFactorFailed,
                serde_json::json!({}),
                request_id.as_deref(),
            )
            .await?;
            count_wrong_guess(&db, &user.id).await?;
            return Err(code_problem(
                "That code is not right or has been used. Enter the newest code from your app, \
                 or an unused recovery code.",
            ));
        };
        if let Some(token) = session_token(&parts, auth.cookies) {
            sessions::mark_second_factor_done(&db, &token).await?;
        }
        clear_guesses(&db, &user.id).await?;
        record_auth_event(
            &db,
            Some(&user.id),
            AuditAction::AuthSecondFactorPassed,
            serde_json::json!({ "method": method }),
            request_id.as_deref(),
        )
        .await?;
        Ok(())
    }
}
