//! SMART checks on a target statement's words (DOMAIN.md, "SMART targets", checks 1, 3, 4 and 7):
//! present and of a sensible length, a measurable criterion, vague wording without one, and a date
//! phrase. Deterministic and explainable: every finding says why it fired and what would satisfy
//! it; the person's words are never rewritten. The checks that need the whole PEP (the review
//! window, the mix rule, owners, previous targets) build on these in the PEP form.

use serde::{Deserialize, Serialize};

use super::text_enum;

/// How much a finding matters: an error blocks "ready", a warning asks for a look, a hint helps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Hint,
}

text_enum! {
    /// Which check a finding comes from: a stable name the page and the tests can rely on.
    SmartCheck, "SMART check" {
        StatementMissing = "statement_missing", "no statement";
        TooShort = "too_short", "too short";
        TooLong = "too_long", "too long";
        NotMeasurable = "not_measurable", "not measurable";
        Vague = "vague", "vague words";
        NoDate = "no_date", "no date";
        NoNeedArea = "no_need_area", "no area of need";
        NoBaseline = "no_baseline", "no starting point";
        NoChildView = "no_child_view", "no child's view";
        BadDate = "bad_date", "a date that does not read";
        DateBeforeMeeting = "date_before_meeting", "a date before the meeting";
        DateAfterReview = "date_after_review", "a date after the next review";
        NoOwnedAction = "no_owned_action", "no action with an owner";
        NoFrequency = "no_frequency", "an action without a frequency";
        TooFewTargets = "too_few_targets", "too few targets";
        RequiredAreaMissing = "required_area_missing", "a required area missing";
        WritingMissing = "writing_missing", "no writing target";
        PreviousNotEvaluated = "previous_not_evaluated", "previous targets not evaluated";
        RepeatsUnmetTarget = "repeats_unmet_target", "repeats an unmet target";
        PpPlusNotItemised = "pp_plus_not_itemised", "PP+ not itemised";
        PpPlusOverAllocation = "pp_plus_over_allocation", "PP+ over the allocation";
    }
}

impl SmartCheck {
    /// The checks of a target's Pupil Premium Plus requests (check 11), which block a PEP
    /// from being ready however its author answers them.
    pub fn is_pp_plus(self) -> bool {
        matches!(
            self,
            SmartCheck::PpPlusNotItemised | SmartCheck::PpPlusOverAllocation
        )
    }
}

/// One check that fired, with its reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The SMART letter it belongs to: "S", "M", "A", "R" or "T".
    pub letter: char,
    pub check: SmartCheck,
    pub severity: Severity,
    pub reason: String,
}

/// What the words of a target say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextCheck {
    /// A criterion someone could check: a number, a percentage, "x out of y", a grade or a named
    /// assessment.
    pub measurable: bool,
    /// The words that make it measurable, as typed.
    pub measure_phrase: Option<String>,
    /// Vague wording ("improve", "try to") with no criterion to pin it down.
    pub vague: bool,
    /// When, as typed: "by 12 February 2027", "by the end of the spring term".
    pub date_phrase: Option<String>,
    pub findings: Vec<Finding>,
}

/// Shortest and longest statements that make sense as one target.
const FEWEST_WORDS: usize = 4;
const MOST_CHARACTERS: usize = 600;

/// A word of the statement with where it is in the original text.
#[derive(Debug, Clone)]
struct Token {
    lower: String,
    start: usize,
    end: usize,
}

impl Token {
    fn is_number(&self) -> bool {
        !self.lower.is_empty() && self.lower.chars().all(|c| c.is_ascii_digit())
    }

    fn number(&self) -> Option<u32> {
        if self.is_number() && self.lower.len() <= 6 {
            self.lower.parse().ok()
        } else {
            None
        }
    }
}

