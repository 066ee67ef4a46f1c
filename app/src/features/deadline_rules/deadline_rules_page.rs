//! `/deadline-rules`: the council's deadline rules as a form the Virtual School can read and
//! change, each rule in words ("20 school days"), checked as the server will check it; below
//! them, the contributions the council asks for before a PEP is marked ready or approved.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{SaveContributionRule, SaveDeadlineRules, contribution_rule, deadline_rules};
use crate::domain::schedule::{DeadlineRulesForm, check_deadline_rules};
use crate::domain::workflow::{ContributionRuleForm, check_contribution_rule};
use crate::ui::error_summary::{
    ErrorSummary, FieldError, error_for, field_errors, problems_on_fields,
};
use crate::ui::notice::SuccessNotice;
use crate::ui::select::Select;
use crate::ui::text_area::TextArea;
use crate::ui::text_input::TextInput;

#[component]
pub fn DeadlineRulesPage() -> impl IntoView {
    let rules = Resource::new(|| (), |_| deadline_rules());
    // Made here with the page, not inside the part that appears once the rules load.
    let contributions = Resource::new(|| (), |_| contribution_rule());
    view! {
        <Title text="Deadline rules" />
        <crate::features::people::AdminNav current="/deadline-rules" />
        <h1 class="heading-xl">"Deadline rules"</h1>
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match rules.await {
                    Ok(form) => view! { <RulesForm form /> }.into_any(),
                    Err(error) => view! { <crate::features::people::AdminAccessProblem error /> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                contributions.await.ok().map(|form| view! { <ContributionsForm form /> })
            })}
        </Transition>
    }
}

const CONTRIBUTION_FIELDS: &[&str] = &[
    "requires_care_journey",
    "requires_carer_contribution",
    "requires_young_person_views",
];

