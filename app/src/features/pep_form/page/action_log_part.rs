//! The PEP's action log: the actions not tied to a target, and adding one.

use super::form_problems::{FormProblems, ProblemAlert};
use super::fresh_form::FreshForm;
use crate::domain::ids::PepId;
use crate::ui::countdown::{Countdown, PageCalendars};
use leptos::prelude::*;

/// The PEP's action log: every action with its owner, how often, its countdown while open, and
/// its status in words; and, for whoever may add to it, a form to add one not tied to a target.
#[component]
pub(crate) fn ActionLog(
    pep_id: PepId,
    items: Vec<crate::features::pep_form::ActionLogItem>,
    adds: bool,
    owners: Vec<crate::features::pep_form::ActionOwner>,
    calendars: PageCalendars,
) -> impl IntoView {
    let items = RwSignal::new(items);
    FreshForm::each(
        |form| form.action_log.clone(),
        move |fresh| items.set(fresh),
    );
    let list = move || {
        items
            .get()
            .into_iter()
            .map(|item| {
                let status = match item.status.as_str() {
                    "open" => "Open",
                    "done" => "Done",
                    _ => "Cancelled",
                };
                let how_often =
                    (!item.frequency.is_empty()).then(|| format!(" · {}", item.frequency));
                let calendars = calendars.clone();
                view! {
                    <li class="action-list__item">
                        <p class="action-list__what">
                            <strong>{item.description}</strong>
                            " "
                            <strong class=format!("tag tag--{}", item.status)>{status}</strong>
                            {item.from_last_pep.then(|| view! { " " <strong class="tag tag--grey">"From the last PEP"</strong> })}
                        </p>
                        <p class="hint">{format!("Owner: {}", item.owner)}{how_often}</p>
                        {item.due.map(|data| view! { <Countdown data calendars /> })}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="pep-section" id="section-actions" aria-labelledby="section-actions-heading">
            <h2 class="heading-l" id="section-actions-heading">"Action log"</h2>
            {move || if items.with(Vec::is_empty) {
                view! { <p class="body">"No actions yet: they are added with each target, or here."</p> }.into_any()
            } else {
                view! { <ul class="list action-list">{list.clone()}</ul> }.into_any()
            }}
            {adds.then(|| view! { <AddAction pep_id owners items /> })}
        </section>
    }
}

/// Adds an action to the log: what, who (a role or a named person of the child's team), how
/// often, by when. A refused form keeps what was typed and says by field what to change.
#[component]
fn AddAction(
    pep_id: PepId,
    owners: Vec<crate::features::pep_form::ActionOwner>,
    items: RwSignal<Vec<crate::features::pep_form::ActionLogItem>>,
) -> impl IntoView {
    let draft = RwSignal::new(crate::features::pep_form::NewAction::default());
    let problems = FormProblems::new();
    let done = RwSignal::new(None::<String>);
    let problem = move |field: &'static str| problems.of(field);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (pep_id, sent) = (pep_id.clone(), draft.get_untracked());
        leptos::task::spawn_local(async move {
            match crate::features::pep_form::add_action(pep_id, sent).await {
                Ok(item) => {
                    done.set(Some(format!("Added: {}", item.description)));
                    items.update(|all| all.insert(0, item));
                    problems.clear();
                    draft.set(crate::features::pep_form::NewAction::default());
                }
                Err(error) => {
                    done.set(None);
                    problems.refused(error);
                }
            }
        });
    };
    let roles = crate::domain::targets::ACTION_OWNERS
        .iter()
        .map(|role| {
            let value = format!("role:{}", role.as_str());
            let selected = {
                let value = value.clone();
                move || draft.with(|d| d.owner == value)
            };
            view! { <option value=value selected=selected>{crate::ui::text::capitalise(role.label())}</option> }
        })
        .collect_view();
    let people = owners
        .into_iter()
        .map(|person| {
            let value = format!("person:{}", person.id);
            let selected = {
                let value = value.clone();
                move || draft.with(|d| d.owner == value)
            };
            view! { <option value=value selected=selected>{format!("{} ({})", person.name, person.role.label())}</option> }
        })
        .collect_view();
    let field =
        move |id: &'static str, label: &'static str, kind: &'static str, key: &'static str| {
            let error_id = format!("{id}-error");
            let read = move || {
                draft.with(|d| match key {
                    "description" => d.description.clone(),
                    "frequency" => d.frequency.clone(),
                    _ => d.due_on.clone(),
                })
            };
            view! {
                <div class=problems.group_class(key)>
                    <label class="label" for=id>{label}</label>
                    <p class="error-message" id=error_id.clone()>{problem(key)}</p>
                    <input class="input" type=kind id=id aria-describedby=error_id
                        prop:value=read
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            draft.update(|d| match key {
                                "description" => d.description = typed,
                                "frequency" => d.frequency = typed,
                                _ => d.due_on = typed,
                            });
                        }
                    />
                </div>
            }
        };
    view! {
        <details class="details">
            <summary>"Add an action not tied to a target"</summary>
            <form on:submit=submit novalidate>
                {field("new-action-description", "What is to be done", "text", "description")}
                <div class=problems.group_class("owner")>
                    <label class="label" for="new-action-owner">"Who will do it"</label>
                    <p class="error-message" id="new-action-owner-error">{problem("owner")}</p>
                    <select class="select" id="new-action-owner" aria-describedby="new-action-owner-error"
                        on:change=move |ev| {
                            let chosen = event_target_value(&ev);
                            draft.update(|d| d.owner = chosen);
                        }
                    >
                        <option value="" selected=move || draft.with(|d| d.owner.is_empty())>"Choose…"</option>
                        <optgroup label="A named person">{people}</optgroup>
                        <optgroup label="Whoever holds the role">{roles}</optgroup>
                    </select>
                </div>
                {field("new-action-frequency", "How often (optional)", "text", "frequency")}
                {field("new-action-due", "By when (optional)", "date", "due_on")}
                <ProblemAlert problems not_done="Not added yet" />
                <button type="submit" class="button">"Add the action"</button>
            </form>
            <p class="body" role="status">{move || done.get()}</p>
        </details>
    }
}
