//! One field of a section: read-only, or an editor that saves what is typed (free text
//! through `shared_text_part`, short values through `saver`).

use super::fresh_form::OneReadAtATime;
use super::live_room::LiveRoom;
use super::save_status_part::{ConflictChoice, ReplacedNotice, SaveStatus};
use super::saver::{Heard, Persist, SaveState, Saver};
use crate::domain::ids::PepId;
use crate::domain::live::FieldKey;
use crate::domain::pep::SectionKey;
use crate::domain::pep_form::FieldKind;
use crate::error::AppError;
use crate::features::pep_form::{
    FormField, Saved, TextEditSeen, TextSince, pep_text_since, save_pep_field,
};
use leptos::prelude::*;

/// A field the person may read but not write: what is saved, or what its writer is typing now.
#[component]
pub(crate) fn ReadOnlyField(pep_id: PepId, section: SectionKey, field: FormField) -> impl IntoView {
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
pub(crate) struct FieldRef {
    pub(crate) pep_id: PepId,
    pub(crate) section: SectionKey,
    pub(crate) field: String,
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
pub(crate) fn FieldEditor(
    section: SectionKey,
    field: FormField,
    saver: Saver<FieldRef>,
) -> impl IntoView {
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
pub(crate) fn follow_text(
    pep_id: PepId,
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
