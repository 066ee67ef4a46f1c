//! `/dashboard`: every child the Virtual School member reaches, soonest deadline first. The
//! filters are a plain GET form, so the address says what is shown and it works before the
//! script loads.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{Dashboard, DashboardFilter, virtual_school_dashboard};
use crate::domain::pep::{PepState, Phase};
use crate::error::AppError;
use crate::ui::countdown::{Countdown, PageCalendars};
use crate::ui::select::Select;
use crate::ui::table::ScrollingTable;
use crate::ui::text::capitalise;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let query = query.read();
        let text = |key: &str| query.get(key).filter(|v| !v.is_empty());
        DashboardFilter {
            school: text("school"),
            phase: text("phase"),
            state: text("state"),
            overdue: text("deadline").as_deref() == Some("overdue"),
            page: text("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        }
    };
    let dashboard = Resource::new(filter, |f: DashboardFilter| {
        virtual_school_dashboard(f.school, f.phase, f.state, Some(f.overdue), Some(f.page))
    });
    view! {
        <Title text="Every child's PEP" />
        <crate::features::people::AdminNav current="/dashboard" />
        <h1 class="heading-xl">"Every child's PEP"</h1>
        <p class="body"><a href="/children/new">"Add a child to the register"</a></p>
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let filter = filter();
                match dashboard.await {
                    Ok(dashboard) => view! { <Filters filter=filter.clone() dashboard=dashboard.clone() /> <Results filter dashboard /> }.into_any(),
                    Err(error) => {
                        let message = match error {
                            AppError::SignedOut => "Sign in to see the dashboard.".to_string(),
                            AppError::SecondFactorRequired => {
                                "Enter the code from your authenticator app to see the dashboard."
                                    .to_string()
                            }
                            AppError::Forbidden => {
                                "The dashboard is for Virtual School staff.".to_string()
                            }
                            other => other.to_string(),
                        };
                        view! { <p class="body">{message}</p> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn Filters(filter: DashboardFilter, dashboard: Dashboard) -> impl IntoView {
    let school = RwSignal::new(filter.school.unwrap_or_default());
    let phase = RwSignal::new(filter.phase.unwrap_or_default());
    let state = RwSignal::new(filter.state.unwrap_or_default());
    let deadline = RwSignal::new(if filter.overdue {
        "overdue".to_string()
    } else {
        String::new()
    });
    let no_error = Signal::derive(|| None::<String>);
    let phases = Phase::ALL
        .iter()
        .map(|p| (p.as_str().to_string(), capitalise(p.label())))
        .collect();
    let states = PepState::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), capitalise(s.label())))
        .chain(std::iter::once((
            "none".to_string(),
            "No PEP on the go".to_string(),
        )))
        .collect();
    view! {
        <form method="get" action="/dashboard" class="filters" aria-label="Filter the children">
            <Select id="school" label="School" value=school options=dashboard.schools error=no_error placeholder="Any school" />
            <Select id="phase" label="Phase" value=phase options=phases error=no_error placeholder="Any phase" />
            <Select id="state" label="PEP state" value=state options=states error=no_error placeholder="Any state" />
            <Select
                id="deadline"
                label="Deadline"
                value=deadline
                options=vec![("overdue".to_string(), "Overdue only".to_string())]
                error=no_error
                placeholder="Any deadline"
            />
            <button type="submit" class="button">"Apply filters"</button>
            " "
            <a href="/dashboard" class="body">"Clear filters"</a>
        </form>
    }
}

#[component]
fn Results(filter: DashboardFilter, dashboard: Dashboard) -> impl IntoView {
    let calendars = PageCalendars::new(dashboard.calendars.clone());
    let summary = format!(
        "{} {} · {} overdue · {} awaiting quality assurance",
        dashboard.matching,
        if dashboard.matching == 1 {
            "child"
        } else {
            "children"
        },
        dashboard.overdue,
        dashboard.awaiting_qa,
    );
    let page_link = move |page: usize| {
        let mut parts = Vec::new();
        for (key, value) in [
            ("school", filter.school.clone()),
            ("phase", filter.phase.clone()),
            ("state", filter.state.clone()),
            ("deadline", filter.overdue.then(|| "overdue".to_string())),
        ] {
            if let Some(value) = value {
                parts.push(format!("{key}={}", crate::ui::text::percent_encode(&value)));
            }
        }
        parts.push(format!("page={page}"));
        format!("/dashboard?{}", parts.join("&"))
    };
    let (page, pages) = (dashboard.page, dashboard.pages);
    view! {
        <p class="body dashboard__summary">{summary}</p>
        {if dashboard.rows.is_empty() {
            view! { <p class="body">"No child matches these filters."</p> }.into_any()
        } else {
            view! {
                <ScrollingTable id="dashboard-caption" caption=format!("Children, soonest deadline first (page {page} of {pages})")>
                    <thead>
                        <tr>
                            <th scope="col">"Child"</th>
                            <th scope="col">"School"</th>
                            <th scope="col">"Phase"</th>
                            <th scope="col">"PEP"</th>
                            <th scope="col">"Deadline"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {dashboard
                            .rows
                            .into_iter()
                            .map(|row| {
                                let (pep, deadline) = match row.pep {
                                    None => ("No PEP on the go".to_string().into_any(), "".into_any()),
                                    Some(pep) => {
                                        let title = format!("{} ({})", pep.title, pep.state);
                                        let late = (!row.late.is_empty()).then(|| view! {
                                            <p class="hint dashboard__late">{format!("Late: {}", row.late.join(", "))}</p>
                                        });
                                        let deadline = if row.approved {
                                            "Approved".into_any()
                                        } else if row.awaiting_qa {
                                            "Submitted: awaiting quality assurance".into_any()
                                        } else {
                                            view! { <Countdown data=pep.countdown calendars=calendars.clone() /> {late} }.into_any()
                                        };
                                        (title.into_any(), deadline)
                                    }
                                };
                                view! {
                                    <tr>
                                        <td><a href=format!("/children/{}", row.child_id)>{row.name}</a></td>
                                        <td>{row.school.unwrap_or_else(|| "No school".to_string())}</td>
                                        <td>{row.phase}</td>
                                        <td>{pep}</td>
                                        <td>{deadline}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </ScrollingTable>
            }
                .into_any()
        }}
        {(pages > 1)
            .then(|| {
                view! {
                    <nav class="pagination" aria-label="Pages of children">
                        {(page > 1).then(|| view! { <a href=page_link(page - 1) rel="prev">"Previous page"</a> })}
                        <span class="pagination__position">{format!(" Page {page} of {pages} ")}</span>
                        {(page < pages).then(|| view! { <a href=page_link(page + 1) rel="next">"Next page"</a> })}
                    </nav>
                }
            })}
    }
}
