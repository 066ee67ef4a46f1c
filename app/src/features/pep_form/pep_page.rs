//! `/peps/:id`: the task list, then each section the person may read, their own ones editable.
//!
//! Free text is shared: each keystroke goes as an edit and merges with everyone else's
//! (`shared_text_part`). A short value (a count, a date) saves itself shortly after the person
//! stops typing and when they leave it, and a value someone else saved first is shown beside
//! theirs to choose from (`saver`). Either way, what they typed lives in the page's memory until
//! the server has it: a failed send says "not saved yet" and goes again (at once when the
//! connection returns), an ended session says so and keeps trying once they sign in again in
//! another tab. Nothing typed is ever thrown away.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::form_problems::{FormProblems, ProblemAlert};
use super::live_room::LiveRoom;
use super::presence_part::LivePresence;
use super::saver::{Heard, Persist, Replaced, SaveState, Saver};
use super::shared_text_part::{SharedText, SharedTextField};
use super::{
    FormField, FormSection, PepForm, Saved, TextEditSeen, TextSince, WorkflowPart,
    change_pep_state, pep_form, pep_text_since, pep_workflow, save_pep_field, set_section_status,
};
use crate::domain::live::{FieldKey, PepPart};
use crate::domain::pep::{PepState, SectionKey};
use crate::domain::pep_form::{FieldKind, SectionStatus};
use crate::domain::workflow::{Step, state_with_meeting};
use crate::error::AppError;
use crate::ui::countdown::{Countdown, PageCalendars};

