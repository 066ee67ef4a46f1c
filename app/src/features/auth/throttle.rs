//! Throttling that slows guessing without handing anyone a lock.
//!
//! Failures are counted in the database (`throttle_counters`), so a restart does not clear them and
//! several servers share them. Nothing is ever locked: after a number of free failures each further
//! attempt waits a little longer (1 s, 2 s, 4 s … up to a cap), and a success clears its count.
//! What is counted decides who waits:
//! - **account and address together**: guessing one person's password from one place slows only
//!   that place, so the person signing in from their own phone or school is not kept out by
//!   someone else's guesses elsewhere;
//! - **address**: many accounts tried from one address (generous: a school signs in through one);
//! - **account, from anywhere**: never delays anyone; at [`NOTICE_AFTER_FAILURES`] the person is
//!   emailed that someone is trying, once per window;
//! - **second factor**: per person and session, and (more generously) per person, cleared by a
//!   pass, so a fresh session with the right code waits at most the cap, never for ever.

use std::time::Duration;

/// Failures older than this are forgotten.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// At this many failed sign-ins on one account within the window, its holder is emailed.
pub const NOTICE_AFTER_FAILURES: i64 = 10;

/// How many failures are free before attempts wait, and the longest wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DelayRule {
    pub free_failures: i64,
    pub longest_wait_secs: u64,
}

impl DelayRule {
    /// Seconds to wait after the last failure, with `failures` in the window: none for the free
    /// ones, then doubling from one second up to the cap.
    pub fn wait_after(self, failures: i64) -> u64 {
        if failures < self.free_failures {
            return 0;
        }
        let doublings = u32::try_from(failures - self.free_failures).unwrap_or(u32::MAX);
        2u64.checked_pow(doublings)
            .unwrap_or(u64::MAX)
            .min(self.longest_wait_secs)
    }
}

/// What is counted, with its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Counted {
    /// Wrong passwords for one account from one address.
    AccountFromAddress { email: String, address: String },
    /// Wrong passwords for any account from one address.
    Address(String),
    /// Wrong passwords for one account from anywhere (only for the notice).
    Account(String),
    /// Wrong second-factor codes by one person in one session.
    SecondFactorInSession { user_id: String, session: String },
    /// Wrong second-factor codes by one person in any session.
    SecondFactor(String),
    /// Password reset emails asked for one address.
    ResetEmail(String),
    /// Password reset emails asked for from one client address.
    ResetFromAddress(String),
}

impl Counted {
    pub fn rule(&self) -> DelayRule {
        let rule = |free_failures, longest_wait_secs| DelayRule {
            free_failures,
            longest_wait_secs,
        };
        match self {
            Counted::AccountFromAddress { .. } => rule(5, 15 * 60),
            Counted::Address(_) => rule(100, 5 * 60),
            Counted::Account(_) => rule(i64::MAX, 0),
            Counted::SecondFactorInSession { .. } => rule(5, 15 * 60),
            Counted::SecondFactor(_) => rule(20, 5 * 60),
            Counted::ResetEmail(_) => rule(3, 15 * 60),
            Counted::ResetFromAddress(_) => rule(100, 5 * 60),
        }
    }

    /// What the database row is called: a digest, so no email or address is stored here.
    #[cfg(feature = "ssr")]
    fn key(&self) -> String {
        let plain = match self {
            Counted::AccountFromAddress { email, address } => format!("pair:{email}\n{address}"),
            Counted::Address(address) => format!("address:{address}"),
            Counted::Account(email) => format!("account:{email}"),
            Counted::SecondFactorInSession { user_id, session } => {
                format!("second-factor-session:{user_id}\n{session}")
            }
            Counted::SecondFactor(user_id) => format!("second-factor:{user_id}"),
            Counted::ResetEmail(email) => format!("reset:{email}"),
            Counted::ResetFromAddress(address) => format!("reset-address:{address}"),
        };
        super::sessions::token_hash(&plain)
    }
}

#[cfg(feature = "ssr")]
pub use store::{clear, record_failure, should_notify, wait_needed};

#[cfg(feature = "ssr")]
mod store {
    use chrono::{DateTime, Utc};

