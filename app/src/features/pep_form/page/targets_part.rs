//! The SMART targets part of the PEP page. A target's text parts (reason with baseline,
//! statement, success measure, link to the child's views, override reason) and its actions'
//! (what will be done, how often) are shared text like the PEP's free-text questions: several
//! people type in one at once and their words merge. Its structured parts (need area, date, who
//! does each action, PP+) are saved as one record at its version. Actions are added and removed
//! one at a time, so nobody's save of the target takes away an action someone else just added.
//! A live S-M-A-R-T checklist under it runs the same checks the server runs before the PEP may be
//! marked ready.

use leptos::prelude::*;

use std::collections::BTreeMap;

use super::field_part::follow_text;
use super::live_room::LiveRoom;
use super::pep_page::FreshForm;
use super::pp_plus_part::{PpPlusReadOnly, PpPlusRequests, PpPlusSummary};
use super::save_status_part::{ConflictChoice, ReplacedNotice, SaveStatus};
use super::saver::{Persist, SaveState, Saver};
use super::shared_text_part::{SharedText, SharedTextField};
use crate::domain::live::{FieldKey, PepPart};
use crate::domain::pep::SectionKey;
use crate::domain::roles::Role;
use crate::domain::smart::{Finding, Severity};
use crate::domain::targets::{
    ACTION_OWNERS, ActionDraft, ActionTextPart, Evaluation, MixRule, NeedArea, PreviousTarget,
    ReviewWindow, TargetDraft, TargetTextPart, check_against_previous, check_mix, check_target,
    with_actions_of, with_text_of,
};
use crate::error::AppError;
use crate::features::pep_form::{
    Saved, TargetEvaluation, TargetRecord, TargetsPart, add_target, add_target_action,
    evaluate_target, remove_target, remove_target_action, save_target,
};
use crate::ui::raw_text::textarea_content;

/// One target of one PEP.
#[derive(Clone)]
pub(crate) struct TargetRef {
    pep_id: String,
    target_id: String,
}

impl Persist for TargetRef {
    type Value = TargetDraft;
    fn save(
        self,
        value: TargetDraft,
        version: i64,
        // A target's save is its whole value over its version: sent twice, the second finds
        // the version moved and answers with the same value, which the saver takes as saved.
        _edit_id: String,
    ) -> impl std::future::Future<Output = Result<Saved<TargetDraft>, AppError>> + 'static {
        save_target(self.pep_id, self.target_id, version, value)
    }
}

/// Each text part's version when the target came to this page.
type TextVersions = BTreeMap<TargetTextPart, i64>;

/// A target on screen.
#[derive(Clone)]
struct OnScreen {
    id: String,
    /// Its structured parts (the text parts in it are its first words, not kept up to date).
    saver: Saver<TargetRef>,
    /// Its text parts' versions when it came to this page.
    text_versions: TextVersions,
    /// Its actions' words as they stand here, by action id (each row adds its own).
    action_words: RwSignal<BTreeMap<String, ActionWords>>,
    /// Each action text part's version when the action came to this page, by field.
    action_versions: StoredValue<BTreeMap<String, i64>>,
}

impl OnScreen {
    /// Someone is writing in the action here and the server does not have all of it yet.
    fn writing_in_action(&self, action_id: &str) -> bool {
        self.action_words.with_untracked(|words| {
            words
                .get(action_id)
                .and_then(|w| w.shared)
                .is_some_and(|parts| parts.iter().any(|p| p.holds_unsent()))
        })
    }
}

/// One action's words on this page: what each part says (`ActionTextPart::ALL` order), and
/// where the person writes, the shared texts.
#[derive(Clone, Copy)]
struct ActionWords {
    texts: [Signal<String>; 2],
    shared: Option<[SharedText; 2]>,
}

/// The evaluation of one target of the previous PEP, asked from this one.
#[derive(Clone)]
struct EvaluationRef {
    pep_id: String,
    target_id: String,
}

impl Persist for EvaluationRef {
    type Value = TargetEvaluation;
    fn save(
        self,
        value: TargetEvaluation,
        version: i64,
        _edit_id: String,
    ) -> impl std::future::Future<Output = Result<Saved<TargetEvaluation>, AppError>> + 'static
    {
        evaluate_target(self.pep_id, self.target_id, version, value)
    }
}