#[component]
pub fn PepPage() -> impl IntoView {
    let params = use_params_map();
    let form = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        pep_form,
    );
    view! {
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(form) => view! { <Form form /> }.into_any(),
                    Err(error) => {
                        let message = error.why_not_shown("this PEP");
                        view! {
                            <Title text="Personal Education Plan" />
                            <h1 class="heading-xl">"Personal Education Plan"</h1>
                            <p class="body">{message}</p>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The PEP as last read again after someone else changed one of its parts (`None` until then):
/// each part merges its own piece into what is on screen.
#[derive(Clone, Copy)]
pub(super) struct FreshForm(pub RwSignal<Option<PepForm>>);

impl FreshForm {
    /// Runs `merge` with each fresh reading of one piece of the form.
    pub(super) fn each<T: 'static>(
        pick: impl Fn(&PepForm) -> Option<T> + 'static,
        merge: impl Fn(T) + 'static,
    ) {
        if let Some(FreshForm(fresh)) = use_context::<FreshForm>() {
            Effect::new(move |_| {
                if let Some(piece) = fresh.with(|form| form.as_ref().and_then(&pick)) {
                    merge(piece);
                }
            });
        }
    }
}

/// Reads from the server one at a time: asked again while a read is on its way, it reads once
/// more after it (never two at once, never a change missed).
#[derive(Clone, Copy)]
struct OneReadAtATime {
    /// (a read is on its way, another is wanted after it)
    state: StoredValue<(bool, bool)>,
}

impl OneReadAtATime {
    fn new() -> Self {
        OneReadAtATime {
            state: StoredValue::new((false, false)),
        }
    }

    fn run<F, R>(self, read: F)
    where
        F: Fn() -> R + 'static,
        R: std::future::Future<Output = ()> + 'static,
    {
        if self.state.get_value().0 {
            self.state.set_value((true, true));
            return;
        }
        self.state.set_value((true, false));
        leptos::task::spawn_local(async move {
            loop {
                read().await;
                if !self.state.get_value().1 {
                    break;
                }
                self.state.set_value((true, false));
            }
            self.state.set_value((false, false));
        });
    }
}

/// A word on a PEP nobody can change, while it is so.
fn state_note(state: PepState) -> Option<&'static str> {
    match state {
        PepState::Approved => {
            Some("This PEP is approved: it is kept as it was and nobody can change it.")
        }
        PepState::Submitted => Some(
            "This PEP is with the Virtual School for quality assurance: nobody can change it until it is approved or returned.",
        ),
        _ => None,
    }
}

#[component]
fn Form(form: PepForm) -> impl IntoView {
    let calendars = PageCalendars::new(form.calendars.clone());
    let statuses: Vec<(SectionKey, RwSignal<SectionStatus>)> = form
        .sections
        .iter()
        .map(|s| (s.key, RwSignal::new(s.status)))
        .collect();
    let status_of = {
        let statuses = statuses.clone();
        move |key: SectionKey| {
            statuses
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, s)| *s)
                .unwrap_or_else(|| RwSignal::new(SectionStatus::NotStarted))
        }
    };
    let completed = {
        let statuses = statuses.clone();
        let total = statuses.len();
        move || {
            let done = statuses
                .iter()
                .filter(|(_, s)| s.get() == SectionStatus::Completed)
                .count();
            format!("{done} of {total} sections completed")
        }
    };
    // Everyone with this PEP open sees each other and each other's words as they are typed.
    let room = LiveRoom::new(form.pep_id.clone(), form.revision, form.meeting.clone());
    provide_context(room);
    Effect::new(move |_| room.connect());
    // The workflow reads itself again when the PEP moves or what blocks it changes (by anyone);
    // the state shown follows the meeting as soon as it is heard.
    let workflow = RwSignal::new(form.workflow.clone());
    let workflow_pep = StoredValue::new(form.pep_id.clone());
    Effect::new(move |_| {
        if room.workflow_rechecks.get() == 0 {
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(part) = pep_workflow(workflow_pep.get_value()).await {
                workflow.set(part);
            }
        });
    });
    // Parts others change (targets, PP+, the action log, suspensions, the task list) are read
    // again, one read at a time with one more if more changed meanwhile; each part merges what
    // it reads into what is on screen, so nothing typed here is replaced.
    let fresh = RwSignal::new(None::<PepForm>);
    provide_context(FreshForm(fresh));
    let form_reads = OneReadAtATime::new();
    Effect::new(move |runs: Option<()>| {
        // The state alone is read by the workflow part (above): the form has nothing new.
        let news = room
            .parts_changed
            .with(|(_, parts)| parts.iter().any(|change| change.part != PepPart::State));
        if runs.is_none() || !news {
            return;
        }
        form_reads.run(move || async move {
            if let Ok(form) = pep_form(workflow_pep.get_value()).await {
                fresh.set(Some(form));
            }
        });
    });
    {
        let statuses = statuses.clone();
        Effect::new(move |_| {
            fresh.with(|form| {
                for section in form.iter().flat_map(|form| &form.sections) {
                    if let Some((_, status)) = statuses.iter().find(|(k, _)| *k == section.key)
                        && status.get_untracked() != section.status
                    {
                        status.set(section.status);
                    }
                }
            })
        });
    }
    let state = move || state_with_meeting(workflow.get().state, room.meeting.get().as_ref());
    let field_labels: Vec<(FieldKey, String)> =
        form.sections
            .iter()
            .flat_map(|section| {
                section.fields.iter().map(|field| {
                    (
                        FieldKey::new(section.key, &field.key),
                        format!("{}: {}", section.label, field.label),
                    )
                })
            })
            // Where someone is in a target (numbered as the page first showed them).
            .chain(form.targets.iter().flat_map(|part| {
                part.targets.iter().enumerate().flat_map(|(n, target)| {
                    crate::domain::targets::TargetTextPart::ALL
                        .iter()
                        .map(move |part| {
                            (
                                FieldKey::new(SectionKey::Targets, &part.field_of(&target.id)),
                                format!("Target {}: {}", n + 1, part.label()),
                            )
                        })
                        .chain(target.draft.actions.iter().enumerate().flat_map(
                            move |(m, action)| {
                                crate::domain::targets::ActionTextPart::ALL.iter().map(
                                    move |part| {
                                        (
                                            FieldKey::new(
                                                SectionKey::Targets,
                                                &part.field_of(&action.id),
                                            ),
                                            format!(
                                                "Target {}, action {}: {}",
                                                n + 1,
                                                m + 1,
                                                part.label()
                                            ),
                                        )
                                    },
                                )
                            },
                        ))
                })
            }))
            .collect();
    let title = format!("{}: {}", form.child_name, form.title);
    let task_list = form
        .sections
        .iter()
        .map(|section| {
            let status = status_of(section.key);
            // Marked completed on this page: its countdown goes (the server sends none for it).
            let due = section.due.clone().map(|data| {
                let calendars = calendars.clone();
                move || {
                    (status.get() != SectionStatus::Completed).then(|| {
                        view! { <Countdown data=data.clone() calendars=calendars.clone() /> }
                    })
                }
            });
            view! {
                <li class="task-list__item">
                    <a class="task-list__name" href=format!("#section-{}", section.key.as_str())>
                        {section.label.clone()}
                    </a>
                    <span class="task-list__owner">{format!("Completed by: {}", section.owner)}</span>
                    <span class="task-list__due">{due}</span>
                    <strong class=move || format!("tag tag--{}", status.get().as_str())>
                        {move || crate::ui::text::capitalise(status.get().label())}
                    </strong>
                </li>
            }
        })
        .collect_view();
    let pep_id = form.pep_id.clone();
    let targets = form.targets.clone().map(|part| {
        view! { <super::targets_part::TargetsSection pep_id=pep_id.clone() part /> }
    });
    let details = form.child_details.clone();
    let suspensions = form.suspensions.clone();
    let action_log = form.action_log.clone().map(|items| {
        view! {
            <ActionLog
                pep_id=form.pep_id.clone()
                items
                adds=form.adds_actions
                owners=form.action_owners.clone()
                calendars=calendars.clone()
            />
        }
    });
    let sections = form
        .sections
        .into_iter()
        .map(|section| {
            let status = status_of(section.key);
            let details = (section.key == SectionKey::ChildDetails).then(|| details.clone());
            let suspensions = suspensions
                .clone()
                .filter(|_| section.key == SectionKey::SuspensionsExclusions);
            view! { <Section pep_id=pep_id.clone() section status details suspensions /> }
        })
        .collect_view();
    view! {
        <Title text=title.clone() />
        <p class="body">
            <a href=format!("/children/{}", form.child_id)>{format!("Back to {}'s record", form.child_name)}</a>
        </p>
        <span class="caption">"Personal Education Plan"</span>
        <h1 class="heading-xl">{title}</h1>
        <p class="body">
            "State: " <strong class=move || format!("tag tag--{}", state().as_str())>{move || crate::ui::text::capitalise(state().label())}</strong>
        </p>
        {move || state_note(state()).map(|note| view! { <div class="inset">{note}</div> })}
        // One wrapper for both: with them as two more siblings of this view the hydrated page
        // expected a marker the server had not written (tachys 0.2.19; found by bisecting).
        <div class="live-and-meeting">
            <LivePresence room labels=field_labels />
            <super::meeting_part::MeetingPart
                pep_id=form.pep_id.clone()
                room
                runs=form.runs_meeting
                team=form.meeting_team.clone()
            />
        </div>
        <Workflow pep_id=form.pep_id.clone() part=workflow />
        <h2 class="heading-l" id="task-list-heading">"Task list"</h2>
        <p class="body" id="task-list-summary">{completed}</p>
        <ol class="task-list" aria-labelledby="task-list-heading">{task_list}</ol>
        {sections}
        {targets}
        {action_log}
    }
}

