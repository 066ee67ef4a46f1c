//! PP+ on the PEP page: the child's allocation for the PEP's financial year and what the PEP asks
//! for (checked as people type), each target's itemised requests (saved with the target), and the
//! Virtual School's approve or decline with a reason.

use crate::domain::ids::PepId;
use leptos::prelude::*;

use super::saver::Saver;
use super::smart_checklist_part::FindingLine;
use super::target_on_screen::{TargetRef, new_part_id};
use crate::domain::pp_plus::{
    PpPlusBudget, PpPlusLine, PpPlusStatus, check_budget, pounds, totals,
};
use crate::features::pep_form::decide_pp_plus;

/// The allocation, what other PEPs of the year take, what this PEP asks for, and what is left.
#[component]
pub(crate) fn PpPlusSummary(budget: PpPlusBudget, lines: Signal<Vec<PpPlusLine>>) -> impl IntoView {
    let asked = move || lines.with(|all| totals(all.iter()));
    let row = |key: &'static str, value: Box<dyn Fn() -> String + Send + Sync>| {
        view! {
            <div class="summary-list__row">
                <dt class="summary-list__key">{key}</dt>
                <dd class="summary-list__value">{value}</dd>
            </div>
        }
    };
    view! {
        <div class="inset pp-plus-summary" id="pp-plus-summary">
            <h3 class="heading-s">{format!("Pupil Premium Plus, {}", budget.year_in_words())}</h3>
            <dl class="summary-list">
                {row("The child's allocation", Box::new(move || pounds(budget.allocation_pence)))}
                {row("Asked for or given on the child's other PEPs this year", Box::new(move || pounds(budget.committed_elsewhere_pence)))}
                {row("This PEP asks for", Box::new(move || {
                    let (asked, approved) = asked();
                    format!("{} ({} approved)", pounds(asked), pounds(approved))
                }))}
                {row("Left after this PEP", Box::new(move || pounds(budget.available_pence() - asked().0)))}
            </dl>
            {move || {
                let findings = lines.with(|all| check_budget(all.iter(), &budget));
                (!findings.is_empty()).then(|| view! {
                    <ul class="list smart-findings">
                        {findings.into_iter().map(|f| view! { <FindingLine finding=f /> }).collect_view()}
                    </ul>
                })
            }}
        </div>
    }
}

/// "Waiting for the Virtual School", "Approved", "Declined: not linked to the target".
fn status_in_words(line: &PpPlusLine) -> String {
    let reason = line.decision_reason.trim();
    let status = match line.status() {
        PpPlusStatus::Requested => "Waiting for the Virtual School".to_string(),
        PpPlusStatus::Approved => "Approved by the Virtual School".to_string(),
        PpPlusStatus::Declined => "Declined by the Virtual School".to_string(),
    };
    if reason.is_empty() || line.status() == PpPlusStatus::Requested {
        status
    } else {
        format!("{status}: {reason}")
    }
}

fn status_class(line: &PpPlusLine) -> &'static str {
    match line.status() {
        PpPlusStatus::Requested => "tag tag--in_progress",
        PpPlusStatus::Approved => "tag tag--completed",
        PpPlusStatus::Declined => "tag tag--overdue",
    }
}

/// A target's PP+ requests as its editor writes them.
#[component]
pub(crate) fn PpPlusRequests(
    number: usize,
    pep_id: PepId,
    target_id: String,
    saver: Saver<TargetRef>,
    decides: bool,
) -> impl IntoView {
    let count = move || saver.value.with(|d| d.pp_plus.len());
    let add = move |_| {
        let id = new_part_id(&target_id, "-p");
        saver.changed(|draft| {
            draft.pp_plus.push(PpPlusLine {
                id,
                status: PpPlusStatus::Requested.as_str().to_string(),
                ..PpPlusLine::default()
            })
        });
    };
    view! {
        <fieldset class="fieldset">
            <legend class="fieldset__legend heading-s">{format!("PP+ funding for target {number} (optional)")}</legend>
            <p class="hint">"Itemise what the child's Pupil Premium Plus would pay for, to help meet this target. The Virtual School approves or declines each request."</p>
            {move || {
                let pep_id = pep_id.clone();
                (0..count())
                    .map(|i| view! { <PpPlusRow number index=i pep_id=pep_id.clone() saver decides /> })
                    .collect_view()
            }}
            <button type="button" class="button button--secondary" on:click=add>"Add a PP+ request"</button>
        </fieldset>
    }
}

