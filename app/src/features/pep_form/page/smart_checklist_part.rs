//! The SMART findings as the person types: one line per finding, and the S-M-A-R-T checklist
//! of one target. The same checks run on the server before the PEP may be marked ready.

use leptos::prelude::*;

use crate::domain::smart::{Finding, Severity};

#[component]
pub(crate) fn FindingLine(finding: Finding) -> impl IntoView {
    let (mark, word) = match finding.severity {
        Severity::Error => ("✗", "Problem"),
        Severity::Warning => ("!", "Check"),
        Severity::Hint => ("i", "Hint"),
    };
    view! {
        <li class=format!("smart-finding smart-finding--{}", word.to_lowercase())>
            <span aria-hidden="true" class="smart-finding__mark">{mark}</span>
            <strong>{format!("{word}: ")}</strong>
            {finding.reason}
        </li>
    }
}

const LETTERS: [(char, &str); 5] = [
    ('S', "Specific"),
    ('M', "Measurable"),
    ('A', "Achievable: actions with owners"),
    ('R', "Relevant to a need"),
    ('T', "Time-bound"),
];

/// The S-M-A-R-T checklist of one target, recomputed as the person types.
#[component]
pub(crate) fn Checklist(findings: Signal<Vec<Finding>>, id: String) -> impl IntoView {
    view! {
        <div class="smart-checklist" id=id>
            <h4 class="heading-s">"SMART checklist"</h4>
            <ul class="list">
                {LETTERS
                    .iter()
                    .map(|&(letter, name)| {
                        let mine = move || {
                            findings
                                .get()
                                .into_iter()
                                .filter(|f| f.letter == letter)
                                .collect::<Vec<_>>()
                        };
                        view! {
                            <li class="smart-checklist__letter">
                                <span class="smart-checklist__initial" aria-hidden="true">{letter.to_string()}</span>
                                <strong>{format!("{name}: ")}</strong>
                                {move || {
                                    let mine = mine();
                                    if mine.is_empty() {
                                        view! { <span class="smart-ok">"✓ met"</span> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="list smart-findings">
                                                {mine.into_iter().map(|f| view! { <FindingLine finding=f /> }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }
                                }}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}