#[component]
fn Section(
    pep_id: String,
    section: FormSection,
    status: RwSignal<SectionStatus>,
    details: Option<Vec<(String, String)>>,
    /// The child's suspension records, shown in the section for them.
    suspensions: Option<super::SuspensionsPart>,
) -> impl IntoView {
    let key = section.key;
    let suspensions = suspensions.map(|part| {
        view! { <super::suspensions_part::SuspensionLog pep_id=pep_id.clone() part /> }
    });
    let heading_id = format!("section-{}-heading", key.as_str());
    let labelled_by = heading_id.clone();
    let details = details.map(|rows| {
        let rows = rows
            .into_iter()
            .map(|(label, value)| view! { <div class="summary-list__row"><dt class="summary-list__key">{label}</dt><dd class="summary-list__value">{value}</dd></div> })
            .collect_view();
        view! { <dl class="summary-list">{rows}</dl> }
    });
    let editable = section.editable;
    let started = Callback::new(move |()| {
        if status.get_untracked() == SectionStatus::NotStarted {
            status.set(SectionStatus::InProgress);
        }
    });
    // Each field's value as it stands on screen, for what the section works out from them.
    let mut values: Vec<(String, Signal<String>)> = Vec::new();
    let fields = section
        .fields
        .into_iter()
        .map(|field| {
            if editable {
                let where_saved = FieldRef {
                    pep_id: pep_id.clone(),
                    section: key,
                    field: field.key.clone(),
                };
                if field.kind == FieldKind::Text {
                    let shared = SharedText::new(
                        pep_id.clone(),
                        FieldKey::new(key, &field.key),
                        field.value.clone(),
                        field.version,
                        Some(started),
                    );
                    values.push((field.key.clone(), shared.text.into()));
                    return view! {
                        <SharedTextField
                            id=format!("{}-{}", key.as_str(), field.key)
                            label=field.label
                            hint=field.hint
                            shared
                        />
                    }
                    .into_any();
                }
                let saver = Saver::new(
                    where_saved,
                    field.value.clone(),
                    field.version,
                    Some(started),
                );
                values.push((field.key.clone(), saver.value.into()));
                view! { <FieldEditor section=key field saver /> }.into_any()
            } else {
                values.push((field.key.clone(), Signal::stored(field.value.clone())));
                view! { <ReadOnlyField pep_id=pep_id.clone() section=key field /> }.into_any()
            }
        })
        .collect_view();
    let facts = section_facts(key, values);
    // The young person's own part: bigger words and a plain welcome, for a phone in a child's
    // hand or a screen shared with their designated teacher.
    let young_person = key == SectionKey::YoungPersonViews;
    // During the meeting its record stands out for everyone (focus stays where they are).
    let room = use_context::<LiveRoom>();
    let in_meeting = move || {
        key == SectionKey::MeetingRecord
            && room.is_some_and(|room| room.meeting.get().is_some_and(|m| m.running()))
    };
    let section_class = move || match (young_person, in_meeting()) {
        (true, _) => "pep-section pep-section--young-person",
        (false, true) => "pep-section pep-section--in-meeting",
        (false, false) => "pep-section",
    };
    let young_person_intro = (young_person && editable).then(|| {
        view! {
            <p class="body lead">
                "This part is yours. Write as much or as little as you like, in your own words. \
                 What you write saves by itself, and you can come back to it later."
            </p>
        }
    });
    let marking = RwSignal::new(None::<String>);
    let mark = {
        let pep_id = pep_id.clone();
        move |next: SectionStatus| {
            let pep_id = pep_id.clone();
            leptos::task::spawn_local(async move {
                match set_section_status(
                    pep_id,
                    key.as_str().to_string(),
                    next.as_str().to_string(),
                )
                .await
                {
                    Ok(()) => {
                        status.set(next);
                        marking.set(None);
                    }
                    Err(error) => marking.set(Some(error.to_string())),
                }
            });
        }
    };
    let mark_button = editable.then(|| {
        let mark = mark.clone();
        view! {
            <div class="section-status">
                {move || match status.get() {
                    SectionStatus::Completed => {
                        let mark = mark.clone();
                        view! {
                            <button type="button" class="button button--secondary" on:click=move |_| mark(SectionStatus::InProgress)>
                                "Mark as in progress"
                            </button>
                        }.into_any()
                    }
                    current => {
                        let mark = mark.clone();
                        let text = if current == SectionStatus::NeedsChecking {
                            "These details are correct"
                        } else {
                            "Mark as completed"
                        };
                        view! {
                            <button type="button" class="button" on:click=move |_| mark(SectionStatus::Completed)>
                                {text}
                            </button>
                        }.into_any()
                    }
                }}
                <p class="error-message" role="alert">{move || marking.get()}</p>
            </div>
        }
    });
    view! {
        <section class=section_class id=format!("section-{}", key.as_str()) aria-labelledby=labelled_by>
            <h2 class="heading-l" id=heading_id>{section.label}</h2>
            <p class="hint">
                {format!("Completed by: {}", section.owner)}
                {(!editable).then_some(" · You can read this section")}
            </p>
            {young_person_intro}
            {details}
            {suspensions}
            {fields}
            {facts}
            {mark_button}
        </section>
    }
}