    use super::{Counted, WINDOW};
    use crate::error::AppError;
    use crate::infra::db::Db;
    use crate::infra::sql::sql;

    fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
        now - chrono::Duration::from_std(WINDOW).unwrap_or_else(|_| chrono::Duration::minutes(15))
    }

    /// The longest wait any of `counted` asks for now, in seconds (`None`: go ahead).
    pub async fn wait_needed(
        db: &Db,
        counted: &[Counted],
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, AppError> {
        let mut longest = 0u64;
        for item in counted {
            let row: Option<(i64, DateTime<Utc>)> = {
                sql("SELECT failures, last_failure_at FROM throttle_counters \
                     WHERE key = $1 AND window_started_at >= $2")
                .bind(item.key())
                .bind(window_start(now))
                .fetch_optional(db)
                .await?
            };
            if let Some((failures, last_failure_at)) = row {
                let wait = item.rule().wait_after(failures);
                let waited = u64::try_from((now - last_failure_at).num_seconds()).unwrap_or(0);
                longest = longest.max(wait.saturating_sub(waited));
            }
        }
        Ok((longest > 0).then_some(longest))
    }

    /// Counts one failure (a window older than [`WINDOW`] starts again) and returns the count.
    pub async fn record_failure(
        db: &Db,
        counted: &Counted,
        now: DateTime<Utc>,
    ) -> Result<i64, AppError> {
        let failures: i64 = {
            let mut tx = db.begin_write().await?;
            // Old counts are pruned here: failures are rare, and nothing else reads old rows.
            sql("DELETE FROM throttle_counters WHERE last_failure_at < $1")
                .bind(window_start(now))
                .execute(&mut tx)
                .await?;
            let failures = sql(
                "INSERT INTO throttle_counters (key, failures, window_started_at, last_failure_at) \
                 VALUES ($1, 1, $2, $2) \
                 ON CONFLICT (key) DO UPDATE SET \
                   failures = CASE WHEN throttle_counters.window_started_at < $3 THEN 1 \
                                   ELSE throttle_counters.failures + 1 END, \
                   window_started_at = CASE WHEN throttle_counters.window_started_at < $3 THEN $2 \
                                            ELSE throttle_counters.window_started_at END, \
                   last_failure_at = $2 \
                 RETURNING failures",
            )
            .bind(counted.key())
            .bind(now)
            .bind(window_start(now))
            .fetch_value(&mut tx)
            .await?;
            tx.commit().await?;
            failures
        };
        Ok(failures)
    }

    /// Forgets the failures of `counted` (after a success).
    pub async fn clear(db: &Db, counted: &Counted) -> Result<(), AppError> {
        {
            sql("DELETE FROM throttle_counters WHERE key = $1")
                .bind(counted.key())
                .execute(db)
                .await?;
        };
        Ok(())
    }

    /// Whether the holder of `counted` (an account) is to be emailed now: true once per window,
    /// when its failures have reached `at_least`.
    pub async fn should_notify(
        db: &Db,
        counted: &Counted,
        at_least: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let claimed: Option<i64> = {
            sql("UPDATE throttle_counters SET noticed_at = $2 \
                 WHERE key = $1 AND failures >= $3 \
                   AND (noticed_at IS NULL OR noticed_at < window_started_at) \
                 RETURNING failures")
            .bind(counted.key())
            .bind(now)
            .bind(at_least)
            .fetch_optional_value(db)
            .await?
        };
        Ok(claimed.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_start_after_the_free_failures_and_double_up_to_the_cap() {
        let rule = DelayRule {
            free_failures: 5,
            longest_wait_secs: 900,
        };
        let waits: Vec<u64> = (0..17).map(|n| rule.wait_after(n)).collect();
        assert_eq!(
            waits,
            [
                0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900
            ]
        );
        assert_eq!(rule.wait_after(i64::MAX), 900, "never overflows");
    }

    #[test]
    fn the_account_from_anywhere_never_delays_anyone() {
        let rule = Counted::Account("a@b.org".into()).rule();
        assert_eq!(rule.wait_after(1_000_000), 0);
    }
}
