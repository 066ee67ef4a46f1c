//! The identity server functions: sign in, sign out, and who is signed in. Each is a public
//! endpoint under /api/auth/ and checks everything itself.

use leptos::prelude::*;

use super::CurrentUser;
use crate::error::AppError;

/// Who signed in, and where to go next: the second factor (to pass or to set up), or home.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignInOutcome {
    pub user: CurrentUser,
    pub next: String,
}

/// Signs in with email and password. Sets the session cookie (a new session every time) and
/// redirects to the next step.
#[server(prefix = "/api", endpoint = "auth/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<SignInOutcome, AppError> {
    server::sign_in(email, password)
        .await
        .inspect_err(server::set_status)
}

/// Ends this session on the server and clears the cookie.
#[server(prefix = "/api", endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    server::sign_out().await.inspect_err(server::set_status)
}

/// The signed-in person, or `None`.
#[server(prefix = "/api", endpoint = "auth/who_am_i")]
pub async fn who_am_i() -> Result<Option<CurrentUser>, AppError> {
    server::current_user().await.inspect_err(server::set_status)
}

/// One of the signed-in person's own sessions, for "where you are signed in".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionSummary {
    /// A short reference to the session (not its token), for ending it.
    pub reference: String,
    pub started: String,
    pub last_seen: String,
    pub device: String,
    pub this_device: bool,
}

/// The signed-in person's own sessions, newest first (401 when signed out).
#[server(prefix = "/api", endpoint = "auth/my_sessions")]
pub async fn my_sessions() -> Result<Vec<SessionSummary>, AppError> {
    server::my_sessions().await.inspect_err(server::set_status)
}

/// Ends one of the signed-in person's own sessions (for example a lost phone's).
#[server(prefix = "/api", endpoint = "auth/end_my_session")]
pub async fn end_my_session(reference: String) -> Result<(), AppError> {
    server::end_my_session(reference)
        .await
        .inspect_err(server::set_status)
}

#[cfg(feature = "ssr")]
pub mod server {
    use std::net::SocketAddr;

    use axum::extract::ConnectInfo;
    use axum::http::{HeaderValue, StatusCode, header, request::Parts};
    use chrono::Utc;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    use super::super::device::describe_device;
    use super::super::sessions::{self, CookiePolicy};
    use super::super::throttle::{self, Counted, NOTICE_AFTER_FAILURES};
    use super::super::{CurrentUser, SignInForm, check_sign_in_form};
    use crate::domain::audit::AuditAction;
    use crate::domain::uk_time::uk_date_time_words;
    use crate::error::{AppError, internal};
    use crate::infra::audit;
    use crate::infra::audit::AuditEvent;
    use crate::infra::db::Db;
    use crate::infra::passwords::verify_password;
    use crate::infra::sql::sql;

    /// Everything the identity functions need from the server, provided as context.
    #[derive(Clone, Debug)]
    pub struct AuthContext {
        pub cookies: CookiePolicy,
        /// How long a session lasts without activity (at most `sessions::IDLE_TIMEOUT`).
        pub session_idle: chrono::Duration,
        /// The address people use, for links in emails.
        pub public_url: String,
        pub mailer: crate::infra::mail::Mailer,
    }

    pub(in crate::features::auth) fn services() -> Result<(Db, AuthContext, Parts), AppError> {
        match (
            use_context::<Db>(),
            use_context::<AuthContext>(),
            use_context::<Parts>(),
        ) {
            (Some(db), Some(auth), Some(parts)) => Ok((db, auth, parts)),
            _ => Err(internal(
                "server functions",
                "database or auth context missing",
            )),
        }
    }