/// A field the person may read but not write: what is saved, or what its writer is typing now.
#[component]
fn ReadOnlyField(pep_id: String, section: SectionKey, field: FormField) -> impl IntoView {
    let key = FieldKey::new(section, &field.key);
    let saved = RwSignal::new((field.value.clone(), field.version));
    let last_change = RwSignal::new(field.last_change.clone());
    let room = use_context::<LiveRoom>();
    follow_text(pep_id, key.clone(), saved, last_change);
    let draft = {
        let key = key.clone();
        Memo::new(move |_| room.and_then(|room| room.drafts.with(|d| d.get(&key).cloned())))
    };
    // Who is typing here: a short value's draft names its writer; free text's writers are in
    // the presence list (their words arrive as saved edits).
    let typing_by = Memo::new(move |_| {
        let room = room?;
        let me = room.me.get();
        room.people.with(|people| {
            people
                .iter()
                .find(|p| p.connection != me && p.typing && p.field.as_ref() == Some(&key))
                .map(|p| p.name.clone())
        })
    });
    let shown = move || match draft.get() {
        Some(draft) => draft.value,
        None => saved.get().0,
    };
    let value = move || {
        let text = shown();
        if text.trim().is_empty() {
            view! { <p class="body hint">"Not written yet."</p> }.into_any()
        } else {
            let paragraphs = text
                .split("\n\n")
                .map(|p| view! { <p class="body pep-field__text">{p.to_string()}</p> })
                .collect_view();
            view! { <div>{paragraphs}</div> }.into_any()
        }
    };
    view! {
        <div class="pep-field">
            <h3 class="heading-s">{field.label}</h3>
            {value}
            <p class="hint">
                {move || match draft.get().map(|d| d.by).or_else(|| typing_by.get()) {
                    Some(by) => format!("{by} is typing here…"),
                    None => last_change.get().map(|c| format!("Last changed by {c}")).unwrap_or_default(),
                }}
            </p>
        </div>
    }
}

