//! A target's actions: added and removed one at a time on the server, so nobody's save of the
//! target takes away an action someone else just added; their words are shared text.

use crate::domain::ids::PepId;
use leptos::prelude::*;

use super::field_part::follow_text;
use super::saver::Saver;
use super::shared_text_part::{SharedText, SharedTextField};
use super::target_on_screen::{ActionWords, OnScreen, TargetRef, new_part_id};
use crate::domain::live::FieldKey;
use crate::domain::pep::SectionKey;
use crate::domain::roles::Role;
use crate::domain::targets::{ACTION_OWNERS, ActionDraft, ActionTextPart};
use crate::features::pep_form::{add_target_action, remove_target_action};

#[component]
pub(crate) fn Actions(number: usize, pep_id: PepId, target: OnScreen) -> impl IntoView {
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
fn ActionRow(pep_id: PepId, action_id: String, target: OnScreen) -> impl IntoView {
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
pub(crate) fn ActionLine(pep_id: PepId, action_id: String, target: OnScreen) -> impl IntoView {
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
