//! The meeting at the top of the PEP: started, its attendance recorded and ended by whoever
//! writes the meeting record; everyone else sees it start and end live, with a link to the
//! meeting record (never moving their focus).

use crate::domain::ids::PepId;
use leptos::prelude::*;

use super::live_room::LiveRoom;
use crate::domain::meeting::{Attendance, Attendee, MeetingInfo};
use crate::domain::roles::Role;
use crate::features::pep_form::{ActionOwner, end_meeting, record_attendance, start_meeting};

/// One row of the attendance form: who, and how they took part (none: not recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    name: String,
    role: Option<Role>,
    attendance: Option<Attendance>,
}

/// The team first (as recorded, or not yet), then anyone else already on the list.
fn rows_for(team: &[ActionOwner], meeting: Option<&MeetingInfo>) -> Vec<Row> {
    let listed = meeting.map(|m| m.attendees.clone()).unwrap_or_default();
    let mut rows: Vec<Row> = team
        .iter()
        .map(|person| Row {
            name: person.name.clone(),
            role: Some(person.role),
            attendance: listed
                .iter()
                .find(|a| a.name == person.name && a.role == Some(person.role))
                .map(|a| a.attendance),
        })
        .collect();
    for attendee in listed {
        if !rows
            .iter()
            .any(|r| r.name == attendee.name && r.role == attendee.role)
        {
            rows.push(Row {
                name: attendee.name,
                role: attendee.role,
                attendance: Some(attendee.attendance),
            });
        }
    }
    rows
}

