//! One target of the previous PEP, evaluated from this one: how far it was met, with evidence.

use crate::domain::ids::PepId;
use leptos::prelude::*;

use super::save_status_part::{ConflictChoice, SaveStatus};
use super::saver::{Persist, SaveState, Saver};
use crate::domain::targets::{Evaluation, NeedArea, PreviousTarget};
use crate::error::AppError;
use crate::features::pep_form::{Saved, TargetEvaluation, evaluate_target};
use crate::ui::raw_text::textarea_content;

/// The evaluation of one target of the previous PEP, asked from this one.
#[derive(Clone)]
pub(crate) struct EvaluationRef {
    pub(super) pep_id: PepId,
    pub(super) target_id: String,
}

impl Persist for EvaluationRef {
    type Value = TargetEvaluation;
    fn save(
        self,
        value: TargetEvaluation,
        version: i64,
        _edit_id: String,
    ) -> impl std::future::Future<Output = Result<Saved<TargetEvaluation>, AppError>> + 'static
    {
        evaluate_target(self.pep_id, self.target_id, version, value)
    }
}

#[component]
pub(crate) fn PreviousTargetEvaluation(
    number: usize,
    previous: PreviousTarget,
    saver: Saver<EvaluationRef>,
    editable: bool,
) -> impl IntoView {
    let area = NeedArea::parse(&previous.need_area)
        .map(|a| a.label())
        .unwrap_or("No need area");
    let heading = format!("Last PEP's target {number}: {area}");
    if !editable {
        let judged = Evaluation::parse(&previous.evaluation)
            .map(|e| crate::ui::text::capitalise(e.label()))
            .unwrap_or_else(|_| "Not evaluated yet".to_string());
        return view! {
            <div class="target target--previous">
                <h4 class="heading-s">{heading}</h4>
                <p class="body">{previous.statement}</p>
                <p class="body"><strong>{judged}</strong>{(!previous.evidence.is_empty()).then(|| format!(": {}", previous.evidence))}</p>
            </div>
        }
        .into_any();
    }
    let id = format!("previous-{number}");
    let status_id = format!("{id}-status");
    let described_by = status_id.clone();
    let options = Evaluation::ALL
        .iter()
        .map(|evaluation| {
            let code = evaluation.as_str();
            let option_id = format!("{id}-{code}");
            view! {
                <div class="radios__item">
                    <input
                        class="radios__input"
                        type="radio"
                        id=option_id.clone()
                        name=format!("{id}-evaluation")
                        value=code
                        prop:checked=move || saver.value.get().evaluation == code
                        on:change=move |_| {
                            saver.changed(|e| e.evaluation = code.to_string());
                            saver.save();
                        }
                    />
                    <label class="label radios__label" for=option_id>{crate::ui::text::capitalise(evaluation.label())}</label>
                </div>
            }
        })
        .collect_view();
    let evidence_id = format!("{id}-evidence");
    let initial = previous.evidence.clone();
    view! {
        <fieldset class="fieldset target target--previous" aria-describedby=described_by>
            <legend class="fieldset__legend heading-s">{heading}</legend>
            <p class="body">{previous.statement}</p>
            {(!previous.success_measure.is_empty()).then(|| view! { <p class="hint">{format!("Success measure: {}", previous.success_measure)}</p> })}
            <div class="radios">{options}</div>
            <div class="form-group pep-field">
                <label class="label" for=evidence_id.clone()>"Evidence"</label>
                <textarea class="textarea" id=evidence_id rows="2"
                    prop:value=move || saver.value.get().evidence
                    on:input=move |ev| {
                        let typed = event_target_value(&ev);
                        saver.changed(|e| e.evidence = typed)
                    }
                    on:change=move |_| saver.save()
                    inner_html=textarea_content(&initial)
                />
            </div>
            <SaveStatus id=status_id saver />
            {move || match saver.state.get() {
                SaveState::Conflict { theirs, by, .. }
                | SaveState::ChangedElsewhere { theirs, by, .. } => Some(view! {
                    <ConflictChoice by saver>
                        <blockquote class="conflict__theirs">{format!("{}: {}", theirs.evaluation, theirs.evidence)}</blockquote>
                    </ConflictChoice>
                }),
                _ => None,
            }}
        </fieldset>
    }
    .into_any()
}
