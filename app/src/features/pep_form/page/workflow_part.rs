//! The PEP's place in the workflow and the buttons that move it on (with the reasons some
//! moves need).

use crate::domain::ids::PepId;
use crate::domain::pep::PepState;
use crate::domain::workflow::Step;
use crate::error::AppError;
use crate::features::pep_form::{WorkflowPart, change_pep_state};
use leptos::prelude::*;

/// "What happens next": the workflow moves open to the person, with what stands in the way. It
/// follows `part`, which the page reads again whenever the PEP moves or its targets change, so the
/// buttons and blockers are never stale; what is typed in the reasons stays across a re-read.
#[component]
pub(crate) fn Workflow(pep_id: PepId, part: RwSignal<WorkflowPart>) -> impl IntoView {
    let problems = RwSignal::new(Vec::<String>::new());
    let reason = RwSignal::new(String::new());
    let return_reason = RwSignal::new(String::new());
    let without_reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let pep_id = StoredValue::new(pep_id);
    let go = move |to: PepState, why: String| {
        busy.set(true);
        let version = part.get_untracked().version;
        let without = without_reason.get_untracked();
        leptos::task::spawn_local(async move {
            let moved = change_pep_state(pep_id.get_value(), to, version, why, without);
            match moved.await {
                // Rights and fields change with the state: load the page afresh.
                Ok(()) => {
                    let _ = window().location().reload();
                }
                Err(AppError::Invalid(found)) => {
                    problems.set(found.into_iter().map(|(_, m)| m).collect());
                    busy.set(false);
                }
                Err(other) => {
                    problems.set(vec![other.to_string()]);
                    busy.set(false);
                }
            }
        });
    };
    let button = move |step: Step| {
        let to = step.to;
        if step.needs_reason {
            view! {
                <ReasonField
                    id="return-reason"
                    label="Why it is returned, and what to change"
                    hint="The designated teacher reads this with the PEP."
                    value=return_reason
                />
                <button type="button" class="button button--secondary" disabled=move || busy.get()
                    on:click=move |_| go(to, return_reason.get_untracked())>
                    {step.label}
                </button>
            }
            .into_any()
        } else {
            let why = move || {
                if step.needs_checks {
                    reason.get_untracked()
                } else {
                    String::new()
                }
            };
            view! {
                <button type="button" class="button" disabled=move || busy.get() on:click=move |_| go(to, why())>
                    {step.label}
                </button>
            }
            .into_any()
        }
    };
    move || {
        let WorkflowPart {
            steps,
            ready_problems,
            returned_reason,
            missing_contributions,
            went_on_without,
            ..
        } = part.get();
        let went_on = went_on_without.map(|lines| {
            view! {
                <div class="inset">
                    <strong>"Went on without a contribution the council asks for:"</strong>
                    <ul class="list">
                        {lines.lines().map(|line| view! { <li>{line.to_string()}</li> }).collect_view()}
                    </ul>
                </div>
            }
        });
        let returned = returned_reason.map(|reason| {
            view! {
                <div class="inset inset--returned">
                    <strong>"Returned by the Virtual School: "</strong>
                    {reason}
                </div>
            }
        });
        if steps.is_empty() {
            return view! { {returned} {went_on} }.into_any();
        }
        let checks_apply = steps.iter().any(|s| s.needs_checks);
        let blockers = (checks_apply && !ready_problems.is_empty()).then(|| {
            view! {
                <p class="body">"Before it can be marked ready or submitted:"</p>
                <ul class="list list--bullet">
                    {ready_problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                </ul>
            }
        });
        let override_reason = checks_apply.then(|| {
            view! {
                <ReasonField
                    id="mix-override"
                    label="If the targets stand although they do not follow the council's rule, say why (optional)"
                    hint="The Virtual School reads this when it checks the PEP."
                    value=reason
                />
            }
        });
        // The council's required contributions: asked for, not a lock, so a reason lets it go on.
        let contributions = (steps.iter().any(|s| s.needs_contributions)
            && !missing_contributions.is_empty())
        .then(|| {
            view! {
                <p class="body">"The council asks for these sections to be completed first:"</p>
                <ul class="list list--bullet">
                    {missing_contributions.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                </ul>
                <ReasonField
                    id="without-reason"
                    label="To go on without them, say why"
                    hint="Kept with the PEP for everyone who reads it, and for the Virtual School's checks."
                    value=without_reason
                />
            }
        });
        let buttons = steps.into_iter().map(button).collect_view();
        view! {
            {returned}
            {went_on}
            <section class="workflow" aria-labelledby="workflow-heading">
                <h2 class="heading-m" id="workflow-heading">"What happens next"</h2>
                {blockers}
                {override_reason}
                {contributions}
                <div class="error-summary-inline" role="alert">
                    {move || {
                        let found = problems.get();
                        (!found.is_empty()).then(|| view! {
                            <p class="error-message">"This could not be done yet:"</p>
                            <ul class="list list--bullet error-message">
                                {found.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                            </ul>
                        })
                    }}
                </div>
                <div class="button-group">{buttons}</div>
            </section>
        }
        .into_any()
    }
}

/// A reason typed for a workflow move, with its hint read by screen readers.
#[component]
fn ReasonField(
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="form-group">
            <label class="label" for=id>{label}</label>
            <p class="hint" id=hint_id.clone()>{hint}</p>
            <textarea class="textarea" id=id rows="3" aria-describedby=hint_id
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}
