//! One section of the PEP: its heading, owner and status, its fields, and the facts the
//! system already knows about it.

use super::field_part::{FieldEditor, FieldRef, ReadOnlyField};
use super::live_room::LiveRoom;
use super::saver::Saver;
use super::shared_text_part::{SharedText, SharedTextField};
use crate::domain::ids::PepId;
use crate::domain::live::FieldKey;
use crate::domain::pep::SectionKey;
use crate::domain::pep_form::{FieldKind, SectionStatus};
use crate::features::pep_form::{FormSection, set_section_status};
use leptos::prelude::*;

#[component]
pub(crate) fn Section(
    pep_id: PepId,
    section: FormSection,
    status: RwSignal<SectionStatus>,
    details: Option<Vec<(String, String)>>,
    /// The child's suspension records, shown in the section for them.
    suspensions: Option<crate::features::pep_form::SuspensionsPart>,
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
                match set_section_status(pep_id, key, next).await {
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
