//! `/children/new` (the Virtual School adds a child) and `/children/:id/edit` (the Virtual School
//! or the child's social worker keeps the entry accurate): the details, then a new care episode
//! and a school move, each a form of its own, each checked in the browser with the same rules the
//! server applies. Nothing typed is lost when the server says no.

use crate::domain::ids::ChildId;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::register::{
    AddCareEpisode, AddEducationEpisode, Episode, RegisterEntry, RegisterSaved, SaveChildDetails,
    register_entry,
};
use crate::domain::child::year_group_name;
use crate::domain::register::{
    CareEpisodeForm, ChildDetailsForm, EducationEpisodeForm, EducationStatus, SenStatus,
    check_care_episode, check_child_details, check_education_episode,
};
use crate::error::AppError;
use crate::ui::error_summary::{
    ErrorSummary, FieldError, error_for, field_errors, problems_on_fields,
};
use crate::ui::notice::SuccessNotice;
use crate::ui::select::Select;
use crate::ui::text::capitalise;
use crate::ui::text_input::TextInput;

fn today() -> chrono::NaiveDate {
    crate::domain::uk_time::uk_today(chrono::Utc::now())
}

/// "A new termly review, due 11 December 2026, is now in the schedule."
fn saved_message(what: &str, saved: &RegisterSaved) -> String {
    let mut message = format!("{what} saved.");
    if !saved.peps_scheduled.is_empty() {
        message.push_str(&format!(" Now due: {}.", saved.peps_scheduled.join("; ")));
    }
    for change in &saved.peps_changed {
        message.push_str(&format!(" {}.", capitalise(change)));
    }
    message
}

#[component]
pub fn NewChildPage() -> impl IntoView {
    let navigate = use_navigate();
    let on_saved = Callback::new(move |saved: RegisterSaved| {
        navigate(
            &format!("/children/{}/edit", saved.child_id),
            Default::default(),
        );
    });
    view! {
        <Title text="Add a child to the register" />
        <p class="body"><a href="/dashboard">"Back to every child's PEP"</a></p>
        <h1 class="heading-xl">"Add a child to the register"</h1>
        <p class="body">
            "Enter the child's details. Next you add when they came into care and where they go "
            "to school; their PEPs are then scheduled."
        </p>
        <DetailsForm child_id=None version=0 initial=ChildDetailsForm::default() on_saved />
    }
}

