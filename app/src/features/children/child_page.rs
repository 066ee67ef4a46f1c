//! One child's record: section A's facts with what follows from them (year group, phase, whether a
//! PEP is due and why), the PEP being written with its countdown, and every PEP so far.

use crate::domain::ids::ChildId;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::table::ScrollingTable;
use leptos_router::hooks::use_params_map;

use super::{ChildSummary, child_record};
use crate::domain::academic_year::AcademicYear;
use crate::domain::pep::{PepKind, PepState, Term};
use crate::error::AppError;
use crate::ui::countdown::{Countdown, PageCalendars};

#[component]
pub fn ChildPage() -> impl IntoView {
    let params = use_params_map();
    let record = Resource::new(
        move || ChildId(params.read().get("id").unwrap_or_default()),
        child_record,
    );
    view! {
        <p class="body">
            <a href="/">"Back to your children"</a>
        </p>
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || {
                record
                    .get()
                    .map(|answer| match answer {
                        Ok(child) => view! { <Child child /> }.into_any(),
                        Err(error) => {
                            let message = error.why_not_shown("this record");
                            view! {
                                <Title text="Child's record" />
                                <h1 class="heading-xl">"Child's record"</h1>
                                <p class="body">{message}</p>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[component]
fn Child(child: ChildSummary) -> impl IntoView {
    let calendars = PageCalendars::new(child.calendars.clone());
    let meeting_deadlines = child.meeting_deadlines.clone();
    let actions = child.actions.clone();
    let deadline_calendars = calendars.clone();
    let action_calendars = calendars.clone();
    let edit_link = child
        .can_edit_register
        .then(|| format!("/children/{}/edit", child.id));
    let concerns = (child.may_raise_concern || !child.concerns.is_empty()).then(|| {
        view! {
            <Concerns
                child_id=ChildId(child.id.clone())
                may_raise=child.may_raise_concern
                concerns=child.concerns.clone()
            />
        }
    });
    let care_history = child.care_history.clone();
    let education_history = child.education_history.clone();
    view! {
        <Title text=child.name.clone() />
        <h1 class="heading-xl">{child.name.clone()}</h1>
        {edit_link
            .map(|href| {
                view! {
                    <p class="body">
                        <a href=href>"Change the record"</a>
                        " (details, care and school history)"
                    </p>
                }
            })}
        <dl class="summary-list">
            {child
                .facts
                .into_iter()
                .map(|(label, value)| {
                    view! {
                        <div class="summary-list__row">
                            <dt class="summary-list__key">{label}</dt>
                            <dd class="summary-list__value">{value}</dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
        <h2 class="heading-m">"PEP"</h2>
        <p class="body">
            {if child.eligible { "A PEP is due: " } else { "No PEP is due: " }} {child.eligibility}
        </p>
        {child
            .next_pep
            .map(|pep| {
                view! {
                    <p class="body">
                        <a href=format!("/peps/{}", pep.pep_id) class="link--strong">
                            {format!("Open the {}", pep.title)}
                        </a>
                        {format!(" ({})", pep.state)}
                    </p>
                    <Countdown data=pep.countdown calendars=calendars.clone() />
                }
            })}
        {(!meeting_deadlines.is_empty())
            .then(|| {
                view! {
                    <h3 class="heading-s">"Around the meeting"</h3>
                    <ul class="list deadline-list">
                        {meeting_deadlines
                            .into_iter()
                            .map(|deadline| {
                                view! {
                                    <li class="deadline-list__item">
                                        <span class="deadline-list__label">{deadline.label}</span>
                                        " "
                                        <Countdown data=deadline.countdown calendars=deadline_calendars.clone() />
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
        {(!actions.is_empty())
            .then(|| {
                view! {
                    <h3 class="heading-s">"Open actions"</h3>
                    <ul class="list deadline-list">
                        {actions
                            .into_iter()
                            .map(|action| {
                                view! {
                                    <li class="deadline-list__item">
                                        <span class="deadline-list__label">{action.description}</span>
                                        <span class="hint">{format!(" Owner: {}.", action.owner)}</span>
                                        " "
                                        {action
                                            .countdown
                                            .map(|countdown| {
                                                view! {
                                                    <Countdown data=countdown calendars=action_calendars.clone() />
                                                }
                                            })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
        {concerns}
        <h2 class="heading-m">"History"</h2>
        <super::register_page::History caption="Care episodes, newest first" id="care-history" episodes=care_history />
        <super::register_page::History caption="Schools and settings, newest first" id="education-history" episodes=education_history />
        <h2 class="heading-m">"Every PEP"</h2>
        {if child.peps.is_empty() {
            view! { <p class="body">"None yet."</p> }.into_any()
        } else {
            view! {
                <ScrollingTable id="peps-caption" caption="Every PEP, newest first" hide_caption=true>
                        <thead>
                            <tr>
                                <th scope="col">"PEP"</th>
                                <th scope="col">"State"</th>
                                <th scope="col">"Due"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {child
                                .peps
                                .into_iter()
                                .map(|pep| {
                                    let term = Term::parse(&pep.term).map(|t| t.label()).unwrap_or("");
                                    let kind = PepKind::parse(&pep.kind).map(|k| k.label()).unwrap_or("PEP");
                                    let year = AcademicYear::starting(pep.academic_year as i32);
                                    let state = PepState::parse(&pep.state).map(|s| s.label()).unwrap_or("");
                                    let due = chrono::NaiveDate::parse_from_str(&pep.due_on, "%Y-%m-%d")
                                        .map(|d| d.format("%-d %b %Y").to_string())
                                        .unwrap_or(pep.due_on.clone());
                                    view! {
                                        <tr>
                                            <td>
                                                <a href=format!("/peps/{}", pep.id)>{format!("{kind}, {term} {year}")}</a>
                                            </td>
                                            <td>{state.to_string()}</td>
                                            <td>{due}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </ScrollingTable>
            }
                .into_any()
        }}
    }
}

/// Concerns raised about the child, and (for carers and professionals) a form to raise one with
/// the child's Virtual School advisor. What was typed stays if sending fails.
#[component]
fn Concerns(
    child_id: ChildId,
    may_raise: bool,
    concerns: Vec<super::concerns::ConcernItem>,
) -> impl IntoView {
    use super::concerns::{check_concern, raise_concern};
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let told = RwSignal::new(None::<String>);
    let child_id = StoredValue::new(child_id);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Err(problem) = check_concern(&text.get_untracked()) {
            error.set(Some(problem));
            return;
        }
        error.set(None);
        leptos::task::spawn_local(async move {
            match raise_concern(child_id.get_value(), text.get_untracked()).await {
                Ok(raised) => {
                    text.set(String::new());
                    told.set(Some(format!(
                        "Your concern is recorded on the child's record and {} has been told.",
                        raised.told.join(" and ")
                    )));
                }
                Err(AppError::Invalid(problems)) => {
                    error.set(problems.into_iter().map(|(_, m)| m).next());
                }
                Err(other) => error.set(Some(other.to_string())),
            }
        });
    };
    let list = concerns
        .into_iter()
        .map(|c| view! { <li class="concern"><p class="hint">{c.raised}</p><p class="body pep-field__text">{c.concern}</p></li> })
        .collect_view();
    view! {
        <h2 class="heading-m" id="concerns-heading">"Concerns"</h2>
        <ul class="list concern-list" aria-labelledby="concerns-heading">{list}</ul>
        {may_raise.then(|| view! {
            <form class="concern-form" on:submit=send novalidate>
                <div class="form-group pep-field" class:form-group--error=move || error.get().is_some()>
                    <label class="label" for="concern">"Raise a concern with the Virtual School"</label>
                    <p class="hint" id="concern-hint">
                        "Your words go on the child's record; the child's Virtual School advisor is emailed to read them. "
                        "If a child is at risk of harm now, call the council's children's services or 999."
                    </p>
                    <p class="error-message" id="concern-error">{move || error.get()}</p>
                    <textarea class="textarea" id="concern" name="concern" rows="4"
                        aria-describedby=move || if error.get().is_some() { "concern-hint concern-error" } else { "concern-hint" }
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                    />
                </div>
                <button type="submit" class="button">"Tell the Virtual School"</button>
                <p class="body" role="status">{move || told.get()}</p>
            </form>
        })}
    }
}
