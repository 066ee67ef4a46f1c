//! Suspensions and exclusions in the PEP's section for them: this school year's days against the
//! 45-day limit, each record with what still needs doing (who is not yet told, full-time
//! education from day 6, no reintegration meeting), and a form to record one. A refused form
//! keeps everything typed and says by field what to change.

use crate::domain::ids::PepId;
use leptos::prelude::*;

use super::form_problems::{FormProblems, ProblemAlert};
use crate::domain::academic_year::AcademicYear;
use crate::domain::deadlines::long_date;
use crate::domain::school_record::{
    ExclusionKind, SuspensionDraft, SuspensionRecord, school_year_total,
};
use crate::features::pep_form::{SuspensionsPart, record_suspension};

#[component]
pub(crate) fn SuspensionLog(pep_id: PepId, part: SuspensionsPart) -> impl IntoView {
    let SuspensionsPart {
        editable,
        academic_year,
        records,
    } = part;
    let year = AcademicYear::starting(academic_year);
    let records = RwSignal::new(records);
    super::fresh_form::FreshForm::each(
        |form| form.suspensions.as_ref().map(|part| part.records.clone()),
        move |fresh| records.set(fresh),
    );
    let total = move || records.with(|all| school_year_total(all, year).1);
    let list = move || {
        records
            .get()
            .into_iter()
            .map(|record| view! { <SuspensionItem record /> })
            .collect_view()
    };
    view! {
        <div class="suspension-log">
            <h3 class="heading-m">{format!("Suspensions and exclusions in {year}")}</h3>
            <p class="section-facts" id="suspensions-total"><strong>{total}</strong></p>
            {move || (!records.with(Vec::is_empty)).then(|| view! { <ul class="list suspension-list">{list}</ul> })}
            {editable.then(|| view! { <RecordSuspension pep_id records /> })}
        </div>
    }
}