#[component]
pub fn TargetsSection(pep_id: String, part: TargetsPart) -> impl IntoView {
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

#[component]
pub(crate) fn FindingLine(finding: Finding) -> impl IntoView {
    let (mark, word) = match finding.severity {
        Severity::Error => ("✗", "Problem"),
        Severity::Warning => ("!", "Check"),
        Severity::Hint => ("i", "Hint"),
    };
    view! {
        <li class=format!("smart-finding smart-finding--{}", word.to_lowercase())>
            <span aria-hidden="true" class="smart-finding__mark">{mark}</span>
            <strong>{format!("{word}: ")}</strong>
            {finding.reason}
        </li>
    }
}

const LETTERS: [(char, &str); 5] = [
    ('S', "Specific"),
    ('M', "Measurable"),
    ('A', "Achievable: actions with owners"),
    ('R', "Relevant to a need"),
    ('T', "Time-bound"),
];

/// The S-M-A-R-T checklist of one target, recomputed as the person types.
#[component]
fn Checklist(findings: Signal<Vec<Finding>>, id: String) -> impl IntoView {
    view! {
        <div class="smart-checklist" id=id>
            <h4 class="heading-s">"SMART checklist"</h4>
            <ul class="list">
                {LETTERS
                    .iter()
                    .map(|&(letter, name)| {
                        let mine = move || {
                            findings
                                .get()
                                .into_iter()
                                .filter(|f| f.letter == letter)
                                .collect::<Vec<_>>()
                        };
                        view! {
                            <li class="smart-checklist__letter">
                                <span class="smart-checklist__initial" aria-hidden="true">{letter.to_string()}</span>
                                <strong>{format!("{name}: ")}</strong>
                                {move || {
                                    let mine = mine();
                                    if mine.is_empty() {
                                        view! { <span class="smart-ok">"✓ met"</span> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="list smart-findings">
                                                {mine.into_iter().map(|f| view! { <FindingLine finding=f /> }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }
                                }}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}

/// A new part's id: the target's id, `tag` (`-a` an action, `-p` a PP+ request) and a number
/// unique on this page, so a save that is retried never adds the part twice
/// (`domain::ids::is_part_id_of` checks it on the server).
pub(crate) fn new_part_id(target_id: &str, tag: &str) -> String {
    let millis = chrono::Utc::now().timestamp_millis();
    let salt = NEXT_PART.with(|n| {
        let value = n.get();
        n.set(value + 1);
        value
    });
    format!("{target_id}{tag}{millis}{salt}")
}

thread_local! {
    static NEXT_PART: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

#[component]
fn TargetEditor(
    number: usize,
    pep_id: String,
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

#[component]
fn Actions(number: usize, pep_id: String, target: OnScreen) -> impl IntoView {
    let saver = target.saver;
    let target_id = target.id.clone();
    let action_ids = move || {
        saver
            .value
            .with(|d| d.actions.iter().map(|a| a.id.clone()).collect::<Vec<_>>())
    };
    // Added on the server first (the id is made here, so a retry adds it once): its words are
    // shared text from the first key, and nobody's save of the target can drop it.
    let adding = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let add = {
        let pep_id = pep_id.clone();
        move |_| {
            let id = new_part_id(&target_id, "-a");
            let (pep_id, target_id) = (pep_id.clone(), target_id.clone());
            adding.set(true);
            leptos::task::spawn_local(async move {
                match add_target_action(pep_id, target_id, id.clone()).await {
                    Ok(()) => {
                        problem.set(None);
                        saver.reshape(|d| {
                            if !d.actions.iter().any(|a| a.id == id) {
                                d.actions.push(ActionDraft {
                                    id: id.clone(),
                                    ..ActionDraft::default()
                                });
                            }
                        });
                        focus_later(format!("action-{id}-description"));
                    }
                    Err(error) => problem.set(Some(format!(
                        "The action was not added: {error}. Try again when you are connected."
                    ))),
                }
                adding.set(false);
            });
        }
    };
    view! {
        <fieldset class="fieldset">
            <legend class="fieldset__legend heading-s">{format!("Actions for target {number}")}</legend>
            <For
                each=action_ids
                key=|id| id.clone()
                children=move |action_id| view! { <ActionRow pep_id=pep_id.clone() action_id target=target.clone() /> }
            />
            <button type="button" class="button button--secondary" on:click=add disabled=move || adding.get()>
                "Add an action"
            </button>
            <p class="error-message" role="alert">{move || problem.get()}</p>
        </fieldset>
    }
}

/// Moves focus to the element `id` once it is on the page (a field just added).
fn focus_later(id: String) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(element) = document()
            .get_element_by_id(&id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// The action's place in its target's list, from 1 ("Action 2").
fn place_of(saver: Saver<TargetRef>, action_id: String) -> Signal<usize> {
    Signal::derive(move || {
        saver.value.with(|d| {
            d.actions
                .iter()
                .position(|a| a.id == action_id)
                .map_or(0, |n| n + 1)
        })
    })
}

/// The action as it came to the page (its words then), and each part's version then.
fn first_words(target: &OnScreen, action_id: &str) -> (ActionDraft, [i64; 2]) {
    let first = target.saver.value.with_untracked(|d| {
        d.actions
            .iter()
            .find(|a| a.id == action_id)
            .cloned()
            .unwrap_or_default()
    });
    let version = |part: ActionTextPart| {
        target.action_versions.with_value(|versions| {
            versions
                .get(&part.field_of(action_id))
                .copied()
                .unwrap_or(0)
        })
    };
    let versions = [
        version(ActionTextPart::Description),
        version(ActionTextPart::Frequency),
    ];
    (first, versions)
}

/// One action where the person may write: its words as shared text, who does it saved with the
/// target, removed on its own.
#[component]
fn ActionRow(pep_id: String, action_id: String, target: OnScreen) -> impl IntoView {
    let saver = target.saver;
    let place = place_of(saver, action_id.clone());
    let (first, versions) = first_words(&target, &action_id);
    let shared = |part: ActionTextPart, version: i64| {
        SharedText::new(
            pep_id.clone(),
            FieldKey {
                section: SectionKey::Targets,
                field: part.field_of(&action_id),
            },
            part.of(&first).clone(),
            version,
            None,
        )
    };
    let description = shared(ActionTextPart::Description, versions[0]);
    let frequency = shared(ActionTextPart::Frequency, versions[1]);
    target.action_words.update(|words| {
        words.insert(
            action_id.clone(),
            ActionWords {
                texts: [
                    Signal::derive(move || description.text.get()),
                    Signal::derive(move || frequency.text.get()),
                ],
                shared: Some([description, frequency]),
            },
        );
    });
    {
        let (words, id) = (target.action_words, action_id.clone());
        on_cleanup(move || {
            words.try_update(|words| words.remove(&id));
        });
    }
    let dom_id = format!("action-{action_id}");
    let owner_now = {
        let id = action_id.clone();
        move || {
            saver.value.with(|d| {
                d.actions
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| a.owner_role.clone())
                    .unwrap_or_default()
            })
        }
    };
    let set_owner = {
        let id = action_id.clone();
        move |ev: leptos::ev::Event| {
            let chosen = event_target_value(&ev);
            saver.changed(|d| {
                if let Some(action) = d.actions.iter_mut().find(|a| a.id == id) {
                    action.owner_role = chosen;
                }
            });
        }
    };
    let owners = ACTION_OWNERS
        .iter()
        .map(|role| {
            let code = role.as_str();
            let owner_now = owner_now.clone();
            view! { <option value=code selected=move || owner_now() == code>{crate::ui::text::capitalise(role.label())}</option> }
        })
        .collect_view();
    let problem = RwSignal::new(None::<String>);
    let remove = {
        let id = action_id.clone();
        move |_| {
            let (pep_id, id) = (pep_id.clone(), id.clone());
            leptos::task::spawn_local(async move {
                match remove_target_action(pep_id, id.clone()).await {
                    Ok(()) => saver.reshape(|d| d.actions.retain(|a| a.id != id)),
                    Err(error) => problem.set(Some(format!("The action was not removed: {error}"))),
                }
            });
        }
    };
    let empty_owner = owner_now.clone();
    view! {
        <div class="action-row">
            <SharedTextField
                id=format!("{dom_id}-description")
                label=Signal::derive(move || format!("Action {}", place.get()))
                hint="One step: what will be done.".to_string()
                shared=description
                rows=2
            />
            <div class="form-group">
                <label class="label" for=format!("{dom_id}-owner")>"Who"</label>
                <select class="select" id=format!("{dom_id}-owner") on:change=set_owner>
                    <option value="" selected=move || empty_owner().is_empty()>"Choose…"</option>
                    {owners}
                </select>
            </div>
            <SharedTextField
                id=format!("{dom_id}-frequency")
                label="How often".to_string()
                hint="For example: daily, twice a week.".to_string()
                shared=frequency
                rows=1
            />
            <button type="button" class="button button--secondary" on:click=remove>
                {move || format!("Remove action {}", place.get())}
            </button>
            <p class="error-message" role="alert">{move || problem.get()}</p>
        </div>
    }
}

/// One action where the person reads: its words followed live as others type.
#[component]
fn ActionLine(pep_id: String, action_id: String, target: OnScreen) -> impl IntoView {
    let saver = target.saver;
    let (first, versions) = first_words(&target, &action_id);
    let followed = |part: ActionTextPart, version: i64| {
        let saved = RwSignal::new((part.of(&first).clone(), version));
        let key = FieldKey {
            section: SectionKey::Targets,
            field: part.field_of(&action_id),
        };
        follow_text(pep_id.clone(), key, saved, RwSignal::new(None));
        saved
    };
    let description = followed(ActionTextPart::Description, versions[0]);
    let frequency = followed(ActionTextPart::Frequency, versions[1]);
    let who = move || {
        saver.value.with(|d| {
            d.actions
                .iter()
                .find(|a| a.id == action_id)
                .and_then(|a| Role::parse(&a.owner_role).ok())
                .map_or("nobody named", |r| r.label())
        })
    };
    view! {
        <li>{move || format!("{} ({}, {})", description.get().0, who(), frequency.get().0)}</li>
    }
}

#[component]
fn PreviousTargetEvaluation(
    number: usize,
    previous: PreviousTarget,
    saver: Saver<EvaluationRef>,
    editable: bool,
) -> impl IntoView {
    let area = NeedArea::parse(&previous.need_area)
        .map(|a| a.label())
        .unwrap_or("No need area");
    let heading = format!("Last PEP's target {number}: {area}");
    if !editable {
        let judged = Evaluation::parse(&previous.evaluation)
            .map(|e| crate::ui::text::capitalise(e.label()))
            .unwrap_or_else(|_| "Not evaluated yet".to_string());
        return view! {
            <div class="target target--previous">
                <h4 class="heading-s">{heading}</h4>
                <p class="body">{previous.statement}</p>
                <p class="body"><strong>{judged}</strong>{(!previous.evidence.is_empty()).then(|| format!(": {}", previous.evidence))}</p>
            </div>
        }
        .into_any();
    }
    let id = format!("previous-{number}");
    let status_id = format!("{id}-status");
    let described_by = status_id.clone();
    let options = Evaluation::ALL
        .iter()
        .map(|evaluation| {
            let code = evaluation.as_str();
            let option_id = format!("{id}-{code}");
            view! {
                <div class="radios__item">
                    <input
                        class="radios__input"
                        type="radio"
                        id=option_id.clone()
                        name=format!("{id}-evaluation")
                        value=code
                        prop:checked=move || saver.value.get().evaluation == code
                        on:change=move |_| {
                            saver.changed(|e| e.evaluation = code.to_string());
                            saver.save();
                        }
                    />
                    <label class="label radios__label" for=option_id>{crate::ui::text::capitalise(evaluation.label())}</label>
                </div>
            }
        })
        .collect_view();
    let evidence_id = format!("{id}-evidence");
    let initial = previous.evidence.clone();
    view! {
        <fieldset class="fieldset target target--previous" aria-describedby=described_by>
            <legend class="fieldset__legend heading-s">{heading}</legend>
            <p class="body">{previous.statement}</p>
            {(!previous.success_measure.is_empty()).then(|| view! { <p class="hint">{format!("Success measure: {}", previous.success_measure)}</p> })}
            <div class="radios">{options}</div>
            <div class="form-group pep-field">
                <label class="label" for=evidence_id.clone()>"Evidence"</label>
                <textarea class="textarea" id=evidence_id rows="2"
                    prop:value=move || saver.value.get().evidence
                    on:input=move |ev| {
                        let typed = event_target_value(&ev);
                        saver.changed(|e| e.evidence = typed)
                    }
                    on:change=move |_| saver.save()
                    inner_html=textarea_content(&initial)
                />
            </div>
            <SaveStatus id=status_id saver />
            {move || match saver.state.get() {
                SaveState::Conflict { theirs, by, .. }
                | SaveState::ChangedElsewhere { theirs, by, .. } => Some(view! {
                    <ConflictChoice by saver>
                        <blockquote class="conflict__theirs">{format!("{}: {}", theirs.evaluation, theirs.evidence)}</blockquote>
                    </ConflictChoice>
                }),
                _ => None,
            }}
        </fieldset>
    }
    .into_any()
}

/// "19 March 2027" for a stored ISO date, as the rest of the app writes dates; as typed otherwise.
fn date_in_words(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso.trim(), "%Y-%m-%d")
        .map(crate::domain::deadlines::long_date)
        .unwrap_or_else(|_| iso.to_string())
}
