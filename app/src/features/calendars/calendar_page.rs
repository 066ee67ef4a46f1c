//! "School calendars": a school's periods as countdowns use them, and an import from a CSV or
//! iCalendar file (chosen or pasted) that is previewed, every problem by line, before it replaces
//! anything.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::notice::SuccessNotice;
use leptos_router::hooks::use_query_map;

use super::{
    AddSchool, ImportBankHolidays, ImportCalendar, KnownBankHolidays, PreviewBankHolidays,
    PreviewCalendar, SchoolCalendarView, bank_holiday_list, school_calendar,
};
use crate::domain::calendar::Period;
use crate::domain::school::{NewSchoolForm, SchoolKind, check_new_school};
use crate::error::AppError;
use crate::ui::error_summary::{
    ErrorSummary, FieldError, all_errors_for, error_for, field_errors, problems_on_fields,
};
use crate::ui::select::Select;
use crate::ui::table::ScrollingTable;
use crate::ui::text_area::{FileChooser, TextArea};
use crate::ui::text_input::TextInput;

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
    // Every resource of the page is made here, at its top, not inside a part that appears once
    // the calendar has loaded (a resource made inside a resolving Suspend is where "no database
    // in context" was logged and the page failed to hydrate now and then).
    let holidays_import = ServerAction::<ImportBankHolidays>::new();
    let known_holidays = Resource::new(
        move || holidays_import.version().get(),
        |_| bank_holiday_list(),
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
                        view! { <Calendar view csv previewed errors preview import done known_holidays holidays_import /> }
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
    known_holidays: Resource<Result<KnownBankHolidays, AppError>>,
    holidays_import: ServerAction<ImportBankHolidays>,
) -> impl IntoView {
    let SchoolCalendarView {
        school_id,
        school,
        all_schools,
        source,
        periods,
        schools,
    } = view;
    // Every problem by line under the field, not only the first (the summary lists them too).
    let csv_error = Signal::derive(move || all_errors_for(&errors.read(), "csv"));
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
            <FileChooser
                id="calendar-file"
                label="Choose a CSV or iCalendar (.ics) file"
                hint="64 KB at most. Its text appears below, to check before the preview."
                accept=".csv,.ics,text/csv,text/calendar"
                largest_kb=64
                text=csv
                on_chosen=Callback::new(move |()| previewed.set(None))
            />
            <TextArea
                id="csv"
                label="Calendar file"
                hint="Or paste it. CSV: a first line start,end,kind,label, then one period a line with dates like 2026-09-01, both ends included; kind is term, holiday, inset or closure. iCalendar: one all-day event a period, its title saying what it is (“Autumn term”, “October half-term”, “INSET day”, “School closed”)."
                value=csv
                error=csv_error
                rows=10
                on_edit=Callback::new(move |()| previewed.set(None))
            />
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
        <BankHolidaysSection can_import=all_schools known=known_holidays import=holidays_import />
        {all_schools.then(|| view! { <AddSchoolSection /> })}
    }
}

/// The Virtual School adds a school a child attends; it starts with the council default's dates.
#[component]
fn AddSchoolSection() -> impl IntoView {
    let add = ServerAction::<AddSchool>::new();
    let name = RwSignal::new(String::new());
    let urn = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let phase = RwSignal::new(String::new());
    let local_authority = RwSignal::new(String::new());
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let fields = [
        "school_name",
        "urn",
        "school_kind",
        "school_phase",
        "local_authority",
    ];
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| match add.value().get() {
        Some(Ok(school_id)) => {
            set_errors.set(Vec::new());
            navigate(
                &format!("/calendars?school={school_id}"),
                Default::default(),
            );
        }
        Some(Err(error)) => set_errors.set(field_errors(error, &fields)),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let school = NewSchoolForm {
            name: name.get(),
            urn: urn.get(),
            kind: kind.get(),
            phase: phase.get(),
            local_authority: local_authority.get(),
        };
        if let Err(problems) = check_new_school(&school) {
            set_errors.set(problems_on_fields(problems));
            return;
        }
        add.dispatch(AddSchool { school });
    };
    let error = move |field: &'static str| Signal::derive(move || error_for(&errors.read(), field));
    let kinds = SchoolKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                crate::ui::text::capitalise(k.label()),
            )
        })
        .collect();
    view! {
        <h2 class="heading-m">"Add a school"</h2>
        <p class="body">
            "For a school or setting a child attends, in this council's area or outside it. It "
            "starts with the council's default calendar, to correct from the school's own dates."
        </p>
        <ErrorSummary errors id="add-school-errors" />
        <form novalidate on:submit=on_submit>
            <TextInput id="school_name" label="Name" value=name error=error("school_name") />
            <TextInput
                id="urn"
                label="URN (optional)"
                hint="The 6-digit unique reference number from Get Information about Schools"
                value=urn
                error=error("urn")
                inputmode="numeric"
                width="input--width-10"
            />
            <Select id="school_kind" label="Kind of school" value=kind options=kinds error=error("school_kind") />
            <TextInput id="school_phase" label="Phase" hint="For example: primary, secondary 11 to 16" value=phase error=error("school_phase") />
            <TextInput id="local_authority" label="Local authority it is in" value=local_authority error=error("local_authority") />
            <button type="submit" class="button button--secondary" disabled=move || add.pending().get()>
                "Add school"
            </button>
        </form>
    }
}