#[component]
pub fn MeetingPart(
    pep_id: PepId,
    room: LiveRoom,
    runs: bool,
    team: Vec<ActionOwner>,
) -> impl IntoView {
    let pep_id = StoredValue::new(pep_id);
    let team = StoredValue::new(team);
    let rows = RwSignal::new(rows_for(
        &team.get_value(),
        room.meeting.get_untracked().as_ref(),
    ));
    let extra_name = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let saved_note = RwSignal::new(String::new());
    // Someone else's change to the list (a second page of the runner's) shows here.
    Effect::new(move |_| {
        let meeting = room.meeting.get();
        rows.set(rows_for(&team.get_value(), meeting.as_ref()));
    });
    let start = move |_| {
        leptos::task::spawn_local(async move {
            match start_meeting(pep_id.get_value()).await {
                Ok(meeting) => {
                    room.meeting.set(Some(meeting));
                    problem.set(None);
                }
                Err(error) => problem.set(Some(error.to_string())),
            }
        });
    };
    let end = move |_| {
        leptos::task::spawn_local(async move {
            match end_meeting(pep_id.get_value()).await {
                Ok(meeting) => {
                    room.meeting.set(Some(meeting));
                    problem.set(None);
                }
                Err(error) => problem.set(Some(error.to_string())),
            }
        });
    };
    let save_attendance = move |_| {
        let Some(meeting) = room.meeting.get_untracked() else {
            return;
        };
        let mut attendees: Vec<Attendee> = rows
            .get_untracked()
            .into_iter()
            .filter_map(|row| {
                Some(Attendee {
                    name: row.name,
                    role: row.role,
                    attendance: row.attendance?,
                })
            })
            .collect();
        let extra = extra_name.get_untracked();
        if !extra.trim().is_empty() {
            attendees.push(Attendee {
                name: extra,
                role: None,
                attendance: Attendance::InPerson,
            });
        }
        leptos::task::spawn_local(async move {
            match record_attendance(pep_id.get_value(), attendees, meeting.version).await {
                Ok(meeting) => {
                    room.meeting.set(Some(meeting));
                    extra_name.set(String::new());
                    problem.set(None);
                    saved_note.set("Attendance saved.".into());
                }
                Err(crate::error::AppError::Invalid(problems)) => {
                    saved_note.set(String::new());
                    problem.set(Some(
                        problems
                            .into_iter()
                            .map(|(_, m)| m)
                            .collect::<Vec<_>>()
                            .join(". "),
                    ));
                }
                Err(error) => {
                    saved_note.set(String::new());
                    problem.set(Some(error.to_string()));
                }
            }
        });
    };
    let attendance_form = move || {
        let rows_view = rows
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let who = match row.role {
                    Some(role) => format!("{} ({})", row.name, role.label()),
                    None => row.name.clone(),
                };
                let choices = [None, Some(Attendance::InPerson), Some(Attendance::Online), Some(Attendance::Apologies)]
                    .into_iter()
                    .map(|choice| {
                        let id = format!("attendance-{i}-{}", choice.map_or("none", |c| c.as_str()));
                        let label = choice.map_or("Not recorded", |c| c.label());
                        view! {
                            <div class="radios__item">
                                <input class="radios__input" type="radio" id=id.clone() name=format!("attendance-{i}")
                                    checked=row.attendance == choice
                                    on:change=move |_| rows.update(|rows| rows[i].attendance = choice) />
                                <label class="label radios__label" for=id>{label}</label>
                            </div>
                        }
                    })
                    .collect_view();
                view! {
                    <fieldset class="fieldset meeting__person">
                        <legend class="fieldset__legend">{who}</legend>
                        <div class="radios radios--inline">{choices}</div>
                    </fieldset>
                }
            })
            .collect_view();
        view! {
            <h3 class="heading-s">"Who attended"</h3>
            {rows_view}
            <div class="form-group">
                <label class="label" for="meeting-extra">"Someone else who attended in person (optional)"</label>
                <p class="hint" id="meeting-extra-hint">"Their name and role, for example Sam Reed, tutor."</p>
                <input class="input" id="meeting-extra" aria-describedby="meeting-extra-hint"
                    prop:value=move || extra_name.get()
                    on:input=move |ev| extra_name.set(event_target_value(&ev)) />
            </div>
            <div class="button-group">
                <button type="button" class="button button--secondary" on:click=save_attendance>"Save attendance"</button>
                <button type="button" class="button" on:click=end>"End the meeting"</button>
            </div>
            <p class="body" role="status">{move || saved_note.get()}</p>
        }
    };
    let body = move || {
        match room.meeting.get() {
        None if runs => view! {
            <p class="body">"When everyone is here, start the meeting: everyone with this PEP open sees it start, with the meeting record to write in together."</p>
            <button type="button" class="button" on:click=start>"Start the meeting"</button>
        }
        .into_any(),
        None => ().into_any(),
        Some(meeting) if meeting.running() => {
            let list = (!runs).then(|| {
                let lines = meeting
                    .attendees
                    .iter()
                    .map(|a| view! { <li>{a.line()}</li> })
                    .collect_view();
                view! { <ul class="list">{lines}</ul> }
            });
            view! {
                <p class="body">{format!("Started {} by {}.", meeting.started, meeting.started_by)}</p>
                <p class="body"><a href="#section-meeting_record">"Go to the meeting record"</a></p>
                {list}
                {runs.then(attendance_form)}
            }
            .into_any()
        }
        Some(meeting) => {
            let lines = meeting
                .attendees
                .iter()
                .map(|a| view! { <li>{a.line()}</li> })
                .collect_view();
            view! {
                <p class="body">{format!(
                    "Held from {} to {}, started by {}.",
                    meeting.started,
                    meeting.ended.clone().unwrap_or_default(),
                    meeting.started_by
                )}</p>
                <ul class="list">{lines}</ul>
            }
            .into_any()
        }
    }
    };
    let heading = move || match room.meeting.get() {
        Some(m) if m.running() => "Meeting in progress",
        Some(_) => "The meeting",
        None => "The meeting",
    };
    let shown = move || runs || room.meeting.get().is_some();
    view! {
        <Show when=shown>
            <section
                class=move || if room.meeting.get().is_some_and(|m| m.running()) { "meeting meeting--running" } else { "meeting" }
                aria-labelledby="meeting-heading"
            >
                <h2 class="heading-m" id="meeting-heading">{heading}</h2>
                {body}
                <p class="error-message" role="alert">{move || problem.get()}</p>
            </section>
        </Show>
    }
}
