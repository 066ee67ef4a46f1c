//! The idle time-out warning (WCAG 2.2.1): before a session ends for lack of activity, a dialog
//! offers to stay signed in; nothing on the page is touched, so what the person typed stays. If
//! the session ends anyway, the page says so and offers sign-in in a new tab, keeping the page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// How long this session has left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTimes {
    /// Until it ends for lack of activity.
    pub idle_seconds_left: i64,
    /// Until it ends whatever happens (12 hours after signing in).
    pub absolute_seconds_left: i64,
    /// The council's idle limit, for the words of the warning.
    pub idle_minutes: i64,
}

/// How long this session has left, or `None` when there is none. Asking is not activity.
#[server(prefix = "/api", endpoint = "auth/session_status")]
pub async fn session_status() -> Result<Option<SessionTimes>, AppError> {
    server::session_status()
        .await
        .inspect_err(super::api::server::set_status)
}

/// "Stay signed in": counts as activity, so the idle time starts again (401 once it has ended).
#[server(prefix = "/api", endpoint = "auth/stay_signed_in")]
pub async fn stay_signed_in() -> Result<SessionTimes, AppError> {
    server::stay_signed_in()
        .await
        .inspect_err(super::api::server::set_status)
}

#[cfg(feature = "ssr")]
mod server {
    use chrono::{DateTime, Duration, Utc};

    use super::SessionTimes;
    use crate::error::AppError;
    use crate::features::auth::api::server::{services, session_token};
    use crate::features::auth::sessions;
    use crate::features::auth::sessions::token_hash;
    use crate::infra::db::Db;
    use crate::infra::sql::sql;

    pub async fn session_status() -> Result<Option<SessionTimes>, AppError> {
        let (db, auth, parts) = services()?;
        match session_token(&parts, auth.cookies) {
            Some(token) => Ok(time_left(&db, &token, auth.session_idle).await?),
            None => Ok(None),
        }
    }

    pub async fn stay_signed_in() -> Result<SessionTimes, AppError> {
        let (db, auth, parts) = services()?;
        let token = session_token(&parts, auth.cookies).ok_or(AppError::SignedOut)?;
        if !sessions::touch(&db, &token, auth.session_idle).await? {
            return Err(AppError::SignedOut);
        }
        time_left(&db, &token, auth.session_idle)
            .await?
            .ok_or(AppError::SignedOut)
    }

    /// How long a live session has left, without counting this question as activity (the
    /// time-out warning asks it; asking must not keep the session alive). `None` when it has ended.
    pub async fn time_left(
        db: &Db,
        token: &str,
        idle: Duration,
    ) -> Result<Option<SessionTimes>, sqlx::Error> {
        let now = Utc::now();
        let row: Option<(DateTime<Utc>, DateTime<Utc>)> = {
            sql(
                "SELECT s.last_seen_at, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 \
                 AND u.status = 'active'",
            )
            .bind(token_hash(token))
            .bind(now)
            .bind(now - idle)
            .fetch_optional(db)
            .await?
        };
        Ok(row.map(|(last_seen_at, expires_at)| SessionTimes {
            idle_seconds_left: (last_seen_at + idle - now).num_seconds(),
            absolute_seconds_left: (expires_at - now).num_seconds(),
            idle_minutes: idle.num_minutes(),
        }))
    }
}

/// When to warn: five minutes before the end, or half the idle time when that is shorter.
pub fn warning_lead_seconds(idle_minutes: i64) -> i64 {
    (idle_minutes * 60 / 2).min(5 * 60)
}