    /// Sets the HTTP status (and `Retry-After`) for an error, so clients and tools see a 4xx.
    /// Only for requests to the server function itself: when a page calls one while rendering on
    /// the server, the page's own status stays (a signed-out visitor still gets the start page).
    pub fn set_status(error: &AppError) {
        let is_api_request =
            use_context::<Parts>().is_some_and(|parts| parts.uri.path().starts_with("/api/"));
        if !is_api_request {
            return;
        }
        if let Some(response) = use_context::<ResponseOptions>() {
            response.set_status(
                StatusCode::from_u16(error.status_code())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            );
            if let AppError::TooManyAttempts { retry_after_secs } = error {
                response.insert_header(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
        }
    }

    fn send_cookie(set_cookie: &str) {
        if let (Some(response), Ok(value)) = (
            use_context::<ResponseOptions>(),
            HeaderValue::from_str(set_cookie),
        ) {
            response.append_header(header::SET_COOKIE, value);
        }
    }

    pub(in crate::features::auth) fn session_token(
        parts: &Parts,
        cookies: CookiePolicy,
    ) -> Option<String> {
        let header = parts.headers.get(header::COOKIE)?.to_str().ok()?;
        cookies.token_from_header(header)
    }

    pub(in crate::features::auth) fn client_ip(parts: &Parts) -> Option<String> {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip().to_string())
    }

    pub(in crate::features::auth) fn request_id(parts: &Parts) -> Option<String> {
        parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// The signed-in person for this request, if any.
    pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
        let (db, auth, parts) = services()?;
        match session_token(&parts, auth.cookies) {
            Some(token) => Ok(sessions::resolve(&db, &token, auth.session_idle).await?),
            None => Ok(None),
        }
    }

    /// The signed-in person, or 401.
    pub async fn require_user() -> Result<CurrentUser, AppError> {
        current_user().await?.ok_or(AppError::SignedOut)
    }

    #[derive(sqlx::FromRow)]
    struct Account {
        id: String,
        password_hash: Option<String>,
    }

    /// Appends an audit event about a person's own account, in its own transaction (these events
    /// accompany no other write).
    pub(in crate::features::auth) async fn record_auth_event(
        db: &Db,
        user_id: Option<&str>,
        action: AuditAction,
        detail: serde_json::Value,
        request_id: Option<&str>,
    ) -> Result<(), AppError> {
        {
            let mut tx = db.begin_write().await?;
            audit::append(
                &mut tx,
                &AuditEvent {
                    occurred_at: Utc::now(),
                    actor_id: user_id,
                    action,
                    entity: "user",
                    entity_id: user_id,
                    child_id: None,
                    pep_id: None,
                    detail,
                    request_id,
                },
            )
            .await?;
            tx.commit().await?;
        };
        Ok(())
    }

    pub async fn sign_in(
        email: String,
        password: String,
    ) -> Result<super::SignInOutcome, AppError> {
        let form = SignInForm { email, password };
        let problems = check_sign_in_form(&form);
        if !problems.is_empty() {
            return Err(AppError::Invalid(
                problems
                    .into_iter()
                    .map(|p| (p.field_id.to_string(), p.message))
                    .collect(),
            ));
        }
        let (db, auth, parts) = services()?;
        let email = form.email.trim().to_lowercase();
        let ip = client_ip(&parts);
        let address = ip.clone().unwrap_or_else(|| "unknown".to_string());
        let this_pair = Counted::AccountFromAddress {
            email: email.clone(),
            address: address.clone(),
        };
        let this_address = Counted::Address(address);
        let now = Utc::now();
        // Before any password work: a wait asked for by this account from this address, or by
        // this address. Nobody else's guesses from elsewhere delay this person.
        if let Some(retry_after_secs) =
            throttle::wait_needed(&db, &[this_pair.clone(), this_address.clone()], now).await?
        {
            return Err(AppError::TooManyAttempts { retry_after_secs });
        }

        let account: Option<Account> = {
            sql("SELECT id, password_hash FROM users \
                 WHERE lower(email) = $1 AND status = 'active'")
            .bind(&email)
            .fetch_optional(&db)
            .await?
        };
        let hash = account.as_ref().and_then(|a| a.password_hash.clone());
        let request_id = request_id(&parts);
        if !verify_password(form.password, hash).await {
            let user_id = account.as_ref().map(|a| a.id.as_str());
            let detail = serde_json::json!({ "email": email });
            record_auth_event(
                &db,
                user_id,
                AuditAction::AuthSignInFailed,
                detail,
                request_id.as_deref(),
            )
            .await?;
            throttle::record_failure(&db, &this_pair, now).await?;
            throttle::record_failure(&db, &this_address, now).await?;
            if let Some(account) = &account {
                let anywhere = Counted::Account(email.clone());
                throttle::record_failure(&db, &anywhere, now).await?;
                if throttle::should_notify(&db, &anywhere, NOTICE_AFTER_FAILURES, now).await? {
                    notify_of_failures(&db, &auth, &account.id, &email).await;
                }
            }
            return Err(AppError::WrongCredentials);
        }
        let account = account.ok_or(AppError::WrongCredentials)?;
        throttle::clear(&db, &this_pair).await?;

        let detail = serde_json::json!({ "ip": ip });
        start_signed_in_session(&db, &account.id, AuditAction::AuthSignInSucceeded, detail).await
    }

    /// Emails the person that someone keeps failing to sign in to their account: it is not
    /// locked, and what to do if it was not them. A mail failure is logged, never shown.
    async fn notify_of_failures(db: &Db, auth: &AuthContext, user_id: &str, email: &str) {
        let name: Option<String> = {
            sql("SELECT display_name FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional_value(db)
                .await
                .ok()
                .flatten()
        };
        let body = format!(
            "Hello {},\n\nSomeone has entered a wrong password for your ePEP account \
             {NOTICE_AFTER_FAILURES} times in the last 15 minutes. Your account is not locked: you \
             can still sign in as usual.\n\nIf this was you and you have forgotten your password, \
             choose a new one from \"Forgotten your password?\" on the sign-in page:\n{}/sign-in\n\n\
             If it was not you, nothing is needed: every further attempt from the same place waits \
             longer. If you are worried, tell your Virtual School.\n",
            name.as_deref().unwrap_or("there"),
            auth.public_url.trim_end_matches('/'),
        );
        let sent = auth
            .mailer
            .send(&crate::infra::mail::Email {
                to: email.to_string(),
                subject: "Someone is trying to sign in to your ePEP account".into(),
                body,
            })
            .await;
        if let Err(error) = sent {
            tracing::warn!(%error, "could not send the failed sign-in notice");
        }
    }

    /// Starts a new session for a person who just proved who they are (password, or a fresh
    /// registration): ends this browser's previous session, sets the cookie, and says where to go
    /// next (the second factor, to pass or to set up, or home).
    ///
    /// `action` and `detail` are the audit event that says why, written with the session row.
    pub async fn start_signed_in_session(
        db: &Db,
        user_id: &str,
        action: AuditAction,
        detail: serde_json::Value,
    ) -> Result<super::SignInOutcome, AppError> {
        let (_, auth, parts) = services()?;
        let ip = client_ip(&parts);
        if let Some(old) = session_token(&parts, auth.cookies) {
            sessions::end(db, &old).await?;
        }
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok());
        let request_id = request_id(&parts);
        let event = AuditEvent {
            occurred_at: Utc::now(),
            actor_id: Some(user_id),
            action,
            entity: "user",
            entity_id: Some(user_id),
            child_id: None,
            pep_id: None,
            detail,
            request_id: request_id.as_deref(),
        };
        let token = sessions::start(db, user_id, user_agent, ip.as_deref(), &event).await?;
        send_cookie(&auth.cookies.set_cookie(&token));
        let user = sessions::resolve(db, &token, auth.session_idle)
            .await?
            .ok_or_else(|| internal("sign-in", "the new session was not found"))?;
        let next = match (user.second_factor_pending, user.second_factor_set_up) {
            (true, true) => "/second-factor",
            (true, false) => "/second-factor/setup",
            (false, _) => "/",
        };
        leptos_axum::redirect(next);
        Ok(super::SignInOutcome {
            user,
            next: next.to_string(),
        })
    }

    #[derive(sqlx::FromRow)]
    struct SessionRow {
        token_hash: String,
        created_at: chrono::DateTime<Utc>,
        last_seen_at: chrono::DateTime<Utc>,
        user_agent: Option<String>,
    }

    pub async fn my_sessions() -> Result<Vec<super::SessionSummary>, AppError> {
        let user = require_user().await?;
        let (db, auth, parts) = services()?;
        let this_hash = session_token(&parts, auth.cookies).map(|t| sessions::token_hash(&t));
        let rows: Vec<SessionRow> = {
            sql(
                "SELECT token_hash, created_at, last_seen_at, user_agent FROM sessions \
                 WHERE user_id = $1 ORDER BY created_at DESC",
            )
            .bind(&user.id)
            .fetch_all(&db)
            .await?
        };
        Ok(rows
            .into_iter()
            .map(|row| super::SessionSummary {
                reference: row.token_hash[..16].to_string(),
                started: uk_date_time_words(row.created_at),
                last_seen: uk_date_time_words(row.last_seen_at),
                device: describe_device(row.user_agent.as_deref()),
                this_device: this_hash.as_deref() == Some(row.token_hash.as_str()),
            })
            .collect())
    }

    pub async fn end_my_session(reference: String) -> Result<(), AppError> {
        let user = require_user().await?;
        let (db, _, parts) = services()?;
        if reference.len() != 16 || !reference.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(AppError::Invalid(vec![(
                "reference".into(),
                "Choose a session from the list".into(),
            )]));
        }
        // Only the person's own sessions match: someone else's reference ends nothing.
        let ended = {
            sql("DELETE FROM sessions WHERE user_id = $1 AND substr(token_hash, 1, 16) = $2")
                .bind(&user.id)
                .bind(&reference)
                .execute(&db)
                .await?
                .rows_affected()
        };
        if ended == 0 {
            return Err(AppError::Forbidden);
        }
        crate::infra::live_signal::recheck();
        let request_id = request_id(&parts);
        record_auth_event(
            &db,
            Some(&user.id),
            AuditAction::AuthSessionEnded,
            serde_json::json!({ "reference": reference }),
            request_id.as_deref(),
        )
        .await?;
        Ok(())
    }

    pub async fn sign_out() -> Result<(), AppError> {
        let (db, auth, parts) = services()?;
        if let Some(token) = session_token(&parts, auth.cookies) {
            let user = sessions::resolve(&db, &token, auth.session_idle).await?;
            sessions::end(&db, &token).await?;
            crate::infra::live_signal::recheck();
            if let Some(user) = user {
                let request_id = request_id(&parts);
                let detail = serde_json::json!({});
                record_auth_event(
                    &db,
                    Some(&user.id),
                    AuditAction::AuthSignedOut,
                    detail,
                    request_id.as_deref(),
                )
                .await?;
            }
        }
        send_cookie(&auth.cookies.clear_cookie());
        leptos_axum::redirect("/");
        Ok(())
    }
}
