//! The form of one PEP once loaded: the task list, the state, each section, the workflow and
//! the action log.

use super::action_log_part::ActionLog;
use super::fresh_form::{FreshForm, OneReadAtATime};
use super::live_room::LiveRoom;
use super::presence_part::LivePresence;
use super::section_part::Section;
use super::workflow_part::Workflow;
use crate::domain::live::{FieldKey, PepPart};
use crate::domain::pep::{PepState, SectionKey};
use crate::domain::pep_form::SectionStatus;
use crate::domain::workflow::state_with_meeting;
use crate::features::pep_form::{PepForm, pep_form, pep_workflow};
use crate::ui::countdown::{Countdown, PageCalendars};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub(crate) fn Form(form: PepForm) -> impl IntoView {
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
                    <a
                        class="task-list__name"
                        href=format!("#section-{}", section.key.as_str())
                        on:click=crate::ui::in_page_link::focus_in_page_target
                    >
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