#[component]
fn SuspensionItem(record: SuspensionRecord) -> impl IntoView {
    let SuspensionRecord {
        details: record,
        recorded_by,
        ..
    } = record;
    let told = |who: &str, day: Option<chrono::NaiveDate>| match day {
        Some(day) => format!("{who} told on {}", long_date(day)),
        None => format!("{who}: not recorded as told"),
    };
    let flags = record.flags();
    view! {
        <li class="suspension-list__item">
            <p class="body"><strong>{record.summary()}</strong></p>
            <p class="body">{format!("Reason: {}", record.reason)}</p>
            <p class="hint">
                {told("Virtual School", record.virtual_school_told_on)}
                " · "
                {told("Social worker", record.social_worker_told_on)}
                " · "
                {record.reintegration_on.map_or_else(
                    || "No reintegration meeting yet".to_string(),
                    |day| format!("Reintegration meeting on {}", long_date(day)),
                )}
                {format!(" · Recorded by {recorded_by}")}
            </p>
            {(!flags.is_empty()).then(|| view! {
                <ul class="list smart-findings">
                    {flags.into_iter().map(|flag| view! {
                        <li class="smart-finding smart-finding--check">
                            <span aria-hidden="true" class="smart-finding__mark">"!"</span>
                            <strong>"Check: "</strong>
                            {flag}
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}

/// How the form reads and writes one part of the draft.
type Read = fn(&SuspensionDraft) -> String;
type Write = fn(&mut SuspensionDraft, String);

/// The date parts after the first day: (field, label, read, write).
fn later_dates() -> [(&'static str, &'static str, Read, Write); 3] {
    [
        (
            "reintegration_on",
            "Reintegration meeting (if held)",
            |d| d.reintegration_on.clone(),
            |d, v| d.reintegration_on = v,
        ),
        (
            "virtual_school_told_on",
            "Date the Virtual School head was told",
            |d| d.virtual_school_told_on.clone(),
            |d, v| d.virtual_school_told_on = v,
        ),
        (
            "social_worker_told_on",
            "Date the social worker was told",
            |d| d.social_worker_told_on.clone(),
            |d, v| d.social_worker_told_on = v,
        ),
    ]
}

#[component]
fn RecordSuspension(pep_id: PepId, records: RwSignal<Vec<SuspensionRecord>>) -> impl IntoView {
    let draft = RwSignal::new(SuspensionDraft::default());
    let problems = FormProblems::new();
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let problem = move |field: &'static str| problems.of(field);
    let group_class = move |field: &'static str| problems.group_class(field);
    let text_field = move |field: &'static str,
                           label: &'static str,
                           kind: &'static str,
                           read: Read,
                           write: Write| {
        let id = format!("suspension-{field}");
        let error_id = format!("{id}-error");
        view! {
            <div class=group_class(field)>
                <label class="label" for=id.clone()>{label}</label>
                <p class="error-message" id=error_id.clone()>{problem(field)}</p>
                <input
                    class="input input--width-10"
                    type=kind
                    id=id
                    aria-describedby=error_id
                    prop:value=move || draft.with(read)
                    on:input=move |ev| {
                        let typed = event_target_value(&ev);
                        draft.update(|d| write(d, typed));
                    }
                />
            </div>
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (pep_id, sent) = (pep_id.clone(), draft.get_untracked());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = record_suspension(pep_id, sent).await;
            busy.set(false);
            match answer {
                Ok(record) => {
                    done.set(Some(format!("Recorded: {}", record.details.summary())));
                    records.update(|all| {
                        all.push(record);
                        all.sort_by_key(|r| r.details.starts_on);
                    });
                    problems.clear();
                    draft.set(SuspensionDraft::default());
                }
                Err(error) => {
                    done.set(None);
                    problems.refused(error);
                }
            }
        });
    };
    let kinds = ExclusionKind::ALL
        .iter()
        .map(|kind| {
            let code = kind.as_str();
            let id = format!("suspension-kind-{code}");
            view! {
                <div class="radios__item">
                    <input class="radios__input" type="radio" name="suspension-kind" id=id.clone() value=code
                        prop:checked=move || draft.with(|d| d.kind == code)
                        on:change=move |_| draft.update(|d| d.kind = code.to_string())
                    />
                    <label class="label radios__label" for=id>{kind.label()}</label>
                </div>
            }
        })
        .collect_view();
    let later = later_dates()
        .into_iter()
        .map(|(field, label, read, write)| text_field(field, label, "date", read, write))
        .collect_view();
    view! {
        <details class="details">
            <summary>"Record a suspension or exclusion"</summary>
            <form class="suspension-form" on:submit=submit novalidate>
                <div class=group_class("kind")>
                    <fieldset class="fieldset" aria-describedby="suspension-kind-error">
                        <legend class="fieldset__legend">"What was given"</legend>
                        <p class="error-message" id="suspension-kind-error">{problem("kind")}</p>
                        <div class="radios">{kinds}</div>
                    </fieldset>
                </div>
                {text_field("starts_on", "First day", "date", |d| d.starts_on.clone(), |d, v| d.starts_on = v)}
                {text_field("days", "School days (for a lunchtime suspension, the number of lunchtimes)", "text", |d| d.days.clone(), |d, v| d.days = v)}
                <div class=group_class("reason")>
                    <label class="label" for="suspension-reason">"Reason the school gave"</label>
                    <p class="error-message" id="suspension-reason-error">{problem("reason")}</p>
                    <textarea class="textarea" id="suspension-reason" rows="2" aria-describedby="suspension-reason-error"
                        prop:value=move || draft.with(|d| d.reason.clone())
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            draft.update(|d| d.reason = typed);
                        }
                    />
                </div>
                {later}
                <ProblemAlert problems not_done="Not recorded yet" />
                <button type="submit" class="button" disabled=move || busy.get()>"Record it"</button>
            </form>
            <p class="body" role="status">{move || done.get()}</p>
        </details>
    }
}