/// Which contributors' sections must be completed before a PEP is marked ready or approved. A
/// requirement is not a lock: whoever moves the PEP on may go on without by saying why.
#[component]
fn ContributionsForm(form: ContributionRuleForm) -> impl IntoView {
    let save = ServerAction::<SaveContributionRule>::new();
    let requires_care_journey = RwSignal::new(form.requires_care_journey);
    let requires_carer_contribution = RwSignal::new(form.requires_carer_contribution);
    let requires_young_person_views = RwSignal::new(form.requires_young_person_views);
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let saved = RwSignal::new(None::<String>);
    Effect::new(move |_| match save.value().get() {
        Some(Ok(())) => {
            set_errors.set(Vec::new());
            saved.set(Some(
                "Saved. PEPs marked ready or approved from now on follow it.".to_string(),
            ));
        }
        Some(Err(error)) => {
            saved.set(None);
            set_errors.set(field_errors(error, CONTRIBUTION_FIELDS));
        }
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let rule = ContributionRuleForm {
            requires_care_journey: requires_care_journey.get(),
            requires_carer_contribution: requires_carer_contribution.get(),
            requires_young_person_views: requires_young_person_views.get(),
        };
        if let Err(problems) = check_contribution_rule(&rule) {
            saved.set(None);
            set_errors.set(problems_on_fields(problems));
            return;
        }
        save.dispatch(SaveContributionRule { rule });
    };
    let error = move |field: &'static str| Signal::derive(move || error_for(&errors.read(), field));
    let required = || {
        vec![
            ("no".to_string(), "No: asked for, not required".to_string()),
            (
                "yes".to_string(),
                "Yes: required, or a reason to go on without".to_string(),
            ),
        ]
    };
    view! {
        <h2 class="heading-l" id="contributions-heading">"Before a PEP is marked ready or approved"</h2>
        <p class="body">
            "Require a contributor's section to be completed before the designated teacher marks "
            "the PEP ready and before the Virtual School approves it. Whoever moves it on may still "
            "go on without by saying why; the reason is kept with the PEP."
        </p>
        <ErrorSummary errors id="contributions-errors" />
        <SuccessNotice message=saved />
        <form novalidate aria-labelledby="contributions-heading" on:submit=on_submit>
            <Select id="requires_care_journey" label="The social worker's section (education, health and care journey)" value=requires_care_journey options=required() error=error("requires_care_journey") />
            <Select id="requires_carer_contribution" label="The carer's contribution" value=requires_carer_contribution options=required() error=error("requires_carer_contribution") />
            <Select id="requires_young_person_views" label="The young person's views" value=requires_young_person_views options=required() error=error("requires_young_person_views") />
            <button type="submit" class="button" disabled=move || save.pending().get()>
                "Save what is required"
            </button>
        </form>
    }
}

const FIELDS: &[&str] = &[
    "initial_pep",
    "new_to_care_or_school",
    "submission_after_meeting",
    "social_worker_contribution",
    "carer_contribution",
    "young_person_contribution",
    "termly_final_dates",
    "trigger_day_counted",
    "inset_days_are_school_days",
];

#[component]
fn RulesForm(form: DeadlineRulesForm) -> impl IntoView {
    let save = ServerAction::<SaveDeadlineRules>::new();
    let initial_pep = RwSignal::new(form.initial_pep);
    let new_to_care_or_school = RwSignal::new(form.new_to_care_or_school);
    let submission_after_meeting = RwSignal::new(form.submission_after_meeting);
    let social_worker_contribution = RwSignal::new(form.social_worker_contribution);
    let carer_contribution = RwSignal::new(form.carer_contribution);
    let young_person_contribution = RwSignal::new(form.young_person_contribution);
    let termly_final_dates = RwSignal::new(form.termly_final_dates);
    let trigger_day_counted = RwSignal::new(form.trigger_day_counted);
    let inset_days_are_school_days = RwSignal::new(form.inset_days_are_school_days);
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let saved = RwSignal::new(None::<String>);
    Effect::new(move |_| match save.value().get() {
        Some(Ok(())) => {
            set_errors.set(Vec::new());
            saved.set(Some(
                "Deadline rules saved. PEPs scheduled from now on follow them; those already \
                 scheduled keep their dates."
                    .to_string(),
            ));
        }
        Some(Err(error)) => {
            saved.set(None);
            set_errors.set(field_errors(error, FIELDS));
        }
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let rules = DeadlineRulesForm {
            initial_pep: initial_pep.get(),
            new_to_care_or_school: new_to_care_or_school.get(),
            submission_after_meeting: submission_after_meeting.get(),
            social_worker_contribution: social_worker_contribution.get(),
            carer_contribution: carer_contribution.get(),
            young_person_contribution: young_person_contribution.get(),
            termly_final_dates: termly_final_dates.get(),
            trigger_day_counted: trigger_day_counted.get(),
            inset_days_are_school_days: inset_days_are_school_days.get(),
        };
        if let Err(problems) = check_deadline_rules(&rules) {
            saved.set(None);
            set_errors.set(problems_on_fields(problems));
            return;
        }
        save.dispatch(SaveDeadlineRules { rules });
    };
    let error = move |field: &'static str| Signal::derive(move || error_for(&errors.read(), field));
    let yes_no = || {
        vec![
            ("yes".to_string(), "Yes".to_string()),
            ("no".to_string(), "No".to_string()),
        ]
    };
    let rule_hint = "A number and a kind of day: school days, working days or calendar days";
    view! {
        <p class="body">
            "Each deadline is counted on the child's school calendar (school days), Monday to "
            "Friday without bank holidays (working days), or every day (calendar days). A child "
            "with no school is counted in working days. Every due date shows its rule in words."
        </p>
        <ErrorSummary errors />
        <SuccessNotice message=saved />
        <form novalidate on:submit=on_submit>
            <h2 class="heading-m">"PEPs"</h2>
            <TextInput id="initial_pep" label="Initial PEP after an emergency placement" hint=rule_hint value=initial_pep error=error("initial_pep") />
            <TextInput id="new_to_care_or_school" label="PEP after coming into care or a school move" hint=rule_hint value=new_to_care_or_school error=error("new_to_care_or_school") />
            <TextInput id="submission_after_meeting" label="Designated teacher's submission after the meeting" hint=rule_hint value=submission_after_meeting error=error("submission_after_meeting") />
            <h2 class="heading-m">"Contributions before the meeting"</h2>
            <TextInput id="social_worker_contribution" label="Social worker" hint=rule_hint value=social_worker_contribution error=error("social_worker_contribution") />
            <TextInput id="carer_contribution" label="Carer" hint=rule_hint value=carer_contribution error=error("carer_contribution") />
            <TextInput id="young_person_contribution" label="Young person" hint=rule_hint value=young_person_contribution error=error("young_person_contribution") />
            <h2 class="heading-m">"Termly reviews"</h2>
            <TextArea
                id="termly_final_dates"
                label="Final dates for termly PEP meetings"
                hint="One a line, like 2026/27 autumn: 2026-12-11. A term without one is due by the last school day before its half-term."
                value=termly_final_dates
                error=error("termly_final_dates")
                rows=4
            />
            <h2 class="heading-m">"Counting"</h2>
            <Select id="trigger_day_counted" label="Count the day of the event itself (when it is an open day)?" value=trigger_day_counted options=yes_no() error=error("trigger_day_counted") />
            <Select id="inset_days_are_school_days" label="Count INSET days as school days?" value=inset_days_are_school_days options=yes_no() error=error("inset_days_are_school_days") />
            <button type="submit" class="button" disabled=move || save.pending().get()>
                "Save deadline rules"
            </button>
        </form>
    }
}
