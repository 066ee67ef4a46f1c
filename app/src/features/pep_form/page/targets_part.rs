//! The SMART targets part of the PEP page. A target's text parts (reason with baseline,
//! statement, success measure, link to the child's views, override reason) and its actions'
//! (what will be done, how often) are shared text like the PEP's free-text questions: several
//! people type in one at once and their words merge. Its structured parts (need area, date, who
//! does each action, PP+) are saved as one record at its version. Actions are added and removed
//! one at a time, so nobody's save of the target takes away an action someone else just added.
//! A live S-M-A-R-T checklist under it runs the same checks the server runs before the PEP may be
//! marked ready. The pieces: `target_on_screen` (a target as the page holds it),
//! `target_editor_part`, `target_actions_part`, `previous_target_part`, `smart_checklist_part`.

use crate::domain::ids::PepId;
use leptos::prelude::*;

use std::collections::BTreeMap;

use super::fresh_form::FreshForm;
use super::live_room::LiveRoom;
use super::pp_plus_part::PpPlusSummary;
use super::previous_target_part::{EvaluationRef, PreviousTargetEvaluation};
use super::saver::{SaveState, Saver};
use super::smart_checklist_part::FindingLine;
use super::target_editor_part::TargetEditor;
use super::target_on_screen::{OnScreen, TargetRef};
use crate::domain::live::PepPart;
use crate::domain::targets::{
    MixRule, NeedArea, PreviousTarget, check_mix, with_actions_of, with_text_of,
};
use crate::features::pep_form::{
    TargetEvaluation, TargetRecord, TargetsPart, add_target, remove_target,
};