/// One field of one section of one PEP.
#[derive(Clone)]
struct FieldRef {
    pep_id: String,
    section: SectionKey,
    field: String,
}

impl Persist for FieldRef {
    type Value = String;
    fn save(
        self,
        value: String,
        version: i64,
        edit_id: String,
    ) -> impl std::future::Future<Output = Result<Saved<String>, AppError>> + 'static {
        save_pep_field(
            self.pep_id,
            self.section.as_str().to_string(),
            self.field,
            value,
            version,
            Some(edit_id),
        )
    }
}

/// A short value (a count, a date): saved whole at the version it was read, so two people
/// changing it at once are shown both values (free text merges instead: `SharedTextField`).
#[component]
fn FieldEditor(section: SectionKey, field: FormField, saver: Saver<FieldRef>) -> impl IntoView {
    let id = format!("{}-{}", section.as_str(), field.key);
    let hint_id = format!("{id}-hint");
    let status_id = format!("{id}-status");
    let described_by = format!("{hint_id} {status_id}");
    let initial = field.value.clone();
    let key = FieldKey::new(section, &field.key);
    let room = use_context::<LiveRoom>();
    let focused_here = {
        let key = key.clone();
        move || room.is_some_and(|room| room.focused.get_untracked().as_ref() == Some(&key))
    };
    if let Some(room) = room {
        let key = key.clone();
        let label = field.label.clone();
        Effect::new(move |_| {
            room.committed.with(|(_, batch)| {
                let Some(changed) = batch.iter().find(|c| c.field == key) else {
                    return;
                };
                let by = changed.by.clone();
                match saver.hear_remote(
                    changed.value.clone(),
                    changed.version,
                    by.clone(),
                    focused_here(),
                ) {
                    Heard::ReplacedYours => {
                        room.announce(format!("{by} replaced your value in “{label}”."));
                    }
                    Heard::Shown => room.announce(format!("{by} changed “{label}”.")),
                    Heard::Held => room.announce(format!(
                        "{by} changed “{label}” while you were in it: review their version."
                    )),
                    Heard::Nothing => {}
                }
            })
        });
        Effect::new(move |runs: Option<u64>| {
            let ticks = room.reconnected.get();
            if runs.is_some() {
                saver.send_now();
            }
            ticks
        });
    }
    let on_focus = {
        let key = key.clone();
        move |_| {
            if let Some(room) = room {
                room.focus(Some(key.clone()));
            }
        }
    };
    let on_blur = move |_| {
        if let Some(room) = room {
            room.focus(None);
        }
        saver.save();
    };
    let typed = move |value: String| {
        if let Some(room) = room {
            room.draft(key.clone(), value.clone());
        }
        saver.changed(|v| *v = value);
    };
    let kind = field.kind;
    view! {
        <div class="form-group pep-field" class:form-group--error=move || saver.refused()>
            <label class="label" for=id.clone()>{field.label}</label>
            <p class="hint" id=hint_id>{field.hint}</p>
            <input
                class=if kind == FieldKind::Count { "input input--width-5" } else { "input input--width-10" }
                type=if kind == FieldKind::Date { "date" } else { "text" }
                inputmode=(kind == FieldKind::Count).then_some("numeric")
                id=id.clone()
                name=id.clone()
                aria-describedby=described_by
                value=initial
                prop:value=move || saver.value.get()
                on:input=move |ev| typed(event_target_value(&ev))
                on:focus=on_focus
                on:blur=on_blur
                on:change=move |_| saver.save()
            />
            <SaveStatus id=status_id saver />
            <ReplacedNotice saver show=String::clone />
            {move || match saver.state.get() {
                SaveState::Conflict { theirs, by, .. }
                | SaveState::ChangedElsewhere { theirs, by, .. } => Some(view! {
                    <ConflictChoice by saver>
                        <blockquote class="conflict__theirs">{theirs}</blockquote>
                    </ConflictChoice>
                }),
                _ => None,
            }}
        </div>
    }
}

