//! `/peps/:id`: the task list, then each section the person may read, their own ones editable.
//!
//! Every field saves itself shortly after the person stops typing and when they leave it. What
//! they typed lives in the page's memory until the server has it: a failed save says "not saved
//! yet" and tries again with growing pauses (a dropped connection, a closed lid), an ended
//! session says so and keeps trying once they sign in again in another tab, and a change someone
//! else saved first is shown beside theirs to choose from. Nothing typed is ever thrown away.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{
    FieldSaved, FormField, FormSection, PepForm, pep_form, save_pep_field, set_section_status,
};
use crate::domain::pep::{PepState, SectionKey};
use crate::domain::pep_form::{FieldKind, SectionStatus};
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

#[component]
fn Form(form: PepForm) -> impl IntoView {
    let calendars = PageCalendars::new(form.calendars.clone());
    let state_note = match form.state {
        PepState::Approved => {
            Some("This PEP is approved: it is kept as it was and nobody can change it.")
        }
        PepState::Submitted => Some(
            "This PEP is with the Virtual School for quality assurance: nobody can change it until it is approved or returned.",
        ),
        _ => None,
    };
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
    let title = format!("{}: {}", form.child_name, form.title);
    let task_list = form
        .sections
        .iter()
        .map(|section| {
            let status = status_of(section.key);
            let due = section.due.clone().map(|data| {
                view! { <Countdown data calendars=calendars.clone() /> }
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
    let details = form.child_details.clone();
    let sections = form
        .sections
        .into_iter()
        .map(|section| {
            let status = status_of(section.key);
            let details = (section.key == SectionKey::ChildDetails).then(|| details.clone());
            view! { <Section pep_id=pep_id.clone() section status details /> }
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
            "State: " <strong class=format!("tag tag--{}", form.state.as_str())>{crate::ui::text::capitalise(form.state.label())}</strong>
        </p>
        {state_note.map(|note| view! { <div class="inset">{note}</div> })}
        <h2 class="heading-l" id="task-list-heading">"Task list"</h2>
        <p class="body" id="task-list-summary">{completed}</p>
        <ol class="task-list" aria-labelledby="task-list-heading">{task_list}</ol>
        {sections}
    }
}

#[component]
fn Section(
    pep_id: String,
    section: FormSection,
    status: RwSignal<SectionStatus>,
    details: Option<Vec<(String, String)>>,
) -> impl IntoView {
    let key = section.key;
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
    let fields = section
        .fields
        .into_iter()
        .map(|field| {
            if editable {
                view! { <FieldEditor pep_id=pep_id.clone() section=key field status /> }.into_any()
            } else {
                view! { <ReadOnlyField field /> }.into_any()
            }
        })
        .collect_view();
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
        <section class="pep-section" id=format!("section-{}", key.as_str()) aria-labelledby=labelled_by>
            <h2 class="heading-l" id=heading_id>{section.label}</h2>
            <p class="hint">
                {format!("Completed by: {}", section.owner)}
                {(!editable).then_some(" · You can read this section")}
            </p>
            {details}
            {fields}
            {mark_button}
        </section>
    }
}

#[component]
fn ReadOnlyField(field: FormField) -> impl IntoView {
    let value = if field.value.trim().is_empty() {
        view! { <p class="body hint">"Not written yet."</p> }.into_any()
    } else {
        let paragraphs = field
            .value
            .split("\n\n")
            .map(|p| view! { <p class="body pep-field__text">{p.to_string()}</p> })
            .collect_view();
        view! { <div>{paragraphs}</div> }.into_any()
    };
    view! {
        <div class="pep-field">
            <h3 class="heading-s">{field.label}</h3>
            {value}
            {field.last_change.map(|c| view! { <p class="hint">{format!("Last changed by {c}")}</p> })}
        </div>
    }
}

/// Where one field's text is on its way to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SaveState {
    /// The server has exactly what is on screen.
    Saved,
    /// Typed since the last save; a save follows shortly.
    Editing,
    Saving,
    /// The last attempt failed (offline, server busy); another follows.
    Retrying,
    /// The session ended: kept on screen, tried again every half minute.
    SignedOut,
    /// Someone else saved this field first.
    Conflict {
        theirs: String,
        version: i64,
        by: String,
    },
    /// The server refused the value (what to change), or the section closed to this person.
    Refused(String),
}

/// How long after the last keystroke a field saves itself.
const TYPING_PAUSE_MS: u64 = 800;
/// The longest wait between retries of a failed save.
const LONGEST_RETRY_SECONDS: u64 = 30;

#[derive(Clone, Copy)]
struct FieldSaver {
    pep_id: StoredValue<String>,
    section: SectionKey,
    field: StoredValue<String>,
    text: RwSignal<String>,
    /// The text the server holds at `version`.
    confirmed: RwSignal<String>,
    version: RwSignal<i64>,
    state: RwSignal<SaveState>,
    in_flight: RwSignal<bool>,
    keystrokes: RwSignal<u64>,
    retry_seconds: RwSignal<u64>,
    section_status: RwSignal<SectionStatus>,
}

impl FieldSaver {
    fn typed(self, value: String) {
        self.text.set(value);
        if !matches!(self.state.get_untracked(), SaveState::Conflict { .. }) {
            self.state.set(SaveState::Editing);
        }
        self.keystrokes.update(|n| *n += 1);
        let this_keystroke = self.keystrokes.get_untracked();
        set_timeout(
            move || {
                if self.keystrokes.get_untracked() == this_keystroke {
                    self.save();
                }
            },
            std::time::Duration::from_millis(TYPING_PAUSE_MS),
        );
    }

    /// Sends the text on screen unless it is already saved, a save is on its way (which sends
    /// again when it returns if more was typed), or a conflict waits for the person's choice.
    fn save(self) {
        if self.in_flight.get_untracked()
            || matches!(self.state.get_untracked(), SaveState::Conflict { .. })
        {
            return;
        }
        let sent = self.text.get_untracked();
        if sent == self.confirmed.get_untracked() {
            self.state.set(SaveState::Saved);
            return;
        }
        self.in_flight.set(true);
        self.state.set(SaveState::Saving);
        let (pep_id, field) = (self.pep_id.get_value(), self.field.get_value());
        let version = self.version.get_untracked();
        leptos::task::spawn_local(async move {
            let answer = save_pep_field(
                pep_id,
                self.section.as_str().to_string(),
                field,
                sent.clone(),
                version,
            )
            .await;
            self.in_flight.set(false);
            match answer {
                Ok(FieldSaved::Saved { version }) => {
                    self.version.set(version);
                    self.confirmed.set(sent.clone());
                    self.retry_seconds.set(0);
                    if self.section_status.get_untracked() == SectionStatus::NotStarted {
                        self.section_status.set(SectionStatus::InProgress);
                    }
                    if self.text.get_untracked() == sent {
                        self.state.set(SaveState::Saved);
                    } else {
                        self.save();
                    }
                }
                Ok(FieldSaved::Conflict { value, version, by }) => {
                    if value == self.text.get_untracked() {
                        // They typed the same words: nothing to choose between.
                        self.version.set(version);
                        self.confirmed.set(value);
                        self.state.set(SaveState::Saved);
                    } else {
                        self.state.set(SaveState::Conflict {
                            theirs: value,
                            version,
                            by,
                        });
                    }
                }
                Err(AppError::Invalid(problems)) => {
                    let message = problems
                        .into_iter()
                        .map(|(_, m)| m)
                        .collect::<Vec<_>>()
                        .join(". ");
                    self.state.set(SaveState::Refused(message));
                }
                Err(AppError::Forbidden) => self.state.set(SaveState::Refused(
                    "You can no longer change this section (the PEP may have moved on). Copy \
                     what you wrote before leaving the page."
                        .to_string(),
                )),
                Err(AppError::SignedOut | AppError::SecondFactorRequired) => {
                    self.state.set(SaveState::SignedOut);
                    self.retry_in(LONGEST_RETRY_SECONDS);
                }
                Err(_) => {
                    self.state.set(SaveState::Retrying);
                    let wait =
                        (self.retry_seconds.get_untracked() * 2).clamp(2, LONGEST_RETRY_SECONDS);
                    self.retry_seconds.set(wait);
                    self.retry_in(wait);
                }
            }
        });
    }

    fn retry_in(self, seconds: u64) {
        set_timeout(move || self.save(), std::time::Duration::from_secs(seconds));
    }

    fn keep_mine(self) {
        if let SaveState::Conflict {
            theirs, version, ..
        } = self.state.get_untracked()
        {
            self.version.set(version);
            self.confirmed.set(theirs);
            self.state.set(SaveState::Editing);
            self.save();
        }
    }

    fn use_theirs(self) {
        if let SaveState::Conflict {
            theirs, version, ..
        } = self.state.get_untracked()
        {
            self.version.set(version);
            self.confirmed.set(theirs.clone());
            self.text.set(theirs);
            self.state.set(SaveState::Saved);
        }
    }
}

#[component]
fn FieldEditor(
    pep_id: String,
    section: SectionKey,
    field: FormField,
    status: RwSignal<SectionStatus>,
) -> impl IntoView {
    let id = format!("{}-{}", section.as_str(), field.key);
    let saver = FieldSaver {
        pep_id: StoredValue::new(pep_id),
        section,
        field: StoredValue::new(field.key.clone()),
        text: RwSignal::new(field.value.clone()),
        confirmed: RwSignal::new(field.value.clone()),
        version: RwSignal::new(field.version),
        state: RwSignal::new(SaveState::Saved),
        in_flight: RwSignal::new(false),
        keystrokes: RwSignal::new(0),
        retry_seconds: RwSignal::new(0),
        section_status: status,
    };
    let hint_id = format!("{id}-hint");
    let status_id = format!("{id}-status");
    let described_by = format!("{hint_id} {status_id}");
    let initial = field.value.clone();
    let control = match field.kind {
        FieldKind::Text => view! {
            <textarea
                class="textarea"
                id=id.clone()
                name=id.clone()
                rows="5"
                aria-describedby=described_by.clone()
                prop:value=move || saver.text.get()
                on:input=move |ev| saver.typed(event_target_value(&ev))
                on:change=move |_| saver.save()
            >
                {initial}
            </textarea>
        }
        .into_any(),
        kind => view! {
            <input
                class=if kind == FieldKind::Count { "input input--width-5" } else { "input input--width-10" }
                type=if kind == FieldKind::Date { "date" } else { "text" }
                inputmode=(kind == FieldKind::Count).then_some("numeric")
                id=id.clone()
                name=id.clone()
                aria-describedby=described_by.clone()
                value=initial
                prop:value=move || saver.text.get()
                on:input=move |ev| saver.typed(event_target_value(&ev))
                on:change=move |_| saver.save()
            />
        }
        .into_any(),
    };
    let refused = move || match saver.state.get() {
        SaveState::Refused(message) => Some(message),
        _ => None,
    };
    view! {
        <div class="form-group pep-field" class:form-group--error=move || refused().is_some()>
            <label class="label" for=id.clone()>{field.label}</label>
            <p class="hint" id=hint_id>{field.hint}</p>
            {control}
            // Polite and short: a state change is announced once; nothing here ticks.
            <p class="pep-field__status" id=status_id aria-live="polite">
                {move || match saver.state.get() {
                    SaveState::Saved => {
                        if saver.version.get() == 0 { String::new() } else { "Saved".to_string() }
                    }
                    SaveState::Editing => String::new(),
                    SaveState::Saving => "Saving…".to_string(),
                    SaveState::Retrying => "Not saved yet: retrying. What you typed stays here.".to_string(),
                    SaveState::SignedOut => "Not saved yet: your session has ended. Sign in again in a new tab and this will be saved; what you typed stays here.".to_string(),
                    SaveState::Conflict { by, .. } => format!("Not saved: {by} changed this while you were writing."),
                    SaveState::Refused(message) => format!("Not saved: {message}"),
                }}
            </p>
            {move || match saver.state.get() {
                SaveState::Conflict { theirs, by, .. } => Some(view! {
                    <div class="conflict" role="group" aria-label=format!("Choose between your words and {by}'s")>
                        <h3 class="heading-s">{format!("{by} saved this version")}</h3>
                        <blockquote class="conflict__theirs">{theirs}</blockquote>
                        <p class="body">"Your version is in the box above. Choose which to keep; you can edit it afterwards."</p>
                        <div class="button-group">
                            <button type="button" class="button" on:click=move |_| saver.keep_mine()>
                                "Keep my version"
                            </button>
                            <button type="button" class="button button--secondary" on:click=move |_| saver.use_theirs()>
                                {format!("Use {by}'s version")}
                            </button>
                        </div>
                    </div>
                }),
                _ => None,
            }}
        </div>
    }
}