#[component]
fn PpPlusRow(
    number: usize,
    index: usize,
    pep_id: PepId,
    saver: Saver<TargetRef>,
    decides: bool,
) -> impl IntoView {
    let id = format!("target-{number}-pp-{}", index + 1);
    let line = Signal::derive(move || {
        saver
            .value
            .with(|d| d.pp_plus.get(index).cloned().unwrap_or_default())
    });
    let get = move |f: fn(&PpPlusLine) -> String| move || line.with(f);
    let set = move |f: fn(&mut PpPlusLine, String)| {
        move |ev: leptos::ev::Event| {
            let typed = event_target_value(&ev);
            saver.changed(|d| {
                if let Some(request) = d.pp_plus.get_mut(index) {
                    let before = request.clone();
                    f(request, typed);
                    if request.changed_from(&before) {
                        request.edited();
                    }
                }
            });
        }
    };
    let sum_id = format!("{id}-sum");
    let (input_prefix, input_sum) = (id.clone(), sum_id.clone());
    let input = move |part: &'static str,
                      label: &'static str,
                      class: &'static str,
                      mode: &'static str,
                      read: fn(&PpPlusLine) -> String,
                      write: fn(&mut PpPlusLine, String)| {
        let field_id = format!("{input_prefix}-{part}");
        view! {
            <div class="form-group">
                <label class="label" for=field_id.clone()>{label}</label>
                <input
                    class=format!("input {class}")
                    type="text"
                    inputmode=mode
                    id=field_id
                    aria-describedby=input_sum.clone()
                    value=get(read)()
                    prop:value=get(read)
                    on:input=set(write)
                    on:change=move |_| saver.save()
                />
            </div>
        }
    };
    let decided = Callback::new(move |(status, reason, version): (String, String, i64)| {
        saver.value.update(|d| {
            if let Some(request) = d.pp_plus.get_mut(index) {
                request.status = status;
                request.decision_reason = reason;
                request.version = version;
            }
        });
    });
    view! {
        <div class="action-row pp-plus-request">
            <h4 class="heading-s">{format!("PP+ request {}", index + 1)}</h4>
            {input("item", "What it pays for", "", "text", |l| l.item.clone(), |l, v| l.item = v)}
            {input("provider", "Provider", "", "text", |l| l.provider.clone(), |l, v| l.provider = v)}
            {input("unit_cost", "Cost per session (£)", "input--width-10", "decimal", |l| l.unit_cost.clone(), |l, v| l.unit_cost = v)}
            {input("sessions", "Sessions a week", "input--width-5", "numeric", |l| l.sessions.clone(), |l, v| l.sessions = v)}
            {input("weeks", "Weeks", "input--width-5", "numeric", |l| l.weeks.clone(), |l, v| l.weeks = v)}
            <p class="body" id=sum_id.clone()>{move || line.with(|l| l.sum_in_words())}</p>
            <p class="body">
                <strong class=move || line.with(status_class)>{move || line.with(status_in_words)}</strong>
            </p>
            {decides.then(|| view! { <PpPlusDecision prefix=id.clone() pep_id line decided /> })}
            <button type="button" class="button button--secondary" on:click=move |_| saver.changed(|d| { if index < d.pp_plus.len() { d.pp_plus.remove(index); } })>
                {format!("Remove PP+ request {}", index + 1)}
            </button>
        </div>
    }
}

