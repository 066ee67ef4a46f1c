//! Invitations: the Virtual School (and designated teachers, for their own school) invite a person
//! by email with a role; the person registers with the code from the link.

mod register_page;

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::auth::SignInOutcome;

pub use register_page::RegisterPage;

/// How long an invitation stays usable.
pub const INVITATION_DAYS: i64 = 7;

/// Invites `email` as `role` (a role code); a designated teacher needs their school.
#[server(prefix = "/api", endpoint = "invitations/create")]
pub async fn invite(
    email: String,
    role: String,
    school_id: Option<String>,
) -> Result<(), AppError> {
    server::invite(email, role, school_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Creates the account from an invitation and signs the new person in.
#[server(prefix = "/api", endpoint = "invitations/register")]
pub async fn register(
    code: String,
    display_name: String,
    password: String,
) -> Result<SignInOutcome, AppError> {
    server::register(code, display_name, password)
        .await
        .inspect_err(crate::features::auth::set_status)
}

#[cfg(feature = "ssr")]
mod server {
    use chrono::{DateTime, Duration, Utc};
    use leptos::prelude::*;

    use super::INVITATION_DAYS;
    use crate::domain::audit::AuditAction;
    use crate::domain::passwords::check_new_password;
    use crate::domain::roles::Role;
    use crate::error::{AppError, internal};
    use crate::features::auth::sessions::{new_token, token_hash};
    use crate::features::auth::{
        AuthContext, SignInOutcome, current_user, looks_like_email, start_signed_in_session,
    };
    use crate::infra::audit;
    use crate::infra::audit::AuditEvent;
    use crate::infra::common_passwords::is_common;
    use crate::infra::db::Db;
    use crate::infra::mail::Email;
    use crate::infra::passwords::hash_passwords;
    use crate::infra::sql::sql;

    fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![(field.to_string(), message.into())])
    }

    fn context() -> Result<(Db, AuthContext), AppError> {
        match (use_context::<Db>(), use_context::<AuthContext>()) {
            (Some(db), Some(auth)) => Ok((db, auth)),
            _ => Err(internal("invitations", "context missing")),
        }
    }

    pub async fn invite(
        email: String,
        role: String,
        school_id: Option<String>,
    ) -> Result<(), AppError> {
        let actor = current_user().await?.ok_or(AppError::SignedOut)?;
        if actor.second_factor_pending {
            return Err(AppError::SecondFactorRequired);
        }
        let email = email.trim().to_lowercase();
        let mut problems = Vec::new();
        if !looks_like_email(&email) {
            problems.push((
                "email".to_string(),
                "Enter an email address in the correct format, like name@example.org".to_string(),
            ));
        }
        let role = Role::parse(&role).ok();
        if role.is_none() {
            problems.push(("role".to_string(), "Choose a role".to_string()));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let role = role.expect("checked above");
        // The Virtual School invites anyone; a designated teacher invites staff of their own school.
        let school_id = match actor.role {
            r if r.is_virtual_school() => school_id.filter(|s| !s.is_empty()),
            // Exactly the school asked for, or refused: never silently their own instead.
            Role::DesignatedTeacher if role == Role::DesignatedTeacher => {
                match school_id.as_deref().filter(|s| !s.is_empty()) {
                    Some(asked) if Some(asked) != actor.school_id.as_deref() => {
                        return Err(invalid(
                            "school_id",
                            "You can invite designated teachers of your own school only: ask the Virtual School to invite someone at another school",
                        ));
                    }
                    _ => actor.school_id.clone(),
                }
            }
            _ => return Err(AppError::Forbidden),
        };
        if role == Role::DesignatedTeacher && school_id.is_none() {
            return Err(invalid(
                "school_id",
                "Choose the designated teacher's school",
            ));
        }
        let (db, auth) = context()?;
        let existing: i64 = {
            sql("SELECT COUNT(*) FROM users WHERE lower(email) = $1")
                .bind(&email)
                .fetch_value(&db)
                .await?
        };
        if existing > 0 {
            return Err(invalid("email", "This person already has an account"));
        }
        let code = new_token().map_err(|e| internal("invitation code", e))?;
        let id = uuid::Uuid::now_v7().to_string();
        let now = Utc::now();
        let expires = now + Duration::days(INVITATION_DAYS);
        {
            let mut tx = db.begin_write().await?;
            if let Some(school) = &school_id {
                let known: i64 =
                    sql("SELECT COUNT(*) FROM schools WHERE id = $1 AND council_id = $2")
                        .bind(school)
                        .bind(&actor.council_id)
                        .fetch_value(&mut tx)
                        .await?;
                if known == 0 {
                    return Err(invalid("school_id", "Choose a school from the list"));
                }
            }
            sql(
                "INSERT INTO invitations (id, council_id, email, role, school_id, code_hash, invited_by, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&id)
            .bind(&actor.council_id)
            .bind(&email)
            .bind(role.as_str())
            .bind(&school_id)
            .bind(token_hash(&code))
            .bind(&actor.id)
            .bind(now)
            .bind(expires)
            .execute(&mut tx)
            .await?;
            audit::append(&mut tx, &AuditEvent {
                occurred_at: now,
                actor_id: Some(&actor.id),
                action: AuditAction::InvitationCreated,
                entity: "invitation",
                entity_id: Some(&id),
                child_id: None,
                pep_id: None,
                detail: serde_json::json!({ "email": email, "role": role.as_str(), "school_id": school_id }),
                request_id: None,
            }).await?;
            tx.commit().await?;
        };
        let link = format!(
            "{}/register?code={code}",
            auth.public_url.trim_end_matches('/')
        );
        let body = format!(
            "{inviter} has invited you to ePEP, where Personal Education Plans for children in care \
             are written together, as {article} {role}.\n\n\
             Register here (the link works once, until {until}):\n{link}\n\n\
             If you were not expecting this, you can ignore this email.\n",
            inviter = actor.display_name,
            article = if role.label().starts_with(['a', 'e', 'i', 'o', 'u', 'V']) {
                "an"
            } else {
                "a"
            },
            role = role.label(),
            until = expires.format("%-d %B %Y"),
        );
        auth.mailer
            .send(&Email {
                to: email,
                subject: "You are invited to ePEP".into(),
                body,
            })
            .await
            .map_err(|e| internal("sending the invitation", e))?;
        Ok(())
    }

    #[derive(sqlx::FromRow)]
    struct Invitation {
        id: String,
        council_id: String,
        email: String,
        role: Role,
        school_id: Option<String>,
        expires_at: DateTime<Utc>,
        used_at: Option<DateTime<Utc>>,
    }

    pub async fn register(
        code: String,
        display_name: String,
        password: String,
    ) -> Result<SignInOutcome, AppError> {
        let (db, _) = context()?;
        let invitation: Option<Invitation> = {
            sql(
                "SELECT id, council_id, email, role, school_id, expires_at, used_at FROM invitations WHERE code_hash = $1",
            )
            .bind(token_hash(code.trim()))
            .fetch_optional(&db)
            .await?
        };
        let now = Utc::now();
        let invitation = match invitation {
            None => {
                return Err(invalid(
                    "code",
                    "This invitation code is not right. Use the link in your email, or ask for a new invitation.",
                ));
            }
            Some(i) if i.used_at.is_some() => {
                return Err(invalid(
                    "code",
                    "This invitation has already been used. Sign in, or ask for a new invitation.",
                ));
            }
            Some(i) if i.expires_at <= now => {
                return Err(invalid(
                    "code",
                    format!(
                        "This invitation expired on {}. Ask the person who invited you for a new one.",
                        i.expires_at.format("%-d %B %Y")
                    ),
                ));
            }
            Some(i) => i,
        };
        let display_name = display_name.trim().to_string();
        let mut problems = Vec::new();
        if display_name.is_empty() {
            problems.push(("display_name".to_string(), "Enter your name".to_string()));
        } else if display_name.chars().count() > 100 {
            problems.push((
                "display_name".to_string(),
                "Name must be 100 characters or fewer".to_string(),
            ));
        }
        let mut password_problems =
            check_new_password(&password, &[&invitation.email, &display_name]);
        if password_problems.is_empty() && is_common(&password) {
            password_problems.push(
                "This password is too common. Choose another: three or four random words work well"
                    .to_string(),
            );
        }
        problems.extend(
            password_problems
                .into_iter()
                .map(|p| ("password".to_string(), p)),
        );
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let role = invitation.role;
        let hash = tokio::task::spawn_blocking(move || hash_passwords(&[password.as_str()]).pop())
            .await
            .ok()
            .flatten()
            .ok_or_else(|| internal("hashing", "no hash"))?;
        let user_id = uuid::Uuid::now_v7().to_string();
        {
            let mut tx = db.begin_write().await?;
            let claimed = sql("UPDATE invitations SET used_at = $1, used_by = NULL WHERE id = $2 AND used_at IS NULL")
                .bind(now)
                .bind(&invitation.id)
                .execute(&mut tx)
                .await?
                .rows_affected();
            if claimed != 1 {
                return Err(invalid(
                    "code",
                    "This invitation has already been used. Sign in, or ask for a new invitation.",
                ));
            }
            sql(
                "INSERT INTO users (id, council_id, email, display_name, role, school_id, status, password_hash, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $8)",
            )
            .bind(&user_id)
            .bind(&invitation.council_id)
            .bind(&invitation.email)
            .bind(&display_name)
            .bind(role.as_str())
            .bind(&invitation.school_id)
            .bind(&hash)
            .bind(now)
            .execute(&mut tx)
            .await?;
            sql("UPDATE invitations SET used_by = $1 WHERE id = $2")
                .bind(&user_id)
                .bind(&invitation.id)
                .execute(&mut tx)
                .await?;
            audit::append(&mut tx, &AuditEvent {
                occurred_at: now,
                actor_id: Some(&user_id),
                action: AuditAction::UserRegistered,
                entity: "user",
                entity_id: Some(&user_id),
                child_id: None,
                pep_id: None,
                detail: serde_json::json!({ "invitation_id": invitation.id, "role": role.as_str() }),
                request_id: None,
            }).await?;
            tx.commit().await?;
        };
        let detail = serde_json::json!({ "via": "registration" });
        start_signed_in_session(&db, &user_id, AuditAction::AuthSignInSucceeded, detail).await
    }
}