/// Keeps `saved` (text, version) of a shared text this person only reads as it is now: the
/// others' edits are merged in order, a gap (a message missed, too many edits for one message)
/// is read from the server one read at a time, and a whole value the channel sends is taken
/// when newer. `last_change` gets who changed it.
pub(super) fn follow_text(
    pep_id: String,
    key: FieldKey,
    saved: RwSignal<(String, i64)>,
    last_change: RwSignal<Option<String>>,
) {
    let Some(room) = use_context::<LiveRoom>() else {
        return;
    };
    let edits_key = key.clone();
    let pep_id = StoredValue::new(pep_id);
    let gap_reads = OneReadAtATime::new();
    Effect::new(move |_| {
        let gap = room.text_edits.with(|(_, batch)| {
            for edit in batch.iter().filter(|e| e.field == edits_key) {
                if !merge_read_only(saved, &edit.edit) {
                    return true;
                }
                if !edit.by.is_empty() {
                    last_change.set(Some(edit.by.clone()));
                }
            }
            false
        });
        if !gap {
            return;
        }
        let FieldKey { section, field } = edits_key.clone();
        // Each read starts from the version merged by then, so edits that arrived during a
        // read are caught by the next.
        gap_reads.run(move || {
            let field = field.clone();
            async move {
                let version = saved.get_untracked().1;
                let since =
                    pep_text_since(pep_id.get_value(), section.as_str().into(), field, version);
                match since.await {
                    Ok(TextSince::Edits { edits }) => {
                        for edit in &edits {
                            merge_read_only(saved, edit);
                        }
                    }
                    Ok(TextSince::Resync { text, version })
                        if version > saved.get_untracked().1 =>
                    {
                        saved.set((text, version));
                    }
                    _ => {}
                }
            }
        });
    });
    Effect::new(move |_| {
        room.committed.with(|(_, batch)| {
            if let Some(changed) = batch.iter().find(|c| c.field == key)
                && changed.version > saved.get_untracked().1
            {
                saved.set((changed.value.clone(), changed.version));
                last_change.set(Some(changed.by.clone()));
            }
        })
    });
}

