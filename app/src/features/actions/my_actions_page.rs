//! `/my-actions`: the person's open actions, soonest first, each with its child, its target, how
//! often, its countdown, and "Mark as done".

use leptos::prelude::*;
use leptos_meta::Title;

use super::{MyAction, my_actions, set_action_status};
use crate::ui::countdown::{Countdown, PageCalendars};

#[component]
pub fn MyActionsPage() -> impl IntoView {
    let answer = Resource::new(|| (), |_| my_actions());
    view! {
        <Title text="My actions" />
        <h1 class="heading-xl">"My actions"</h1>
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match answer.await {
                    Ok(mine) if mine.actions.is_empty() => {
                        view! { <p class="body">"You have no open actions."</p> }.into_any()
                    }
                    Ok(mine) => {
                        let calendars = PageCalendars::new(mine.calendars);
                        let count = mine.actions.len();
                        view! {
                            <p class="body">
                                {format!("{count} open action{}, soonest first.", if count == 1 { "" } else { "s" })}
                            </p>
                            <ul class="list action-list">
                                {mine
                                    .actions
                                    .into_iter()
                                    .map(|action| view! { <ActionItem action calendars=calendars.clone() /> })
                                    .collect_view()}
                            </ul>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <p class="body">{error.why_not_shown("your actions")}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ActionItem(action: MyAction, calendars: PageCalendars) -> impl IntoView {
    let done = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let id = StoredValue::new(action.id.clone());
    let toggle = move |_| {
        let next = !done.get_untracked();
        leptos::task::spawn_local(async move {
            match set_action_status(id.get_value(), next).await {
                Ok(()) => {
                    done.set(next);
                    problem.set(None);
                }
                Err(error) => problem.set(Some(error.to_string())),
            }
        });
    };
    let description = action.description.clone();
    let due = action.due.clone();
    view! {
        <li class="action-list__item">
            <p class="action-list__what">
                <strong>{action.description}</strong>
                {(!action.frequency.is_empty()).then(|| format!(" ({})", action.frequency))}
            </p>
            <p class="hint">
                "For "
                <a href=format!("/peps/{}", action.pep_id)>{format!("{}'s PEP", action.child_name)}</a>
                {action.target.map(|t| format!(". Target: {t}"))}
            </p>
            {due.map(|data| view! { <Countdown data calendars=calendars.clone() /> })}
            <p class="body" aria-live="polite">{move || done.get().then_some("Done: it leaves this list when you next open it.")}</p>
            <button
                type="button"
                class="button button--secondary"
                on:click=toggle
                aria-label=move || {
                    if done.get() {
                        format!("Mark “{description}” as not done")
                    } else {
                        format!("Mark “{description}” as done")
                    }
                }
            >
                {move || if done.get() { "Mark as not done" } else { "Mark as done" }}
            </button>
            <p class="error-message" role="alert">{move || problem.get()}</p>
        </li>
    }
}
