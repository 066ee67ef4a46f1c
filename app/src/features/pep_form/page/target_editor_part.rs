//! One target where the person may write (or read it, live): its need area, text parts as
//! shared text, date, actions, PP+ requests, save state and SMART checklist.

use crate::domain::ids::PepId;
use leptos::prelude::*;

use super::field_part::follow_text;
use super::pp_plus_part::{PpPlusReadOnly, PpPlusRequests};
use super::save_status_part::{ConflictChoice, ReplacedNotice, SaveStatus};
use super::saver::SaveState;
use super::shared_text_part::{SharedText, SharedTextField};
use super::smart_checklist_part::Checklist;
use super::target_actions_part::{ActionLine, Actions};
use super::target_on_screen::OnScreen;
use crate::domain::live::FieldKey;
use crate::domain::pep::SectionKey;
use crate::domain::roles::Role;
use crate::domain::targets::{
    ActionTextPart, MixRule, NeedArea, PreviousTarget, ReviewWindow, TargetDraft, TargetTextPart,
    check_against_previous, check_target,
};

#[component]
pub(crate) fn TargetEditor(
    number: usize,
    pep_id: PepId,
    target: OnScreen,
    window: ReviewWindow,
    rule: MixRule,
    previous: Signal<Vec<PreviousTarget>>,
    editable: bool,
    decides_pp_plus: bool,
    remove: Callback<()>,
) -> impl IntoView {
    let OnScreen {
        id: target_id,
        saver,
        text_versions,
        action_words,
        ..
    } = target.clone();
    // The text parts: shared text where the person writes, followed live where they read.
    let key_of = |part: TargetTextPart| FieldKey {
        section: SectionKey::Targets,
        field: part.field_of(&target_id),
    };
    let first_text = move |part: TargetTextPart| saver.value.with_untracked(|d| part.of(d).clone());
    let first_version = |part: TargetTextPart| text_versions.get(&part).copied().unwrap_or(0);
    let shared: Vec<(TargetTextPart, SharedText)> = if editable {
        TargetTextPart::ALL
            .iter()
            .map(|&part| {
                let text = SharedText::new(
                    pep_id.clone(),
                    key_of(part),
                    first_text(part),
                    first_version(part),
                    None,
                );
                (part, text)
            })
            .collect()
    } else {
        Vec::new()
    };
    let texts: Vec<(TargetTextPart, Signal<String>)> = if editable {
        shared
            .iter()
            .map(|&(part, text)| (part, Signal::derive(move || text.text.get())))
            .collect()
    } else {
        TargetTextPart::ALL
            .iter()
            .map(|&part| {
                let saved = RwSignal::new((first_text(part), first_version(part)));
                follow_text(pep_id.clone(), key_of(part), saved, RwSignal::new(None));
                (part, Signal::derive(move || saved.get().0))
            })
            .collect()
    };
    // The target as it stands on screen: structured parts from the saver, text parts (its own
    // and its actions') as merged.
    let current = move || {
        let mut draft = saver.value.get();
        for (part, text) in &texts {
            *part.of_mut(&mut draft) = text.get();
        }
        action_words.with(|words| {
            for action in &mut draft.actions {
                if let Some(words) = words.get(&action.id) {
                    for (part, text) in ActionTextPart::ALL.iter().zip(words.texts) {
                        *part.of_mut(action) = text.get();
                    }
                }
            }
        });
        draft
    };
    let findings = Signal::derive({
        let current = current.clone();
        move || {
            let target = current();
            let mut findings = check_target(&target, &window, &rule);
            findings.extend(check_against_previous(&target, &previous.get()));
            findings
        }
    });
    let prefix = format!("target-{number}");
    let heading = format!("Target {number}");
    if !editable {
        // Read-only here, but live: a change made elsewhere shows as it is merged.
        let shown = move || {
            let draft = current();
            let area = NeedArea::parse(&draft.need_area)
                .map(|a| a.label())
                .unwrap_or("No need area");
            view! {
                <div class="target">
                    <h3 class="heading-m">{format!("{heading}: {area}")}</h3>
                    <p class="body"><strong>{draft.statement}</strong></p>
                    <p class="body">{format!("Where the child is now: {}", draft.reason_baseline)}</p>
                    <p class="body">{format!("How everyone will know: {}", draft.success_measure)}</p>
                    {(!draft.child_view.is_empty()).then(|| view! { <p class="body">{format!("What the child said: {}", draft.child_view)}</p> })}
                    <p class="body">{format!("By: {}", date_in_words(&draft.target_date))}</p>
                </div>
            }
        };
        let lines = Signal::derive(move || saver.value.with(|draft| draft.pp_plus.clone()));
        let action_ids = move || {
            saver
                .value
                .with(|d| d.actions.iter().map(|a| a.id.clone()).collect::<Vec<_>>())
        };
        let followed_by = pep_id.clone();
        return view! {
            <div class="target-read-only">
                {shown}
                <ul class="list list--bullet">
                    <For
                        each=action_ids
                        key=|id| id.clone()
                        children=move |action_id| view! { <ActionLine pep_id=followed_by.clone() action_id target=target.clone() /> }
                    />
                </ul>
                <PpPlusReadOnly number pep_id lines decides=decides_pp_plus />
            </div>
        }
        .into_any();
    }
    let text = move |get: fn(&TargetDraft) -> &String| move || get(&saver.value.get()).clone();
    let edit = move |set: fn(&mut TargetDraft, String)| {
        move |ev: leptos::ev::Event| {
            let typed = event_target_value(&ev);
            saver.changed(|draft| set(draft, typed));
        }
    };
    let field_id = {
        let prefix = prefix.clone();
        move |part: &str| format!("{prefix}-{part}")
    };
    let status_id = field_id("status");
    let checklist_id = field_id("checklist");
    let described = format!("{status_id} {checklist_id}");
    let area_options = NeedArea::ALL
        .iter()
        .map(|area| {
            let code = area.as_str();
            view! {
                <option value=code selected=move || saver.value.get().need_area == code>{area.label()}</option>
            }
        })
        .collect_view();
    view! {
        <fieldset class="fieldset target" aria-describedby=described.clone()>
            <legend class="fieldset__legend heading-m">{heading}</legend>
            <div class="form-group">
                <label class="label" for=field_id("need_area")>"Need area"</label>
                <select
                    class="select"
                    id=field_id("need_area")
                    on:change=edit(|d, v| d.need_area = v)
                >
                    <option value="" selected=move || saver.value.get().need_area.is_empty()>"Choose…"</option>
                    {area_options}
                </select>
            </div>
            {shared
                .iter()
                .filter(|(part, _)| *part != TargetTextPart::OverrideReason)
                .map(|&(part, text)| view! {
                    <SharedTextField id=field_id(part.as_str()) label=part.label().to_string() hint=text_part_hint(part).to_string() shared=text />
                })
                .collect_view()}
            <div class="form-group">
                <label class="label" for=field_id("target_date")>"Date to be met by"</label>
                <input
                    class="input input--width-10"
                    type="date"
                    id=field_id("target_date")
                    value=saver.value.get_untracked().target_date
                    prop:value=text(|d| &d.target_date)
                    on:input=edit(|d, v| d.target_date = v)
                    on:change=move |_| saver.save()
                />
            </div>
            <Actions number pep_id=pep_id.clone() target=target.clone() />
            <PpPlusRequests number pep_id target_id saver decides=decides_pp_plus />
            <details class="details">
                <summary>"Keep this target although a check fails"</summary>
                {shared
                    .iter()
                    .filter(|(part, _)| *part == TargetTextPart::OverrideReason)
                    .map(|&(part, text)| view! {
                        <SharedTextField id=field_id(part.as_str()) label=part.label().to_string() hint=text_part_hint(part).to_string() shared=text />
                    })
                    .collect_view()}
            </details>
            <SaveStatus id=status_id saver />
            <ReplacedNotice saver show=structured_in_words />
            {move || match saver.state.get() {
                SaveState::Conflict { theirs, by, .. }
                | SaveState::ChangedElsewhere { theirs, by, .. } => Some(view! {
                    <ConflictChoice by saver>
                        <blockquote class="conflict__theirs">{structured_in_words(&theirs)}</blockquote>
                    </ConflictChoice>
                }),
                _ => None,
            }}
            <Checklist findings id=checklist_id />
            <button type="button" class="button button--warning" on:click=move |_| remove.run(())>
                {format!("Remove target {number}")}
            </button>
        </fieldset>
    }
    .into_any()
}