/// Merges one edit into a read-only field's text when it is the next one; `false` for a gap
/// (one or more edits missing before it), which the field then reads from the server.
fn merge_read_only(saved: RwSignal<(String, i64)>, edit: &TextEditSeen) -> bool {
    let (text, version) = saved.get_untracked();
    if edit.version <= version {
        return true;
    }
    match (edit.version == version + 1).then(|| edit.op.apply(&text).ok()) {
        Some(Some(merged)) => {
            saved.set((merged, edit.version));
            true
        }
        _ => false,
    }
}

/// The status line under a saved value. Polite and short: a state change is announced once, and
/// nothing in it ticks.
#[component]
pub(super) fn SaveStatus<K: Persist>(id: String, saver: Saver<K>) -> impl IntoView {
    view! { <SaveStatusLine id words=Signal::derive(move || saver.status_words()) /> }
}

/// The status line itself, for any value on its way to the server.
#[component]
pub(super) fn SaveStatusLine(id: String, words: Signal<String>) -> impl IntoView {
    view! {
        <p class="pep-field__status" id=id aria-live="polite">
            {move || words.get()}
        </p>
    }
}

/// Someone else's version beside the person's own, to choose which to keep.
#[component]
pub(super) fn ConflictChoice<K: Persist>(
    by: String,
    saver: Saver<K>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="conflict" role="group" aria-label=format!("Choose between your words and {by}'s")>
            <h3 class="heading-s">{format!("{by} saved this version")}</h3>
            {children()}
            <p class="body">"Your version is on screen above. Choose which to keep; you can edit it afterwards."</p>
            <div class="button-group">
                <button type="button" class="button" on:click=move |_| saver.keep_mine()>
                    "Keep my version"
                </button>
                <button type="button" class="button button--secondary" on:click=move |_| saver.use_theirs()>
                    {format!("Use {by}'s version")}
                </button>
            </div>
        </div>
    }
}