#[component]
pub fn TargetsSection(pep_id: PepId, part: TargetsPart) -> impl IntoView {
    let TargetsPart {
        label,
        owner,
        editable,
        phase,
        key_stage,
        window,
        rule,
        targets,
        mix_override,
        previous,
        previous_title,
        pp_plus,
        decides_pp_plus,
    } = part;
    // Last PEP's targets with their evaluations as they stand on screen.
    let evaluations: Vec<(PreviousTarget, Saver<EvaluationRef>)> = previous
        .into_iter()
        .map(|p| {
            let key = EvaluationRef {
                pep_id: pep_id.clone(),
                target_id: p.id.clone(),
            };
            let value = TargetEvaluation {
                evaluation: p.evaluation.clone(),
                evidence: p.evidence.clone(),
            };
            let saver = Saver::new(key, value, p.version, None);
            (p, saver)
        })
        .collect();
    let previous_now = {
        let evaluations = evaluations.clone();
        Signal::derive(move || {
            evaluations
                .iter()
                .map(|(p, saver)| {
                    let now = saver.value.get();
                    PreviousTarget {
                        evaluation: now.evaluation,
                        evidence: now.evidence,
                        ..p.clone()
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let previous_part = (!evaluations.is_empty()).then(|| {
        let title = previous_title.unwrap_or_else(|| "the last PEP".to_string());
        view! {
            <h3 class="heading-m" id="previous-targets-heading">
                {format!("Last PEP's targets ({title})")}
            </h3>
            <p class="body">"Say how far each was met, with evidence, before setting a new target in the same area."</p>
            {evaluations
                .into_iter()
                .enumerate()
                .map(|(n, (previous, saver))| view! { <PreviousTargetEvaluation number=n + 1 previous saver editable /> })
                .collect_view()}
        }
    });
    let make = {
        let pep_id = pep_id.clone();
        move |record: TargetRecord| {
            let key = TargetRef {
                pep_id: pep_id.clone(),
                target_id: record.id.clone(),
            };
            OnScreen {
                saver: Saver::new(key, record.draft, record.version, None),
                text_versions: record.text_versions,
                action_words: RwSignal::new(BTreeMap::new()),
                action_versions: StoredValue::new(record.action_text_versions),
                id: record.id,
            }
        }
    };
    let savers = RwSignal::new(targets.into_iter().map(make.clone()).collect::<Vec<_>>());
    // Targets someone else added, changed or removed come in as they are now: merged one by
    // one like a field, so a target being written here is never overwritten.
    // A target added by a merge belongs to this section, not to the effect that merged it
    // (whose next run would dispose of it).
    let section_owner = Owner::current();
    let make_merged = {
        let make = make.clone();
        move |record: TargetRecord| match &section_owner {
            Some(owner) => owner.with(|| make(record)),
            None => make(record),
        }
    };
    let room = use_context::<LiveRoom>();
    FreshForm::each(
        |form| form.targets.as_ref().map(|part| part.targets.clone()),
        move |fresh: Vec<TargetRecord>| {
            merge_targets(savers, fresh, &make_merged, who_changed_targets(room))
        },
    );
    let rule = StoredValue::new(rule);
    let mix = move || {
        let areas: Vec<NeedArea> = savers.with(|all| {
            all.iter()
                .filter_map(|t| NeedArea::parse(&t.saver.value.get().need_area).ok())
                .collect()
        });
        rule.with_value(|rule| check_mix(&areas, phase, key_stage, rule))
    };
    // Every PP+ request of the PEP as it stands on screen, for the allocation summary.
    let requests = Signal::derive(move || {
        savers.with(|all| {
            all.iter()
                .flat_map(|t| t.saver.value.get().pp_plus)
                .collect::<Vec<_>>()
        })
    });
    let adding = RwSignal::new(None::<String>);
    let add = {
        let pep_id = pep_id.clone();
        move |_| {
            let (pep_id, make) = (pep_id.clone(), make.clone());
            leptos::task::spawn_local(async move {
                match add_target(pep_id).await {
                    Ok(record) => {
                        savers.update(|all| all.push(make(record)));
                        adding.set(None);
                    }
                    Err(error) => adding.set(Some(error.to_string())),
                }
            });
        }
    };
    let rule_words = rule.with_value(|rule| rule_in_words(rule, key_stage));
    view! {
        <section class="pep-section" id="section-targets" aria-labelledby="section-targets-heading">
            <h2 class="heading-l" id="section-targets-heading">{label}</h2>
            <p class="hint">{format!("Completed by: {owner}")}</p>
            <p class="body">{rule_words}</p>
            <p class="body">
                {format!(
                    "Each target's date should fall between {} and the next PEP, due {}.",
                    crate::domain::deadlines::long_date(window.starts),
                    crate::domain::deadlines::long_date(window.next_review),
                )}
            </p>
            <div class="smart-mix" id="targets-mix">
                {move || {
                    let findings = mix();
                    if findings.is_empty() {
                        view! { <p class="body"><strong>"✓ The targets meet the council's rule."</strong></p> }.into_any()
                    } else {
                        view! {
                            <ul class="list smart-findings">
                                {findings.into_iter().map(|f| view! { <FindingLine finding=f /> }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }}
            </div>
            {(!mix_override.is_empty()).then(|| view! {
                <div class="inset">
                    <strong>"Why the targets stand although the rule is not met: "</strong>
                    {mix_override}
                </div>
            })}
            <PpPlusSummary budget=pp_plus lines=requests />
            {previous_part}
            <For
                each=move || savers.get().into_iter().enumerate()
                key=|(_, target)| target.id.clone()
                children=move |(n, target)| {
                    let (id, saver) = (target.id.clone(), target.saver);
                    let remove = {
                        let pep_id = pep_id.clone();
                        Callback::new(move |()| {
                            let (pep_id, id) = (pep_id.clone(), id.clone());
                            leptos::task::spawn_local(async move {
                                let version = saver.version.get_untracked();
                                match remove_target(pep_id, id.clone(), version).await {
                                    Ok(()) => savers.update(|all| all.retain(|t| t.id != id)),
                                    Err(error) => saver.state.set(SaveState::Refused(error.to_string())),
                                }
                            });
                        })
                    };
                    view! { <TargetEditor number=n + 1 pep_id=pep_id.clone() target window rule=rule.get_value() previous=previous_now editable decides_pp_plus remove /> }
                }
            />
            {editable.then(|| view! {
                <button type="button" class="button button--secondary" on:click=add>"Add a target"</button>
                <p class="error-message" role="alert">{move || adding.get()}</p>
            })}
        </section>
    }
}

/// Who the last change message said changed the targets or their PP+ requests.
fn who_changed_targets(room: Option<LiveRoom>) -> String {
    let (names, yours) = room.map_or((String::new(), false), |room| {
        room.parts_changed.with_untracked(|(_, changes)| {
            let ours = changes
                .iter()
                .filter(|c| matches!(c.part, PepPart::Targets | PepPart::PpPlus));
            let yours = ours.clone().any(|c| c.yours);
            let names = ours.flat_map(|c| c.by.clone()).collect::<Vec<_>>();
            (names.join(" and "), yours)
        })
    });
    match (names.is_empty(), yours) {
        (false, _) => names,
        (true, true) => "You, on another page,".to_string(),
        (true, false) => "Someone else".to_string(),
    }
}

/// Merges the targets as the server has them now into those on screen: a new one is added, a
/// changed one's structured parts are shown unless the person has changes in them not yet saved
/// (then both are shown to choose from), a removed one goes unless the person is writing in it
/// (then it stays, with why, so their words can be copied). Text parts merge as shared text on
/// their own, so the saver keeps its own copy of them and they never make a difference here.
/// Which actions a target has is taken as the server has it (an action removed elsewhere stays
/// while the person's words in it are still on their way, and its field says it was removed).
fn merge_targets(
    savers: RwSignal<Vec<OnScreen>>,
    fresh: Vec<TargetRecord>,
    make: &impl Fn(TargetRecord) -> OnScreen,
    by: String,
) {
    let on_screen = savers.get_untracked();
    for record in &fresh {
        let Some(target) = on_screen.iter().find(|t| t.id == record.id) else {
            continue;
        };
        let saver = target.saver;
        target.action_versions.update_value(|versions| {
            for (field, version) in &record.action_text_versions {
                versions.entry(field.clone()).or_insert(*version);
            }
        });
        let same_actions = saver.value.with_untracked(|value| {
            value.actions.len() == record.draft.actions.len()
                && value
                    .actions
                    .iter()
                    .zip(&record.draft.actions)
                    .all(|(mine, theirs)| mine.id == theirs.id)
        });
        if !same_actions {
            saver.reshape(|value| {
                *value = with_actions_of(value.clone(), &record.draft.actions, |id| {
                    target.writing_in_action(id)
                });
            });
        }
        let idle = !saver.unsaved() && !saver.saving();
        // Their structured parts, with the words and the actions as they are here.
        let theirs = saver.value.with_untracked(|value| {
            with_actions_of(
                with_text_of(record.draft.clone(), value),
                &value.actions,
                |_| false,
            )
        });
        let differs = saver.value.with_untracked(|value| *value != theirs);
        if record.version > saver.version.get_untracked() {
            saver.hear_remote(theirs, record.version, by.clone(), false);
        } else if idle && differs && record.version == saver.version.get_untracked() {
            // A PP+ decision changes a request, not the target's version.
            saver.take_remote(theirs, record.version);
        }
    }
    for target in &on_screen {
        if !fresh.iter().any(|record| record.id == target.id) && target.saver.unsaved() {
            target.saver.state.set(SaveState::Refused(format!(
                "{by} removed this target while you were writing in it. Copy your words into \
                 another target to keep them."
            )));
        }
    }
    let same_targets = on_screen.len() == fresh.len()
        && on_screen.iter().all(|t| fresh.iter().any(|r| r.id == t.id));
    if same_targets {
        return;
    }
    // In the server's order, with any target removed elsewhere but still being written here.
    let mut merged: Vec<OnScreen> = fresh
        .into_iter()
        .map(|record| {
            on_screen
                .iter()
                .find(|t| t.id == record.id)
                .cloned()
                .unwrap_or_else(|| make(record))
        })
        .collect();
    for kept in on_screen {
        if kept.saver.unsaved() && !merged.iter().any(|t| t.id == kept.id) {
            merged.push(kept);
        }
    }
    savers.set(merged);
}

/// "Northdale asks for 3 targets: English, Maths and another, one about writing at key stage 1."
fn rule_in_words(rule: &MixRule, key_stage: Option<u8>) -> String {
    let areas: Vec<&str> = rule.required_need_areas.iter().map(|a| a.label()).collect();
    let writing = match key_stage {
        Some(stage) if rule.writing_required_at_key_stages.contains(&stage) => {
            format!(", one of them about writing at key stage {stage}")
        }
        _ => String::new(),
    };
    format!(
        "The council asks for {} targets, including {}{writing}.",
        rule.targets_per_pep,
        areas.join(" and ")
    )
}