/// "in 5 minutes", "in 1 minute", "in less than a minute".
pub fn time_left_in_words(seconds: i64) -> String {
    match (seconds + 59) / 60 {
        ..=0 => "now".to_string(),
        1 if seconds < 60 => "in less than a minute".to_string(),
        1 => "in 1 minute".to_string(),
        minutes => format!("in {minutes} minutes"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Warning {
    Hidden,
    /// The session ends soon; `can_stay` is false when it is the 12-hour limit that is near.
    EndingSoon {
        words: String,
        idle_minutes: i64,
        can_stay: bool,
    },
    SignedOut,
}

/// The warning, in the page frame of every page. Runs only in the browser: on the server it renders
/// nothing, and a signed-out visitor never sees it.
#[component]
pub fn SessionTimeoutWarning() -> impl IntoView {
    let warning = RwSignal::new(Warning::Hidden);
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let stay_button = NodeRef::<leptos::html::Button>::new();

    Effect::new(move |_| check(warning, timer));
    Effect::new(move |_| {
        if matches!(warning.get(), Warning::EndingSoon { .. })
            && let Some(button) = stay_button.get()
        {
            // Mark where the person was working, so "Stay signed in" puts them back there. (A
            // marker in the page, not a stored element: stored DOM handles cannot live on the
            // server, where this component also runs.)
            if let Some(element) = document().active_element() {
                let _ = element.set_attribute(RETURN_FOCUS, "");
            }
            let _ = button.focus();
        }
    });
    let stay = move |_| {
        leptos::task::spawn_local(async move {
            match stay_signed_in().await {
                Ok(times) => {
                    schedule(warning, timer, times);
                    return_focus();
                }
                Err(_) => warning.set(Warning::SignedOut),
            }
        });
    };

    move || {
        match warning.get() {
        Warning::Hidden => None,
        Warning::EndingSoon {
            words,
            idle_minutes,
            can_stay,
        } => Some(
            view! {
                <div
                    class="timeout-warning"
                    role="alertdialog"
                    aria-labelledby="timeout-title"
                    aria-describedby="timeout-text"
                >
                    <div class="width-container">
                        <h2 class="heading-m" id="timeout-title">
                            {format!("You will be signed out {words}")}
                        </h2>
                        <p class="body" id="timeout-text">
                            {if can_stay {
                                format!(
                                    "To keep children's records safe, you are signed out after {idle_minutes} minutes without activity. What you have typed on this page stays here."
                                )
                            } else {
                                "You signed in 12 hours ago, the longest a sign-in lasts. What you have typed on this page stays here: sign in again in a new tab before you save it."
                                    .to_string()
                            }}
                        </p>
                        {can_stay
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        class="button"
                                        node_ref=stay_button
                                        on:click=stay
                                    >
                                        "Stay signed in"
                                    </button>
                                }
                            })}
                    </div>
                </div>
            }
            .into_any(),
        ),
        Warning::SignedOut => Some(
            view! {
                <div class="timeout-warning" role="alert" aria-labelledby="timeout-title">
                    <div class="width-container">
                        <h2 class="heading-m" id="timeout-title">"You have been signed out"</h2>
                        <p class="body">
                            "What you typed on this page is still here. "
                            <a href="/sign-in" target="_blank" rel="noopener">
                                "Sign in again in a new tab"
                            </a> ", then come back to this page to carry on."
                        </p>
                    </div>
                </div>
            }
            .into_any(),
        ),
    }
    }
}

const RETURN_FOCUS: &str = "data-timeout-return-focus";

/// Focus back on the element marked when the warning appeared.
fn return_focus() {
    use leptos::wasm_bindgen::JsCast;
    if let Ok(Some(element)) = document().query_selector(&format!("[{RETURN_FOCUS}]")) {
        let _ = element.remove_attribute(RETURN_FOCUS);
        if let Ok(element) = element.dyn_into::<leptos::web_sys::HtmlElement>() {
            let _ = element.focus();
        }
    }
}

/// Asks the server how long is left and shows or schedules the warning from the answer.
fn check(warning: RwSignal<Warning>, timer: StoredValue<Option<TimeoutHandle>>) {
    leptos::task::spawn_local(async move {
        match session_status().await {
            Ok(Some(times)) => schedule(warning, timer, times),
            Ok(None) => {
                // Gone while the warning was up: say so. A visitor who never signed in sees
                // nothing.
                if warning.get_untracked() != Warning::Hidden {
                    warning.set(Warning::SignedOut);
                }
            }
            // Offline or the server restarting: ask again in a minute.
            Err(_) => wait_then_check(warning, timer, 60),
        }
    });
}

fn schedule(
    warning: RwSignal<Warning>,
    timer: StoredValue<Option<TimeoutHandle>>,
    times: SessionTimes,
) {
    let lead = warning_lead_seconds(times.idle_minutes);
    let left = times.idle_seconds_left.min(times.absolute_seconds_left);
    if left > lead {
        warning.set(Warning::Hidden);
        // Other tabs or this page's own saving may have kept the session alive meanwhile, so
        // ask again rather than trusting this answer at warning time.
        wait_then_check(warning, timer, left - lead);
    } else {
        warning.set(Warning::EndingSoon {
            words: time_left_in_words(left),
            idle_minutes: times.idle_minutes,
            can_stay: times.idle_seconds_left <= times.absolute_seconds_left,
        });
        // Just after the end: the server says whether the session is gone.
        wait_then_check(warning, timer, left.max(0) + 1);
    }
}

fn wait_then_check(
    warning: RwSignal<Warning>,
    timer: StoredValue<Option<TimeoutHandle>>,
    seconds: i64,
) {
    if let Some(previous) = timer.get_value() {
        previous.clear();
    }
    let delay = std::time::Duration::from_secs(seconds.max(1) as u64);
    let handle = set_timeout_with_handle(move || check(warning, timer), delay).ok();
    timer.set_value(handle);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warning_comes_five_minutes_early_or_at_half_time() {
        assert_eq!(warning_lead_seconds(30), 300);
        assert_eq!(warning_lead_seconds(10), 300);
        assert_eq!(warning_lead_seconds(1), 30);
    }

    #[test]
    fn time_left_is_said_in_whole_minutes() {
        assert_eq!(time_left_in_words(300), "in 5 minutes");
        assert_eq!(time_left_in_words(299), "in 5 minutes");
        assert_eq!(time_left_in_words(61), "in 2 minutes");
        assert_eq!(time_left_in_words(60), "in 1 minute");
        assert_eq!(time_left_in_words(30), "in less than a minute");
        assert_eq!(time_left_in_words(0), "now");
    }
}
