//! "School calendars": a school's periods as countdowns use them, and an import from a CSV or
//! iCalendar file (chosen or pasted) that is previewed, every problem by line, before it replaces
//! anything.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::notice::SuccessNotice;
use leptos_router::hooks::use_query_map;

use super::{ImportCalendar, PreviewCalendar, SchoolCalendarView, school_calendar};
use crate::domain::calendar::Period;
use crate::ui::error_summary::{ErrorMessage, ErrorSummary, FieldError, error_for, field_errors};
use crate::ui::table::ScrollingTable;

#[component]
pub fn CalendarsPage() -> impl IntoView {
    let query = use_query_map();
    let import = ServerAction::<ImportCalendar>::new();
    let preview = ServerAction::<PreviewCalendar>::new();
    let calendar = Resource::new(
        move || {
            (
                query.read().get("school").unwrap_or_default(),
                import.version().get(),
            )
        },
        |(school, _)| school_calendar(school),
    );
    // The import form's state lives with the page: the calendar reloads after an import.
    let csv = RwSignal::new(String::new());
    let previewed = RwSignal::new(None::<Vec<Period>>);
    let done = RwSignal::new(None::<String>);
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    Effect::new(move |_| match preview.value().get() {
        Some(Ok(periods)) => {
            set_errors.set(Vec::new());
            previewed.set(Some(periods));
        }
        Some(Err(error)) => {
            previewed.set(None);
            set_errors.set(field_errors(error, &["csv"]));
        }
        None => {}
    });
    Effect::new(move |_| match import.value().get() {
        Some(Ok(stored)) => {
            set_errors.set(Vec::new());
            previewed.set(None);
            csv.set(String::new());
            done.set(Some(format!("Calendar replaced: {stored} periods stored.")));
        }
        Some(Err(error)) => set_errors.set(field_errors(error, &["csv"])),
        None => {}
    });
    view! {
        <Title text="School calendars" />
        <h1 class="heading-xl">"School calendars"</h1>
        <ErrorSummary errors />
        <SuccessNotice message=done />
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match calendar.await {
                    Ok(view) => {
                        view! { <Calendar view csv previewed errors preview import done /> }
                            .into_any()
                    }
                    Err(error) => {
                        view! { <crate::features::people::AdminAccessProblem error /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn Calendar(
    view: SchoolCalendarView,
    csv: RwSignal<String>,
    previewed: RwSignal<Option<Vec<Period>>>,
    errors: ReadSignal<Vec<FieldError>>,
    preview: ServerAction<PreviewCalendar>,
    import: ServerAction<ImportCalendar>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let SchoolCalendarView {
        school_id,
        school,
        all_schools,
        source,
        periods,
        schools,
    } = view;
    let csv_error = Signal::derive(move || error_for(&errors.read(), "csv"));
    let file_error = RwSignal::new(None::<String>);
    let on_preview = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        preview.dispatch(PreviewCalendar { csv: csv.get() });
    };
    let on_import = {
        let school_id = school_id.clone();
        move |_| {
            import.dispatch(ImportCalendar {
                school_id: school_id.clone(),
                csv: csv.get(),
            });
        }
    };
    view! {
        {all_schools.then(|| view! { <crate::features::people::AdminNav current="/calendars" /> })}
        <nav aria-label="Schools">
            <ul class="sub-nav">
                {schools
                    .into_iter()
                    .map(|s| {
                        let current = s.id == school_id;
                        view! {
                            <li>
                                <a
                                    href=format!("/calendars?school={}", s.id)
                                    aria-current=current.then_some("page")
                                >
                                    {s.label}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        <h2 class="heading-l">{school.clone()}</h2>
        <p class="body">{format!("Countdowns for its pupils use {source}.")}</p>
        <PeriodsTable id="current-periods" caption=format!("{school}: {} periods", periods.len()) periods />
        <h2 class="heading-m">"Replace from a file"</h2>
        <form novalidate on:submit=on_preview>
            <div class="form-group" class:form-group--error=move || file_error.get().is_some()>
                <label class="label" for="calendar-file">"Choose a CSV or iCalendar (.ics) file"</label>
                <p class="hint" id="calendar-file-hint">
                    "64 KB at most. Its text appears below, to check before the preview."
                </p>
                <ErrorMessage id="calendar-file-error".to_string() error=file_error />
                <input
                    type="file"
                    id="calendar-file"
                    class="file-upload"
                    accept=".csv,.ics,text/csv,text/calendar"
                    aria-describedby=move || {
                        if file_error.get().is_some() {
                            "calendar-file-hint calendar-file-error"
                        } else {
                            "calendar-file-hint"
                        }
                    }
                    on:change=move |ev| read_chosen_file(ev, csv, previewed, file_error)
                />
            </div>
            <div class="form-group" class:form-group--error=move || csv_error.get().is_some()>
                <label class="label" for="csv">"Calendar file"</label>
                <p class="hint" id="csv-hint">
                    "Or paste it. CSV: a first line start,end,kind,label, then one period a line "
                    "with dates like 2026-09-01, both ends included; kind is term, holiday, inset or "
                    "closure. iCalendar: one all-day event a period, its title saying what it is "
                    "(“Autumn term”, “October half-term”, “INSET day”, “School closed”)."
                </p>
                <ErrorMessage id="csv-error".to_string() error=csv_error />
                <textarea
                    class="textarea"
                    id="csv"
                    name="csv"
                    rows="10"
                    spellcheck="false"
                    aria-describedby=move || {
                        if csv_error.get().is_some() { "csv-hint csv-error" } else { "csv-hint" }
                    }
                    prop:value=move || csv.get()
                    on:input=move |ev| {
                        csv.set(event_target_value(&ev));
                        previewed.set(None);
                    }
                ></textarea>
            </div>
            <button type="submit" class="button button--secondary" disabled=move || preview.pending().get()>
                "Preview"
            </button>
        </form>
        {move || {
            previewed
                .get()
                .map(|periods| {
                    let count = periods.len();
                    view! {
                        <PeriodsTable id="preview-periods" caption=format!("Preview: {count} periods") periods />
                        <button
                            type="button"
                            class="button"
                            disabled=move || import.pending().get()
                            on:click=on_import.clone()
                        >
                            {format!("Replace {school}'s calendar with these {count} periods")}
                        </button>
                    }
                })
        }}
    }
}

/// The largest file read into the page (the server refuses more too).
#[cfg(feature = "hydrate")]
const LARGEST_FILE: f64 = 64.0 * 1024.0;

/// Reads the chosen file's text into the calendar field, for checking before the preview.
#[cfg(feature = "hydrate")]
fn read_chosen_file(
    ev: leptos::ev::Event,
    text: RwSignal<String>,
    previewed: RwSignal<Option<Vec<Period>>>,
    file_error: RwSignal<Option<String>>,
) {
    use wasm_bindgen::JsCast;
    let file = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0));
    let Some(file) = file else {
        return;
    };
    previewed.set(None);
    if file.size() > LARGEST_FILE {
        file_error.set(Some(format!(
            "“{}” is larger than 64 KB: a school calendar is a few dozen periods. Check it is the \
             right file",
            file.name()
        )));
        return;
    }
    file_error.set(None);
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(value) => text.set(value.as_string().unwrap_or_default()),
            Err(_) => file_error.set(Some(format!(
                "“{}” could not be read: choose it again, or paste its text below",
                file.name()
            ))),
        }
    });
}

/// Files are only read in the browser.
#[cfg(not(feature = "hydrate"))]
fn read_chosen_file(
    _ev: leptos::ev::Event,
    _text: RwSignal<String>,
    _previewed: RwSignal<Option<Vec<Period>>>,
    _file_error: RwSignal<Option<String>>,
) {
}

#[component]
fn PeriodsTable(id: &'static str, caption: String, periods: Vec<Period>) -> impl IntoView {
    view! {
        <ScrollingTable id caption>
            <thead>
                <tr>
                    <th scope="col">"From"</th>
                    <th scope="col">"To"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"Label"</th>
                </tr>
            </thead>
            <tbody>
                {periods
                    .into_iter()
                    .map(|p| {
                        view! {
                            <tr>
                                <td>{p.start.format("%a %-d %b %Y").to_string()}</td>
                                <td>{p.end.format("%a %-d %b %Y").to_string()}</td>
                                <td>{p.kind.label()}</td>
                                <td>{p.label}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </ScrollingTable>
    }
}