/// Words (letters and digits) and the symbols that carry meaning here (`%`, `/`).
fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (at, c) in text.char_indices() {
        if c.is_alphanumeric() || c == '\'' || c == '’' {
            match &mut current {
                // A word does not run from letters into digits: "80%" and "y6" split.
                Some((_, word))
                    if word.chars().last().is_some_and(|l| l.is_ascii_digit())
                        == c.is_ascii_digit() =>
                {
                    word.push(c)
                }
                _ => {
                    if let Some((start, word)) = current.take() {
                        out.push(Token {
                            end: start + word.len(),
                            lower: word.to_lowercase(),
                            start,
                        });
                    }
                    current = Some((at, c.to_string()));
                }
            }
        } else {
            if let Some((start, word)) = current.take() {
                out.push(Token {
                    end: start + word.len(),
                    lower: word.to_lowercase(),
                    start,
                });
            }
            if c == '%' || c == '/' {
                out.push(Token {
                    lower: c.to_string(),
                    start: at,
                    end: at + c.len_utf8(),
                });
            }
        }
    }
    if let Some((start, word)) = current {
        out.push(Token {
            end: start + word.len(),
            lower: word.to_lowercase(),
            start,
        });
    }
    out
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn is_month(word: &str) -> bool {
    MONTHS.contains(&word)
        || [
            "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        ]
        .contains(&word)
}

fn is_year(token: &Token) -> bool {
    token.number().is_some_and(|n| (2000..=2099).contains(&n))
}

/// The original text from token `from` to token `to`, inclusive.
fn span(text: &str, tokens: &[Token], from: usize, to: usize) -> String {
    text[tokens[from].start..tokens[to].end].to_string()
}

/// "by 12 February 2027", "by the end of the spring term", "by February half-term", "within 6
/// weeks", "by 12/02/2027", "by 2027-02-12", "by Easter", "by the next PEP".
fn date_phrase(text: &str, tokens: &[Token]) -> Option<String> {
    let word = |i: usize| tokens.get(i).map(|t| t.lower.as_str()).unwrap_or("");
    for (i, token) in tokens.iter().enumerate() {
        let lead = token.lower.as_str();
        if !matches!(lead, "by" | "before" | "within" | "in" | "until" | "on") {
            continue;
        }
        let mut j = i + 1;
        if word(j) == "the" {
            j += 1;
        }
        // "within 6 weeks", "in 3 months".
        if matches!(lead, "within" | "in")
            && tokens.get(j).and_then(Token::number).is_some()
            && matches!(
                word(j + 1),
                "week" | "weeks" | "month" | "months" | "day" | "days"
            )
        {
            return Some(span(text, tokens, i, j + 1));
        }
        // "by 12 February 2027" / "by 12 February".
        if tokens
            .get(j)
            .and_then(Token::number)
            .is_some_and(|d| (1..=31).contains(&d))
            && is_month(word(j + 1))
        {
            let last = if tokens.get(j + 2).is_some_and(is_year) {
                j + 2
            } else {
                j + 1
            };
            return Some(span(text, tokens, i, last));
        }
        // "by February 2027" / "by February half-term" / "by the October half term".
        if is_month(word(j)) {
            let last = match (word(j + 1), word(j + 2)) {
                (_, _) if tokens.get(j + 1).is_some_and(is_year) => j + 1,
                ("half", "term") => j + 2,
                ("halfterm", _) => j + 1,
                _ => j,
            };
            return Some(span(text, tokens, i, last));
        }
        // "by 12/02/2027".
        if tokens.get(j).and_then(Token::number).is_some()
            && word(j + 1) == "/"
            && tokens.get(j + 2).and_then(Token::number).is_some()
        {
            let last = if word(j + 3) == "/" && tokens.get(j + 4).is_some_and(Token::is_number) {
                j + 4
            } else {
                j + 2
            };
            return Some(span(text, tokens, i, last));
        }
        // "by 2027-02-12".
        if tokens.get(j).is_some_and(is_year)
            && tokens.get(j + 1).and_then(Token::number).is_some()
            && tokens.get(j + 2).and_then(Token::number).is_some()
        {
            return Some(span(text, tokens, i, j + 2));
        }
        // "by the end of the spring term", "by the end of Year 6", "by the end of term".
        if word(j) == "end" && word(j + 1) == "of" {
            let mut k = j + 2;
            if word(k) == "the" {
                k += 1;
            }
            if matches!(word(k), "autumn" | "spring" | "summer") && word(k + 1) == "term" {
                return Some(span(text, tokens, i, k + 1));
            }
            if matches!(word(k), "term" | "year" | "ks1" | "ks2" | "ks3" | "ks4") {
                let last = if tokens.get(k + 1).is_some_and(Token::is_number) {
                    k + 1
                } else {
                    k
                };
                return Some(span(text, tokens, i, last));
            }
            if word(k) == "key"
                && word(k + 1) == "stage"
                && tokens.get(k + 2).is_some_and(Token::is_number)
            {
                return Some(span(text, tokens, i, k + 2));
            }
        }
        // "by Easter", "by Christmas", "by half-term", "by the next PEP", "by the next review".
        if matches!(word(j), "easter" | "christmas" | "whitsun") {
            return Some(span(text, tokens, i, j));
        }
        if word(j) == "half" && word(j + 1) == "term" {
            return Some(span(text, tokens, i, j + 1));
        }
        if matches!(word(j), "autumn" | "spring" | "summer")
            && word(j + 1) == "half"
            && word(j + 2) == "term"
        {
            return Some(span(text, tokens, i, j + 2));
        }
        if word(j) == "next" && matches!(word(j + 1), "pep" | "review" | "meeting") {
            return Some(span(text, tokens, i, j + 1));
        }
    }
    None
}

/// The criterion that makes the target checkable, as typed.
fn measure_phrase(text: &str, tokens: &[Token]) -> Option<String> {
    let word = |i: usize| tokens.get(i).map(|t| t.lower.as_str()).unwrap_or("");
    for (i, token) in tokens.iter().enumerate() {
        // Named assessments: "as measured by the Salford reading test", "reading age".
        if token.lower == "measured" || token.lower == "assessed" {
            let last = (i + 3).min(tokens.len() - 1);
            return Some(span(text, tokens, i.saturating_sub(1), last));
        }
        if matches!(token.lower.as_str(), "reading" | "spelling") && word(i + 1) == "age" {
            return Some(span(text, tokens, i, i + 1));
        }
        if matches!(
            token.lower.as_str(),
            "sdq" | "boxall" | "gcse" | "gcses" | "phonics"
        ) {
            return Some(span(text, tokens, i, i));
        }
        if token.lower == "grade" && tokens.get(i + 1).is_some() {
            return Some(span(text, tokens, i, i + 1));
        }
        if token.lower == "expected" && word(i + 1) == "standard" {
            return Some(span(text, tokens, i, i + 1));
        }
        if token.lower == "greater" && word(i + 1) == "depth" {
            return Some(span(text, tokens, i, i + 1));
        }
        let Some(_) = token.number() else {
            continue;
        };
        // A number that is part of a date or a year group is not a criterion.
        let before = if i > 0 { word(i - 1) } else { "" };
        if is_year(token)
            || is_month(word(i + 1))
            || is_month(before)
            || matches!(before, "year" | "y" | "ks" | "stage" | "by" | "/" | "term")
            || word(i + 1) == "/"
                && tokens.get(i + 2).is_some_and(Token::is_number)
                && word(i + 3) == "/"
        {
            continue;
        }
        // "8 out of 10", "80%", "80 per cent", "4/5", or a count ("40 words", "3 times").
        if word(i + 1) == "out"
            && word(i + 2) == "of"
            && tokens.get(i + 3).is_some_and(Token::is_number)
        {
            return Some(span(text, tokens, i, i + 3));
        }
        if word(i + 1) == "%" || (word(i + 1) == "per" && word(i + 2) == "cent") {
            let last = if word(i + 1) == "%" { i + 1 } else { i + 2 };
            return Some(span(text, tokens, i, last));
        }
        if word(i + 1) == "/" && tokens.get(i + 2).is_some_and(Token::is_number) {
            return Some(span(text, tokens, i, i + 2));
        }
        let last = if tokens
            .get(i + 1)
            .is_some_and(|t| !t.is_number() && t.lower != "/")
        {
            i + 1
        } else {
            i
        };
        return Some(span(text, tokens, i, last));
    }
    None
}

/// Vague wording, as typed: the first phrase that says a direction without a distance.
fn vague_phrase(text: &str, tokens: &[Token]) -> Option<String> {
    let word = |i: usize| tokens.get(i).map(|t| t.lower.as_str()).unwrap_or("");
    for (i, token) in tokens.iter().enumerate() {
        let w = token.lower.as_str();
        if matches!(
            w,
            "improve" | "improved" | "improving" | "better" | "develop" | "engage" | "enjoy"
        ) {
            return Some(span(text, tokens, i, i));
        }
        if w == "try" && word(i + 1) == "to" {
            return Some(span(text, tokens, i, i + 1));
        }
        if w == "work" && word(i + 1) == "on" {
            return Some(span(text, tokens, i, i + 1));
        }
        if matches!(w, "more" | "less")
            && matches!(
                word(i + 1),
                "confident" | "focused" | "settled" | "positive" | "engaged" | "often"
            )
        {
            return Some(span(text, tokens, i, i + 1));
        }
    }
    None
}

/// The text-level checks on a target statement.
pub fn check_target_text(statement: &str) -> TextCheck {
    let text = statement.trim();
    let tokens = tokens(text);
    let mut findings = Vec::new();
    let words = tokens
        .iter()
        .filter(|t| t.lower.chars().any(char::is_alphanumeric))
        .count();
    let characters = text.chars().count();
    if words == 0 {
        findings.push(Finding {
            letter: 'S',
            check: SmartCheck::StatementMissing,
            severity: Severity::Error,
            reason: "Write the target: what the child will be able to do, how well, and by when"
                .to_string(),
        });
    } else if words < FEWEST_WORDS {
        findings.push(Finding {
            letter: 'S',
            check: SmartCheck::TooShort,
            severity: Severity::Error,
            reason: format!(
                "{words} words cannot say what will change: write what the child will do, how \
                 well, and by when"
            ),
        });
    } else if characters > MOST_CHARACTERS {
        findings.push(Finding {
            letter: 'S',
            check: SmartCheck::TooLong,
            severity: Severity::Error,
            reason: format!(
                "{characters} characters is more than one target ({MOST_CHARACTERS} at most): \
                 split it, or move the detail into the actions"
            ),
        });
    }
    let measure = measure_phrase(text, &tokens);
    let vague_words = vague_phrase(text, &tokens);
    let date = date_phrase(text, &tokens);
    if words > 0 && measure.is_none() {
        findings.push(Finding {
            letter: 'M',
            check: SmartCheck::NotMeasurable,
            severity: Severity::Warning,
            reason: "Nothing here can be counted or checked: add a number, a percentage, \
                     “x out of y”, a grade, or “as measured by” a named assessment"
                .to_string(),
        });
    }
    let vague = measure.is_none() && vague_words.is_some();
    if let (true, Some(phrase)) = (vague, &vague_words) {
        findings.push(Finding {
            letter: 'M',
            check: SmartCheck::Vague,
            severity: Severity::Warning,
            reason: format!(
                "“{phrase}” says which way, not how far: say how everyone will know it has \
                 happened"
            ),
        });
    }
    if words > 0 && date.is_none() {
        findings.push(Finding {
            letter: 'T',
            check: SmartCheck::NoDate,
            severity: Severity::Warning,
            reason: "No date in the words: add one, like “by 12 February 2027” or “by the end \
                     of the spring term”, or the target's date field must say when"
                .to_string(),
        });
    }
    TextCheck {
        measurable: measure.is_some(),
        measure_phrase: measure,
        vague,
        date_phrase: date,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn checks(check: &TextCheck) -> Vec<SmartCheck> {
        check.findings.iter().map(|f| f.check).collect()
    }

    #[test]
    fn a_smart_target_passes_every_text_check() {
        let check = check_target_text(
            "Maya will read 40 words a minute from a Year 3 book, as measured by the Salford \
             reading test, by 12 February 2027.",
        );
        assert!(check.measurable);
        assert!(!check.vague);
        assert_eq!(check.measure_phrase.as_deref(), Some("40 words"));
        assert_eq!(check.date_phrase.as_deref(), Some("by 12 February 2027"));
        assert_eq!(checks(&check), Vec::<SmartCheck>::new());
    }

    #[test]
    fn vague_wording_without_a_criterion_is_named() {
        let check = check_target_text("Tyler will try to improve his confidence in maths.");
        assert!(!check.measurable);
        assert!(check.vague);
        assert_eq!(check.date_phrase, None);
        assert_eq!(
            checks(&check),
            [
                SmartCheck::NotMeasurable,
                SmartCheck::Vague,
                SmartCheck::NoDate
            ]
        );
        assert!(
            check.findings[1]
                .reason
                .starts_with("“try to” says which way")
        );
    }

    #[test]
    fn vague_words_with_a_criterion_are_not_vague() {
        let check = check_target_text(
            "Improve times tables recall to 18 out of 20 correct by the end of the spring term",
        );
        assert!(check.measurable && !check.vague);
        assert_eq!(check.measure_phrase.as_deref(), Some("18 out of 20"));
        assert_eq!(
            check.date_phrase.as_deref(),
            Some("by the end of the spring term")
        );
    }

    #[test]
    fn dates_and_year_groups_are_not_criteria() {
        let check = check_target_text("Jayden will settle into Year 7 by 3 March 2027.");
        assert!(!check.measurable, "{check:?}");
        let check = check_target_text("Attendance will rise to 95% by February half-term.");
        assert_eq!(check.measure_phrase.as_deref(), Some("95%"));
        assert_eq!(check.date_phrase.as_deref(), Some("by February half-term"));
    }

    #[test]
    fn date_phrases_come_in_many_forms() {
        for (text, phrase) in [
            ("Spell 8 of 10 words within 6 weeks", "within 6 weeks"),
            ("Score 4/5 on the quiz by 12/02/2027", "by 12/02/2027"),
            ("Read 3 books by 2027-02-12", "by 2027-02-12"),
            ("Write 3 paragraphs by Easter", "by Easter"),
            ("Reach grade 4 by the next PEP", "by the next PEP"),
            (
                "Reach grade 5 by the end of Year 11",
                "by the end of Year 11",
            ),
        ] {
            assert_eq!(
                check_target_text(text).date_phrase.as_deref(),
                Some(phrase),
                "{text}"
            );
        }
    }

    #[test]
    fn missing_short_and_long_statements_are_errors() {
        assert_eq!(
            checks(&check_target_text("   ")),
            [SmartCheck::StatementMissing]
        );
        assert_eq!(
            check_target_text("Be good.").findings[0].check,
            SmartCheck::TooShort
        );
        let long = "Read 40 words a minute by 12 February 2027. ".repeat(20);
        assert_eq!(
            check_target_text(&long).findings[0].check,
            SmartCheck::TooLong
        );
        assert_eq!(
            check_target_text(&long).findings[0].severity,
            Severity::Error
        );
    }

    proptest! {
        #[test]
        fn any_text_is_checked_without_panicking_and_the_same_way_every_time(text in "\\PC{0,300}") {
            let first = check_target_text(&text);
            prop_assert_eq!(&first, &check_target_text(&text));
            // Every phrase reported is the person's own words.
            for phrase in [&first.measure_phrase, &first.date_phrase].into_iter().flatten() {
                prop_assert!(text.contains(phrase.as_str()));
            }
        }

        #[test]
        fn targets_built_from_parts_are_read_back(n in 1u32..500, day in 1u32..29) {
            let text = format!("Spell {n} words correctly by {day} March 2027");
            let check = check_target_text(&text);
            prop_assert!(check.measurable);
            let expected = format!("by {day} March 2027");
            prop_assert_eq!(check.date_phrase.as_deref(), Some(expected.as_str()));
        }
    }
}