/// The bank holidays countdowns skip, and (for the Virtual School) an import of the
/// government's JSON file, previewed before anything is stored.
#[component]
fn BankHolidaysSection(
    can_import: bool,
    known: Resource<Result<KnownBankHolidays, AppError>>,
    import: ServerAction<ImportBankHolidays>,
) -> impl IntoView {
    let preview = ServerAction::<PreviewBankHolidays>::new();
    let json = RwSignal::new(String::new());
    let previewed = RwSignal::new(None::<KnownBankHolidays>);
    let done = RwSignal::new(None::<String>);
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    Effect::new(move |_| match preview.value().get() {
        Some(Ok(list)) => {
            set_errors.set(Vec::new());
            previewed.set(Some(list));
        }
        Some(Err(error)) => {
            previewed.set(None);
            set_errors.set(field_errors(error, &["bank_holidays"]));
        }
        None => {}
    });
    Effect::new(move |_| match import.value().get() {
        Some(Ok(changed)) => {
            set_errors.set(Vec::new());
            previewed.set(None);
            json.set(String::new());
            done.set(Some(format!(
                "Bank holidays imported: {changed} new or changed."
            )));
        }
        Some(Err(error)) => set_errors.set(field_errors(error, &["bank_holidays"])),
        None => {}
    });
    let json_error = Signal::derive(move || error_for(&errors.read(), "bank_holidays"));
    view! {
        <h2 class="heading-m">"Bank holidays"</h2>
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || Suspend::new(async move {
                known.await.ok().map(|list| {
                    let range = match (list.holidays.first(), list.holidays.last()) {
                        (Some((first, _)), Some((last, _))) => format!(
                            "{} from {} to {}. Deadlines cannot be counted past the last one: import the next years before then.",
                            list.holidays.len(),
                            first.format("%-d %B %Y"),
                            last.format("%-d %B %Y"),
                        ),
                        _ => "none yet.".to_string(),
                    };
                    let division = list.division.replace('-', " ");
                    view! {
                        <p class="body">
                            {format!("Countdowns skip the government's bank holidays for {division}: {range}")}
                        </p>
                    }
                })
            })}
        </Transition>
        {can_import
            .then(|| {
                view! {
                    <ErrorSummary errors id="bank-holidays-errors" />
                    <SuccessNotice message=done />
                    <form novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        done.set(None);
                        preview.dispatch(PreviewBankHolidays { json: json.get() });
                    }>
                        <FileChooser
                            id="bank-holidays-file"
                            label="Choose the government's bank-holidays.json"
                            hint="Download it from www.gov.uk/bank-holidays.json. Holidays are added and titles updated; none is removed."
                            accept=".json,application/json"
                            largest_kb=256
                            text=json
                            on_chosen=Callback::new(move |()| previewed.set(None))
                        />
                        <TextArea
                            id="bank_holidays"
                            label="Bank holidays file"
                            value=json
                            error=json_error
                            on_edit=Callback::new(move |()| previewed.set(None))
                        />
                        <button type="submit" class="button button--secondary" disabled=move || preview.pending().get()>
                            "Preview bank holidays"
                        </button>
                    </form>
                    {move || {
                        previewed
                            .get()
                            .map(|list| {
                                let count = list.holidays.len();
                                view! {
                                    <ScrollingTable id="bank-holidays-preview" caption=format!("Preview: {count} bank holidays ({})", list.division)>
                                        <thead>
                                            <tr>
                                                <th scope="col">"Date"</th>
                                                <th scope="col">"Bank holiday"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list
                                                .holidays
                                                .into_iter()
                                                .map(|(day, title)| {
                                                    view! {
                                                        <tr>
                                                            <td>{day.format("%a %-d %b %Y").to_string()}</td>
                                                            <td>{title}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </ScrollingTable>
                                    <button
                                        type="button"
                                        class="button"
                                        disabled=move || import.pending().get()
                                        on:click=move |_| {
                                            import.dispatch(ImportBankHolidays { json: json.get() });
                                        }
                                    >
                                        {format!("Import these {count} bank holidays")}
                                    </button>
                                }
                            })
                    }}
                }
            })}
    }
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
