//! "Forgotten your password?": a single-use link by email, valid for one hour. Resetting ends
//! every session of the person and does not skip the second factor: they sign in again in full.

use leptos::prelude::*;

use crate::error::AppError;

/// Sends a reset link if the email belongs to an active account. The answer is the same either
/// way, so the form does not reveal who has an account.
#[server(prefix = "/api", endpoint = "auth/request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    server::request(email)
        .await
        .inspect_err(super::api::server::set_status)
}

/// Sets a new password with the token from the link.
#[server(prefix = "/api", endpoint = "auth/reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    server::reset(token, password)
        .await
        .inspect_err(super::api::server::set_status)
}

#[cfg(feature = "ssr")]
mod server {
    use chrono::{DateTime, Duration, Utc};

    use super::super::api::server::{client_ip, record_auth_event, services};
    use super::super::looks_like_email;
    use super::super::sessions::{self, new_token, token_hash};
    use super::super::throttle::{self, Counted};

    /// How long a reset link works.
    const RESET_LINK_MINUTES: i64 = 60;
    use crate::domain::audit::AuditAction;
    use crate::domain::passwords::check_new_password;
    use crate::error::{AppError, internal};
    use crate::infra::common_passwords::is_common;
    use crate::infra::mail::Email;
    use crate::infra::passwords::hash_passwords;
    use crate::infra::sql::sql;

    fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![(field.to_string(), message.into())])
    }

    pub async fn request(email: String) -> Result<(), AppError> {
        let email = email.trim().to_lowercase();
        if !looks_like_email(&email) {
            return Err(invalid(
                "email",
                "Enter an email address in the correct format, like name@example.org",
            ));
        }
        let (db, auth, parts) = services()?;
        let ip = client_ip(&parts).unwrap_or_else(|| "unknown".into());
        // Each request counts (it may send an email): a few per address, then each waits longer.
        let counted = [
            Counted::ResetEmail(email.clone()),
            Counted::ResetFromAddress(ip),
        ];
        let now = Utc::now();
        if let Some(retry_after_secs) = throttle::wait_needed(&db, &counted, now).await? {
            return Err(AppError::TooManyAttempts { retry_after_secs });
        }
        for item in &counted {
            throttle::record_failure(&db, item, now).await?;
        }
        let user: Option<(String, String)> = {
            sql("SELECT id, display_name FROM users WHERE lower(email) = $1 AND status = 'active'")
                .bind(&email)
                .fetch_optional(&db)
                .await?
        };
        let Some((user_id, name)) = user else {
            return Ok(());
        };
        let token = new_token().map_err(|e| internal("reset token", e))?;
        let now = Utc::now();
        {
            sql("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash(&token))
                .bind(&user_id)
                .bind(now)
                .bind(now + Duration::minutes(RESET_LINK_MINUTES))
                .execute(&db)
                .await?;
        };
        record_auth_event(
            &db,
            Some(&user_id),
            AuditAction::AuthPasswordResetRequested,
            serde_json::json!({}),
            None,
        )
        .await?;
        let link = format!(
            "{}/reset-password?token={token}",
            auth.public_url.trim_end_matches('/')
        );
        let body = format!(
            "Hello {name},\n\nSomeone asked to reset the password of your ePEP account. If it was you, \
             choose a new password here (the link works once, for {RESET_LINK_MINUTES} minutes):\n{link}\n\n\
             If it was not you, ignore this email: your password has not changed.\n"
        );
        auth.mailer
            .send(&Email {
                to: email,
                subject: "Reset your ePEP password".into(),
                body,
            })
            .await
            .map_err(|e| internal("sending the reset email", e))?;
        Ok(())
    }

    #[derive(sqlx::FromRow)]
    struct ResetRow {
        user_id: String,
        email: String,
        display_name: String,
        expires_at: DateTime<Utc>,
        used_at: Option<DateTime<Utc>>,
    }

    pub async fn reset(token: String, password: String) -> Result<(), AppError> {
        let (db, _, _) = services()?;
        let row: Option<ResetRow> = {
            sql(
                "SELECT r.user_id, u.email, u.display_name, r.expires_at, r.used_at \
                 FROM password_resets r JOIN users u ON u.id = r.user_id \
                 WHERE r.token_hash = $1 AND u.status = 'active'",
            )
            .bind(token_hash(token.trim()))
            .fetch_optional(&db)
            .await?
        };
        let now = Utc::now();
        let not_usable =
            "This link does not work any more. Ask for a new one from the sign-in page.";
        let Some(ResetRow {
            user_id,
            email,
            display_name: name,
            expires_at,
            used_at,
        }) = row
        else {
            return Err(invalid("token", not_usable));
        };
        if used_at.is_some() || expires_at <= now {
            return Err(invalid("token", not_usable));
        }
        let mut problems = check_new_password(&password, &[&email, &name]);
        if problems.is_empty() && is_common(&password) {
            problems.push(
                "This password is too common. Choose another: three or four random words work well"
                    .into(),
            );
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(
                problems
                    .into_iter()
                    .map(|p| ("password".to_string(), p))
                    .collect(),
            ));
        }
        let hash = tokio::task::spawn_blocking(move || hash_passwords(&[password.as_str()]).pop())
            .await
            .ok()
            .flatten()
            .ok_or_else(|| internal("hashing", "no hash"))?;
        {
            let mut tx = db.begin_write().await?;
            let claimed = sql(
                "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
            )
            .bind(now)
            .bind(token_hash(token.trim()))
            .execute(&mut tx)
            .await?
            .rows_affected();
            if claimed != 1 {
                return Err(invalid("token", not_usable));
            }
            sql("UPDATE users SET password_hash = $1, updated_at = $2, version = version + 1 WHERE id = $3")
                .bind(&hash)
                .bind(now)
                .bind(&user_id)
                .execute(&mut tx)
                .await?;
            tx.commit().await?;
        };
        // Every session ends: whoever knew the old password is out. The second factor stays.
        sessions::end_all_for_user(&db, &user_id).await?;
        crate::infra::live_signal::recheck();
        record_auth_event(
            &db,
            Some(&user_id),
            AuditAction::AuthPasswordReset,
            serde_json::json!({}),
            None,
        )
        .await?;
        Ok(())
    }
}