/// What a target's text part asks for.
fn text_part_hint(part: TargetTextPart) -> &'static str {
    match part {
        TargetTextPart::ReasonBaseline => "The need, and a baseline: a score, a count, a level.",
        TargetTextPart::Statement => "What the child will be able to do, how well, and by when.",
        TargetTextPart::SuccessMeasure => "How everyone will know it has been met.",
        TargetTextPart::OverrideReason => "The Virtual School reads this when it checks the PEP.",
        TargetTextPart::ChildView => {
            "What the child said that this target answers: what they want, find hard, or would help."
        }
    }
}

/// A target's structured parts in words (its text parts merge and are never chosen between).
fn structured_in_words(target: &TargetDraft) -> String {
    let area = NeedArea::parse(&target.need_area)
        .map(|a| a.label())
        .unwrap_or("no need area");
    // An action's words are shared text, never chosen between: who does it is.
    let actions: Vec<String> = target
        .actions
        .iter()
        .enumerate()
        .map(|(n, a)| {
            let who = Role::parse(&a.owner_role).map_or("nobody named yet", |r| r.label());
            format!("action {} by {who}", n + 1)
        })
        .collect();
    let by = match target.target_date.trim() {
        "" => "no date yet".to_string(),
        date => date_in_words(date),
    };
    let mut words = format!("Need area: {area}. By: {by}.");
    if !actions.is_empty() {
        words.push_str(&format!(" Actions: {}.", actions.join("; ")));
    }
    if !target.pp_plus.is_empty() {
        words.push_str(&format!(" PP+ requests: {}.", target.pp_plus.len()));
    }
    words
}

/// "19 March 2027" for a stored ISO date, as the rest of the app writes dates; as typed otherwise.
fn date_in_words(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso.trim(), "%Y-%m-%d")
        .map(crate::domain::deadlines::long_date)
        .unwrap_or_else(|_| iso.to_string())
}
