//! Server-side sessions. The cookie carries a random 256-bit token; the database stores only its
//! SHA-256, with the times that end it: 30 minutes idle (a council may set it shorter), 12 hours
//! after sign-in, sign-out, or the person being deactivated (checked on every request, so their old
//! cookie stops working at once).

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use super::CurrentUser;
use crate::domain::roles::Role;
use crate::infra::audit;
use crate::infra::audit::AuditEvent;
use crate::infra::db::Db;
use crate::infra::sql::sql;

/// The longest idle time allowed, and the default (`EPEP_SESSION_IDLE_MINUTES` may shorten it).
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// Refresh `last_seen_at` at most once a minute, not on every request (or a tenth of a short idle
/// limit, so activity still counts when a council sets one minute).
fn touch_after(idle: Duration) -> Duration {
    (idle / 10).min(Duration::minutes(1))
}

/// The cookie's name and attributes. Over https (production) the name carries the `__Host-`
/// prefix, which browsers accept only with `Secure`, `Path=/` and no `Domain`. Plain-http
/// development on localhost cannot set `Secure` cookies in every browser and HTTP client, so
/// there the cookie is `epep_session` without `Secure`; everything else is the same.
#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    pub fn name(self) -> &'static str {
        if self.secure {
            "__Host-epep_session"
        } else {
            "epep_session"
        }
    }

    /// `Set-Cookie` for a new session. No `Max-Age`: the server decides when it ends.
    pub fn set_cookie(self, token: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Strict{secure}",
            self.name()
        )
    }

    pub fn clear_cookie(self) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
            self.name()
        )
    }

    /// The session token in a `Cookie` header, if any.
    pub fn token_from_header(self, cookie_header: &str) -> Option<String> {
        cookie_header.split(';').find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == self.name() && !value.is_empty()).then(|| value.to_string())
        })
    }
}

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new random 256-bit token, base64url (sessions, invitation codes, reset links).
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Starts a new session (a new token every sign-in) and returns its token for the cookie. The
/// audit event that says why (a sign-in, a registration) is written in the same transaction.
pub async fn start(
    db: &Db,
    user_id: &str,
    user_agent: Option<&str>,
    ip: Option<&str>,
    audit: &AuditEvent<'_>,
) -> Result<String, sqlx::Error> {
    let token = new_token().map_err(|e| sqlx::Error::Protocol(format!("no randomness: {e}")))?;
    let now = Utc::now();
    {
        let mut tx = db.begin_write().await?;
        sql(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, \
             second_factor_done, user_agent, ip) VALUES ($1, $2, $3, $3, $4, $5, $6, $7)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now)
        .bind(now + ABSOLUTE_TIMEOUT)
        .bind(false)
        .bind(user_agent.map(|ua| ua.chars().take(200).collect::<String>()))
        .bind(ip)
        .execute(&mut tx)
        .await?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
    };
    Ok(token)
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: String,
    display_name: String,
    role: Role,
    council_id: String,
    school_id: Option<String>,
    second_factor_done: bool,
    second_factor_set_up: bool,
    last_seen_at: DateTime<Utc>,
}

/// The person behind a token, if the session is alive and the person active, counting this
/// request as activity. Ended sessions are deleted on sight.
pub async fn resolve(
    db: &Db,
    token: &str,
    idle: Duration,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    look_up(db, token, idle, true).await
}

/// As [`resolve`], without counting as activity: the live channel asks on every message (its
/// pings every 15 s kept a person idle with a PEP open signed in for ever, and no warning came).
pub async fn resolve_quietly(
    db: &Db,
    token: &str,
    idle: Duration,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    look_up(db, token, idle, false).await
}

async fn look_up(
    db: &Db,
    token: &str,
    idle: Duration,
    counts_as_activity: bool,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    let hash = token_hash(token);
    let now = Utc::now();
    let row: Option<SessionRow> = {
        sql(
            "SELECT s.user_id, u.display_name, u.role, u.council_id, u.school_id, \
             s.second_factor_done, u.totp_confirmed_at IS NOT NULL AS second_factor_set_up, \
             s.last_seen_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 \
             AND u.status = 'active'",
        )
        .bind(&hash)
        .bind(now)
        .bind(now - idle)
        .fetch_optional(db)
        .await?
    };
    let Some(row) = row else {
        end(db, token).await?;
        return Ok(None);
    };
    if counts_as_activity && now - row.last_seen_at > touch_after(idle) {
        {
            sql("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(db)
                .await?;
        };
    }
    let role = row.role;
    Ok(Some(CurrentUser {
        id: row.user_id,
        display_name: row.display_name,
        role,
        council_id: row.council_id,
        school_id: row.school_id,
        second_factor_set_up: row.second_factor_set_up,
        second_factor_pending: (role.is_professional() || row.second_factor_set_up)
            && !row.second_factor_done,
    }))
}

/// Counts now as activity ("Stay signed in"), if the session is still alive.
pub async fn touch(db: &Db, token: &str, idle: Duration) -> Result<bool, sqlx::Error> {
    let now = Utc::now();
    let touched = {
        sql(
            "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND expires_at > $1 \
             AND last_seen_at > $3",
        )
        .bind(now)
        .bind(token_hash(token))
        .bind(now - idle)
        .execute(db)
        .await?
        .rows_affected()
    };
    Ok(touched == 1)
}

/// Records that this session passed the second factor.
pub async fn mark_second_factor_done(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    {
        sql("UPDATE sessions SET second_factor_done = $1 WHERE token_hash = $2")
            .bind(true)
            .bind(token_hash(token))
            .execute(db)
            .await?;
    };
    Ok(())
}

/// Ends one session (sign-out).
pub async fn end(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    {
        sql("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(db)
            .await?;
    };
    Ok(())
}

/// Ends every session of a person (deactivation, password reset).
pub async fn end_all_for_user(db: &Db, user_id: &str) -> Result<(), sqlx::Error> {
    {
        sql("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(db)
            .await?;
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_strict_and_host_prefixed_when_secure() {
        let secure = CookiePolicy { secure: true };
        let cookie = secure.set_cookie("abc");
        assert_eq!(
            cookie,
            "__Host-epep_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        let plain = CookiePolicy { secure: false }.set_cookie("abc");
        assert_eq!(plain, "epep_session=abc; Path=/; HttpOnly; SameSite=Strict");
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let policy = CookiePolicy { secure: true };
        assert_eq!(
            policy
                .token_from_header("a=1; __Host-epep_session=tok; b=2")
                .as_deref(),
            Some("tok")
        );
        assert_eq!(
            policy.token_from_header("epep_session=tok"),
            None,
            "wrong name"
        );
        assert_eq!(policy.token_from_header("__Host-epep_session="), None);
    }

    #[test]
    fn tokens_are_long_random_and_stored_only_as_hashes() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "256 bits in unpadded base64url");
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