/// A target's PP+ requests for someone who may not change the target: the Virtual School decides
/// here.
#[component]
pub(crate) fn PpPlusReadOnly(
    number: usize,
    pep_id: PepId,
    /// The target's requests as they stand (merged live when someone changes them).
    lines: Signal<Vec<PpPlusLine>>,
    decides: bool,
) -> impl IntoView {
    let shown = move || {
        lines
            .get()
            .into_iter()
            .filter(|l| !l.is_blank())
            .enumerate()
            .collect::<Vec<_>>()
    };
    // Keyed by request, so a decision being written keeps its reason while the target changes.
    let requests = move |(i, request): (usize, PpPlusLine)| {
        let id = request.id.clone();
        let line = RwSignal::new(request);
        Effect::new(move |_| {
            let now = lines.with(|all| all.iter().find(|l| l.id == id).cloned());
            if let Some(now) = now.filter(|now| *now != line.get_untracked()) {
                line.set(now);
            }
        });
        let decided = Callback::new(move |(status, reason, version): (String, String, i64)| {
            line.update(|l| {
                l.status = status;
                l.decision_reason = reason;
                l.version = version;
            })
        });
        let prefix = format!("target-{number}-pp-{}", i + 1);
        let pep_id = pep_id.clone();
        view! {
            <li class="pp-plus-request">
                <p class="body">
                    {move || line.with(|l| format!("{} from {}: {}", l.item, l.provider, l.sum_in_words()))}
                </p>
                <p class="body">
                    <strong class=move || line.with(status_class)>{move || line.with(status_in_words)}</strong>
                </p>
                {decides.then(|| view! { <PpPlusDecision prefix pep_id line=line.into() decided /> })}
            </li>
        }
    };
    view! {
        <Show when=move || !shown().is_empty()>
            <h4 class="heading-s">{format!("PP+ requests for target {number}")}</h4>
            <ul class="list">
                <For each=shown key=|(_, line)| line.id.clone() children=requests.clone() />
            </ul>
        </Show>
    }
}

/// Approve or decline one request, with a reason (needed to decline).
#[component]
fn PpPlusDecision(
    prefix: String,
    pep_id: PepId,
    line: Signal<PpPlusLine>,
    decided: Callback<(String, String, i64)>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let reason_id = format!("{prefix}-reason");
    let error_id = format!("{prefix}-decision-error");
    let decide = move |decision: PpPlusStatus| {
        let pep_id = pep_id.clone();
        move |_| {
            let request = line.get_untracked();
            let (pep_id, typed) = (pep_id.clone(), reason.get_untracked());
            busy.set(true);
            leptos::task::spawn_local(async move {
                let answer = decide_pp_plus(
                    pep_id,
                    request.id.clone(),
                    request.version,
                    decision.as_str().to_string(),
                    typed.clone(),
                )
                .await;
                busy.set(false);
                match answer {
                    Ok(version) => {
                        problem.set(None);
                        reason.set(String::new());
                        decided.run((
                            decision.as_str().to_string(),
                            typed.trim().to_string(),
                            version,
                        ));
                    }
                    Err(crate::error::AppError::Invalid(problems)) => problem.set(Some(
                        problems
                            .into_iter()
                            .map(|(_, m)| m)
                            .collect::<Vec<_>>()
                            .join(". "),
                    )),
                    Err(error) => problem.set(Some(error.to_string())),
                }
            });
        }
    };
    view! {
        <div class=move || if problem.get().is_some() { "form-group form-group--error" } else { "form-group" }>
            <label class="label" for=reason_id.clone()>"The Virtual School's reason (needed to decline)"</label>
            <p class="error-message" id=error_id.clone() role="alert">{move || problem.get()}</p>
            <textarea
                class="textarea"
                id=reason_id
                rows="2"
                aria-describedby=error_id
                prop:value=move || reason.get()
                on:input=move |ev| reason.set(event_target_value(&ev))
            />
            <div class="button-group">
                <button type="button" class="button" disabled=move || busy.get() on:click=decide(PpPlusStatus::Approved)>
                    {move || line.with(|l| match l.cost_pence() {
                        Some(cost) => format!("Approve {}", pounds(cost)),
                        None => "Approve".to_string(),
                    })}
                </button>
                <button type="button" class="button button--warning" disabled=move || busy.get() on:click=decide(PpPlusStatus::Declined)>
                    "Decline"
                </button>
            </div>
        </div>
    }
}