/// Told when someone else's save replaced a value this person saved: theirs is on screen above,
/// the person's own is here to put back with one press.
#[component]
pub(super) fn ReplacedNotice<K: Persist>(
    saver: Saver<K>,
    /// The value in a few words.
    show: fn(&K::Value) -> String,
) -> impl IntoView {
    move || {
        saver.replaced.get().map(|Replaced { yours, by }| {
            view! {
                <div class="inset replaced" role="group" aria-label=format!("{by} replaced your value")>
                    <p class="body">{format!("{by} replaced your value “{}”: theirs is shown above.", show(&yours))}</p>
                    <div class="button-group">
                        <button type="button" class="button button--secondary" on:click=move |_| saver.put_mine_back()>
                            "Put mine back"
                        </button>
                        <button type="button" class="button button--secondary" on:click=move |_| saver.replaced.set(None)>
                            "Keep theirs"
                        </button>
                    </div>
                </div>
            }
        })
    }
}

/// "What happens next": the workflow moves open to the person, with what stands in the way. It
/// follows `part`, which the page reads again whenever the PEP moves or its targets change, so the
/// buttons and blockers are never stale; what is typed in the reasons stays across a re-read.
#[component]
fn Workflow(pep_id: String, part: RwSignal<WorkflowPart>) -> impl IntoView {
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
            let moved = change_pep_state(
                pep_id.get_value(),
                to.as_str().to_string(),
                version,
                why,
                without,
            );
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

/// What a section's figures add up to, worked out as they are typed: attendance as a percentage
/// with its absence flag, and a part-time timetable past its planned end.
fn section_facts(section: SectionKey, values: Vec<(String, Signal<String>)>) -> Option<AnyView> {
    use crate::domain::school_record::{Attendance, part_time_timetable_flag};
    let value = move |key: &str| {
        values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| Signal::stored(String::new()))
    };
    let words: Box<dyn Fn() -> Option<String> + Send + Sync> = match section {
        SectionKey::Attendance => {
            let (possible, attended) = (value("sessions_possible"), value("sessions_attended"));
            Box::new(move || {
                let possible = possible.get().trim().parse::<u32>().ok()?;
                let attended = attended.get().trim().parse::<u32>().ok()?;
                Some(match Attendance::new(possible, attended) {
                    Ok(attendance) => format!("Attendance this year: {}", attendance.in_words()),
                    Err(problem) => problem,
                })
            })
        }
        SectionKey::PartTimeAlternative => {
            let (arrangement, planned_end) = (value("arrangement"), value("planned_end"));
            Box::new(move || {
                let end = planned_end.get();
                let end = match end.trim() {
                    "" => None,
                    typed => Some(chrono::NaiveDate::parse_from_str(typed, "%Y-%m-%d").ok()?),
                };
                let today = crate::domain::uk_time::uk_today(chrono::Utc::now());
                part_time_timetable_flag(&arrangement.get(), end, today)
            })
        }
        _ => return None,
    };
    let id = format!("{}-facts", section.as_str());
    Some(
        view! {
            <p class="section-facts" id=id>
                {move || words().map(|w| view! { <strong>{w}</strong> })}
            </p>
        }
        .into_any(),
    )
}

/// The PEP's action log: every action with its owner, how often, its countdown while open, and
/// its status in words; and, for whoever may add to it, a form to add one not tied to a target.
#[component]
fn ActionLog(
    pep_id: String,
    items: Vec<super::ActionLogItem>,
    adds: bool,
    owners: Vec<super::ActionOwner>,
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
    pep_id: String,
    owners: Vec<super::ActionOwner>,
    items: RwSignal<Vec<super::ActionLogItem>>,
) -> impl IntoView {
    let draft = RwSignal::new(super::NewAction::default());
    let problems = FormProblems::new();
    let done = RwSignal::new(None::<String>);
    let problem = move |field: &'static str| problems.of(field);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (pep_id, sent) = (pep_id.clone(), draft.get_untracked());
        leptos::task::spawn_local(async move {
            match super::add_action(pep_id, sent).await {
                Ok(item) => {
                    done.set(Some(format!("Added: {}", item.description)));
                    items.update(|all| all.insert(0, item));
                    problems.clear();
                    draft.set(super::NewAction::default());
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