#[component]
pub fn EditChildPage() -> impl IntoView {
    let params = use_params_map();
    let entry = Resource::new(
        move || ChildId(params.read().get("id").unwrap_or_default()),
        register_entry,
    );
    view! {
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entry.await {
                    Ok(entry) => view! { <EditChild entry /> }.into_any(),
                    Err(error) => {
                        let message = match error {
                            AppError::SignedOut => "Sign in to change a child's record.".to_string(),
                            AppError::Forbidden => {
                                "Only the Virtual School and the child's social worker change the \
                                 register. Ask them if something here is wrong."
                                    .to_string()
                            }
                            other => other.to_string(),
                        };
                        view! {
                            <Title text="Change a child's record" />
                            <h1 class="heading-xl">"Change a child's record"</h1>
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
fn EditChild(entry: RegisterEntry) -> impl IntoView {
    let RegisterEntry {
        child_id,
        name,
        version,
        details,
        care,
        education,
        schools,
    } = entry;
    let saved = RwSignal::new(None::<String>);
    let on_saved = Callback::new(move |result: RegisterSaved| {
        saved.set(Some(saved_message("The details are", &result)));
    });
    view! {
        <Title text=format!("Change {name}'s record") />
        <p class="body"><a href=format!("/children/{child_id}")>{format!("Back to {name}'s record")}</a></p>
        <h1 class="heading-xl">{format!("Change {name}'s record")}</h1>
        <SuccessNotice message=saved />
        <h2 class="heading-l">"Details"</h2>
        <DetailsForm child_id=Some(child_id.clone()) version initial=details on_saved />
        <h2 class="heading-l">"Care"</h2>
        <History caption="Care episodes, newest first" id="care-history" episodes=care />
        <CareEpisodeSection child_id=ChildId(child_id.clone()) />
        <h2 class="heading-l">"School or setting"</h2>
        <History caption="Schools and settings, newest first" id="education-history" episodes=education />
        <EducationEpisodeSection child_id=ChildId(child_id) schools />
    }
}

/// An episode history as a list (short enough on a phone without a table).
#[component]
pub fn History(caption: &'static str, id: &'static str, episodes: Vec<Episode>) -> impl IntoView {
    view! {
        <h3 class="heading-s" id=id>{caption}</h3>
        {if episodes.is_empty() {
            view! { <p class="body">"None recorded."</p> }.into_any()
        } else {
            view! {
                <ul class="list deadline-list" aria-labelledby=id>
                    {episodes
                        .into_iter()
                        .map(|e| {
                            view! {
                                <li class="deadline-list__item">
                                    <span class="deadline-list__label">{e.dates}</span>
                                    <br />
                                    {e.description}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
    }
}

const DETAIL_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "upn",
    "gender",
    "ethnicity",
    "first_language",
    "sen_status",
    "nc_year_override",
];

#[component]
fn DetailsForm(
    child_id: Option<String>,
    version: i64,
    initial: ChildDetailsForm,
    on_saved: Callback<RegisterSaved>,
) -> impl IntoView {
    let save = ServerAction::<SaveChildDetails>::new();
    let version = RwSignal::new(version);
    let first_name = RwSignal::new(initial.first_name);
    let last_name = RwSignal::new(initial.last_name);
    let preferred_name = RwSignal::new(initial.preferred_name);
    let date_of_birth = RwSignal::new(initial.date_of_birth);
    let upn = RwSignal::new(initial.upn);
    let gender = RwSignal::new(initial.gender);
    let ethnicity = RwSignal::new(initial.ethnicity);
    let first_language = RwSignal::new(initial.first_language);
    let sen_status = RwSignal::new(initial.sen_status);
    let nc_year_override = RwSignal::new(initial.nc_year_override);
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let form = move || ChildDetailsForm {
        first_name: first_name.get(),
        last_name: last_name.get(),
        preferred_name: preferred_name.get(),
        date_of_birth: date_of_birth.get(),
        upn: upn.get(),
        gender: gender.get(),
        ethnicity: ethnicity.get(),
        first_language: first_language.get(),
        sen_status: sen_status.get(),
        nc_year_override: nc_year_override.get(),
    };
    Effect::new(move |_| match save.value().get() {
        Some(Ok(saved)) => {
            version.set(saved.version);
            set_errors.set(Vec::new());
            on_saved.run(saved);
        }
        Some(Err(error)) => set_errors.set(field_errors(error, DETAIL_FIELDS)),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let details = form();
        if let Err(problems) = check_child_details(&details, today()) {
            set_errors.set(problems_on_fields(problems));
            return;
        }
        save.dispatch(SaveChildDetails {
            child_id: child_id.clone(),
            version: Some(version.get_untracked()),
            details,
        });
    };
    let error = move |field: &'static str| Signal::derive(move || error_for(&errors.read(), field));
    let sen_options = SenStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), capitalise(s.label())))
        .collect();
    let year_options = (-3..=14)
        .map(|y: i32| (y.to_string(), year_group_name(y)))
        .collect();
    view! {
        <ErrorSummary errors id="details-errors" />
        <form novalidate on:submit=on_submit>
            <TextInput id="first_name" label="First name" value=first_name error=error("first_name") />
            <TextInput id="last_name" label="Last name" value=last_name error=error("last_name") />
            <TextInput id="preferred_name" label="Preferred name (optional)" value=preferred_name error=error("preferred_name") />
            <TextInput id="date_of_birth" label="Date of birth" value=date_of_birth error=error("date_of_birth") input_type="date" />
            <TextInput
                id="upn"
                label="Unique pupil number (UPN, optional)"
                hint="13 characters: a letter, 11 digits and a digit or letter, like H801200001001"
                value=upn
                error=error("upn")
                width="input--width-20"
            />
            <TextInput id="gender" label="Gender" value=gender error=error("gender") />
            <TextInput id="ethnicity" label="Ethnicity" value=ethnicity error=error("ethnicity") />
            <TextInput id="first_language" label="First language" value=first_language error=error("first_language") />
            <Select id="sen_status" label="Special educational needs" value=sen_status options=sen_options error=error("sen_status") />
            <Select
                id="nc_year_override"
                label="Year group"
                value=nc_year_override
                options=year_options
                error=error("nc_year_override")
                placeholder="From the date of birth"
            />
            <button type="submit" class="button" disabled=move || save.pending().get()>
                "Save details"
            </button>
        </form>
    }
}

#[component]
fn CareEpisodeSection(child_id: ChildId) -> impl IntoView {
    let add = ServerAction::<AddCareEpisode>::new();
    let started_on = RwSignal::new(String::new());
    let legal_status = RwSignal::new(String::new());
    let placement_type = RwSignal::new(String::new());
    let emergency = RwSignal::new(String::new());
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let saved = RwSignal::new(None::<String>);
    Effect::new(move |_| match add.value().get() {
        Some(Ok(result)) => {
            saved.set(Some(saved_message("The care episode is", &result)));
            set_errors.set(Vec::new());
        }
        Some(Err(error)) => {
            saved.set(None);
            set_errors.set(field_errors(
                error,
                &["care_started_on", "legal_status", "placement_type"],
            ));
        }
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let episode = CareEpisodeForm {
            started_on: started_on.get(),
            legal_status: legal_status.get(),
            placement_type: placement_type.get(),
            emergency_placement: emergency.get() == "yes",
        };
        // The server also checks it starts after the current episode.
        if let Err(problems) = check_care_episode(&episode, None, today()) {
            set_errors.set(problems_on_fields(problems));
            return;
        }
        add.dispatch(AddCareEpisode {
            child_id: child_id.clone(),
            episode,
        });
    };
    let error = move |field: &'static str| Signal::derive(move || error_for(&errors.read(), field));
    view! {
        <h3 class="heading-s">"Coming into care, or a new legal status or placement"</h3>
        <p class="body">"The current episode ends the day before the new one starts."</p>
        <ErrorSummary errors id="care-errors" />
        <SuccessNotice message=saved />
        <form novalidate on:submit=on_submit>
            <TextInput id="care_started_on" label="Start date" value=started_on error=error("care_started_on") input_type="date" />
            <TextInput id="legal_status" label="Legal status" hint="For example: Interim care order (s38), Section 20" value=legal_status error=error("legal_status") />
            <TextInput id="placement_type" label="Placement type" hint="For example: Foster placement, Residential children's home" value=placement_type error=error("placement_type") />
            <Select
                id="emergency_placement"
                label="Was it an emergency placement?"
                value=emergency
                options=vec![("yes".to_string(), "Yes: the initial PEP is due in 10 working days".to_string())]
                error=Signal::derive(|| None::<String>)
                placeholder="No"
            />
            <button type="submit" class="button button--secondary" disabled=move || add.pending().get()>
                "Add care episode"
            </button>
        </form>
    }
}

#[component]
fn EducationEpisodeSection(child_id: ChildId, schools: Vec<(String, String)>) -> impl IntoView {
    let add = ServerAction::<AddEducationEpisode>::new();
    let started_on = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let school_id = RwSignal::new(String::new());
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let saved = RwSignal::new(None::<String>);
    Effect::new(move |_| match add.value().get() {
        Some(Ok(result)) => {
            saved.set(Some(saved_message("The move is", &result)));
            set_errors.set(Vec::new());
        }
        Some(Err(error)) => {
            saved.set(None);
            set_errors.set(field_errors(
                error,
                &["education_started_on", "education_status", "school_id"],
            ));
        }
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let episode = EducationEpisodeForm {
            started_on: started_on.get(),
            status: status.get(),
            school_id: school_id.get(),
        };
        if let Err(problems) = check_education_episode(&episode, None, today()) {
            set_errors.set(problems_on_fields(problems));
            return;
        }
        add.dispatch(AddEducationEpisode {
            child_id: child_id.clone(),
            episode,
        });
    };
    let error = move |field: &'static str| Signal::derive(move || error_for(&errors.read(), field));
    let statuses = EducationStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), capitalise(s.label())))
        .collect();
    view! {
        <h3 class="heading-s">"A school move or change"</h3>
        <p class="body">
            "A move while in care makes a new PEP due in 20 school days at the new school."
        </p>
        <ErrorSummary errors id="education-errors" />
        <SuccessNotice message=saved />
        <form novalidate on:submit=on_submit>
            <TextInput id="education_started_on" label="Start date" value=started_on error=error("education_started_on") input_type="date" />
            <Select id="education_status" label="Where the child is educated" value=status options=statuses error=error("education_status") />
            <Select
                id="school_id"
                label="School or setting"
                value=school_id
                options=schools
                error=error("school_id")
                placeholder="None (not on a roll)"
            />
            <button type="submit" class="button button--secondary" disabled=move || add.pending().get()>
                "Record the move"
            </button>
        </form>
    }
}
