//! School calendars and bank holidays: which days a child's school is open, and which days are
//! working days. Pure data and rules, the same in the server and the browser.
//!
//! A calendar is a list of periods in the shape of the CSV import: terms, and the holidays, INSET
//! days and closures inside or between them. A school day is a weekday inside a term that is in no
//! holiday, INSET or closure period and is not a bank holiday.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::text_enum;

pub mod ical;

text_enum! {
    /// What a calendar period is.
    PeriodKind, "kind of calendar period" {
        Term = "term", "term";
        Holiday = "holiday", "holiday";
        Inset = "inset", "INSET day";
        Closure = "closure", "closure";
    }
}

/// One period, both ends included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub kind: PeriodKind,
    pub label: String,
}

impl Period {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }
}

/// Bank holidays of one division (England and Wales for every council so far), by date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankHolidays(BTreeMap<NaiveDate, String>);

impl BankHolidays {
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, String)>) -> Self {
        BankHolidays(days.into_iter().collect())
    }

    /// The holiday's name, if `day` is one.
    pub fn on(&self, day: NaiveDate) -> Option<&str> {
        self.0.get(&day).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (NaiveDate, &str)> {
        self.0.iter().map(|(d, t)| (*d, t.as_str()))
    }

    /// The last year the list covers: counting past it would silently miss holidays.
    pub fn last_year(&self) -> Option<i32> {
        self.0.keys().next_back().map(|d| d.year())
    }

    /// Reads the government's format (<https://www.gov.uk/bank-holidays.json>): an object of
    /// divisions, each with `events` of `title` and `date`.
    pub fn from_gov_uk_json(json: &str, division: &str) -> Result<BankHolidays, String> {
        BankHolidays::read_gov_uk_json(json, division).map_err(|errors| {
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// The same, for an import: the problem with the line it is on.
    pub fn read_gov_uk_json(json: &str, division: &str) -> Result<BankHolidays, Vec<LineError>> {
        #[derive(Deserialize)]
        struct Division {
            events: Vec<Event>,
        }
        #[derive(Deserialize)]
        struct Event {
            title: String,
            date: NaiveDate,
        }
        let divisions: BTreeMap<String, Division> =
            serde_json::from_str(json.trim_start_matches('\u{feff}')).map_err(|e| {
                vec![LineError {
                    line: e.line().max(1),
                    message: format!(
                        "not the government's bank holidays format (https://www.gov.uk/bank-holidays.json): {e}"
                    ),
                }]
            })?;
        let known: Vec<&str> = divisions.keys().map(String::as_str).collect();
        let chosen = divisions.get(division).ok_or_else(|| {
            vec![LineError {
                line: 1,
                message: format!(
                    "no division “{division}” in the file (it has: {})",
                    known.join(", ")
                ),
            }]
        })?;
        Ok(BankHolidays::new(
            chosen.events.iter().map(|e| (e.date, e.title.clone())),
        ))
    }
}

/// England and Wales bank holidays 2024-2027, shipped in the government's JSON format.
pub const SHIPPED_BANK_HOLIDAYS_JSON: &str = include_str!("../../data/bank-holidays.json");

/// The division every council uses unless it says otherwise.
pub const ENGLAND_AND_WALES: &str = "england-and-wales";

/// Why a day is not a school (or working) day, in words for explanations.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClosedBecause {
    Weekend,
    BankHoliday(String),
    /// A holiday, INSET day or closure period, by its label.
    Period(PeriodKind, String),
    /// A weekday outside every term (the summer holiday, when no period names it).
    OutOfTerm,
}

/// A school's calendar with the bank holidays that apply to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolCalendar {
    periods: Vec<Period>,
    bank_holidays: BankHolidays,
}

impl SchoolCalendar {
    pub fn new(mut periods: Vec<Period>, bank_holidays: BankHolidays) -> Self {
        periods.sort_by_key(|p| (p.start, p.end));
        SchoolCalendar {
            periods,
            bank_holidays,
        }
    }

    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    pub fn bank_holidays(&self) -> &BankHolidays {
        &self.bank_holidays
    }

    /// The first and last term days the calendar knows: school days cannot be counted outside.
    pub fn term_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        let terms = self.periods.iter().filter(|p| p.kind == PeriodKind::Term);
        let start = terms.clone().map(|p| p.start).min()?;
        let end = terms.map(|p| p.end).max()?;
        Some((start, end))
    }

    /// `None` when the school is open to pupils on `day`, otherwise why not.
    pub fn closed_because(&self, day: NaiveDate) -> Option<ClosedBecause> {
        if is_weekend(day) {
            return Some(ClosedBecause::Weekend);
        }
        // A holiday period first: Good Friday inside the Easter holiday is "the Easter holiday".
        if let Some(p) = self
            .periods
            .iter()
            .find(|p| p.kind != PeriodKind::Term && p.contains(day))
        {
            return Some(ClosedBecause::Period(p.kind, p.label.clone()));
        }
        if let Some(title) = self.bank_holidays.on(day) {
            return Some(ClosedBecause::BankHoliday(title.to_string()));
        }
        if self
            .periods
            .iter()
            .any(|p| p.kind == PeriodKind::Term && p.contains(day))
        {
            None
        } else {
            Some(ClosedBecause::OutOfTerm)
        }
    }

    pub fn is_school_day(&self, day: NaiveDate) -> bool {
        self.closed_because(day).is_none()
    }
}

pub fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `None` on a working day (Monday to Friday, not a bank holiday), otherwise why not.
pub fn working_day_closed_because(
    bank_holidays: &BankHolidays,
    day: NaiveDate,
) -> Option<ClosedBecause> {
    if is_weekend(day) {
        Some(ClosedBecause::Weekend)
    } else {
        bank_holidays
            .on(day)
            .map(|t| ClosedBecause::BankHoliday(t.to_string()))
    }
}

/// One problem in an imported file, by line (1 is the header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Reads a calendar CSV: a header `start,end,kind,label`, then one period per line with ISO
/// dates. Every problem is reported with its line, not just the first, so a file is fixed in one go.
pub fn parse_calendar_csv(text: &str) -> Result<Vec<Period>, Vec<LineError>> {
    let mut errors = Vec::new();
    let mut periods: Vec<(usize, Period)> = Vec::new();
    // The `csv` crate reads the file (quotes, a label with a comma or a line break). A record's
    // line is counted here from its byte offset: the crate's own count skips blank lines and
    // line breaks inside quotes.
    let text = text.trim_start_matches('\u{feff}');
    let line_at = |position: Option<&csv::Position>| {
        let bytes = text.as_bytes();
        let mut at = position.map_or(0, |p| p.byte() as usize).min(bytes.len());
        // The offset can point at the end of the line before (and at blank lines): step past.
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        1 + bytes[..at].iter().filter(|&&b| b == b'\n').count()
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records().map(|read| {
        read.map(|record| {
            let line = line_at(record.position());
            (line, record.iter().map(str::to_string).collect::<Vec<_>>())
        })
        .map_err(|e| LineError {
            line: line_at(e.position()),
            message: "this line could not be read as CSV: check its quotes".into(),
        })
    });
    match records.next() {
        Some(Ok((_, header))) => {
            let columns: Vec<String> = header.iter().map(|c| c.trim().to_lowercase()).collect();
            if columns != ["start", "end", "kind", "label"] {
                errors.push(LineError {
                    line: 1,
                    message: format!(
                        "the first line must be the header start,end,kind,label (it is “{}”)",
                        header.join(",")
                    ),
                });
                return Err(errors);
            }
        }
        Some(Err(error)) => return Err(vec![error]),
        None => {
            return Err(vec![LineError {
                line: 1,
                message: "the file is empty: it needs the header start,end,kind,label".into(),
            }]);
        }
    }
    for read in records {
        let (line, fields) = match read {
            Ok(record) => record,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if fields.len() != 4 {
            errors.push(LineError {
                line,
                message: format!(
                    "expected 4 values (start,end,kind,label), found {}",
                    fields.len()
                ),
            });
            continue;
        }
        let mut problems = Vec::new();
        let date = |value: &str, column: &str, problems: &mut Vec<String>| {
            NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
                .map_err(|_| {
                    problems.push(format!(
                        "{column} “{}” is not a date: write it as YYYY-MM-DD, like 2026-09-01",
                        value.trim()
                    ))
                })
                .ok()
        };
        let start = date(&fields[0], "start", &mut problems);
        let end = date(&fields[1], "end", &mut problems);
        let kind = PeriodKind::parse(fields[2].trim().to_lowercase().as_str())
            .map_err(|_| {
                problems.push(format!(
                    "kind “{}” must be one of term, holiday, inset, closure",
                    fields[2].trim()
                ))
            })
            .ok();
        let label = fields[3].trim().to_string();
        if label.is_empty() {
            problems.push("label is empty: name the period, like “Autumn half-term”".into());
        }
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            problems.push(format!("end {end} is before start {start}"));
        }
        if problems.is_empty()
            && let (Some(start), Some(end), Some(kind)) = (start, end, kind)
        {
            periods.push((
                line,
                Period {
                    start,
                    end,
                    kind,
                    label,
                },
            ));
        } else {
            errors.extend(
                problems
                    .into_iter()
                    .map(|message| LineError { line, message }),
            );
        }
    }
    check_periods(periods, errors)
}

/// The checks on a whole imported calendar, whatever its format: no two terms overlap, and
/// there is at least one term. `periods` carry the line they came from.
pub(crate) fn check_periods(
    periods: Vec<(usize, Period)>,
    mut errors: Vec<LineError>,
) -> Result<Vec<Period>, Vec<LineError>> {
    // Two terms cannot overlap: one of them has a wrong date.
    let mut terms: Vec<&(usize, Period)> = periods
        .iter()
        .filter(|(_, p)| p.kind == PeriodKind::Term)
        .collect();
    terms.sort_by_key(|(_, p)| p.start);
    for pair in terms.windows(2) {
        let ((_, first), (line, second)) = (pair[0], pair[1]);
        if second.start <= first.end {
            errors.push(LineError {
                line: *line,
                message: format!(
                    "term “{}” starts on {} before “{}” ends on {}",
                    second.label, second.start, first.label, first.end
                ),
            });
        }
    }
    if periods.iter().all(|(_, p)| p.kind != PeriodKind::Term) && errors.is_empty() {
        errors.push(LineError {
            line: 1,
            message: "no term in the file: a calendar needs at least one term".into(),
        });
    }
    if errors.is_empty() {
        Ok(periods.into_iter().map(|(_, p)| p).collect())
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// Reads a calendar in either import format: iCalendar when it starts `BEGIN:VCALENDAR`,
/// otherwise CSV.
pub fn parse_calendar(text: &str) -> Result<Vec<Period>, Vec<LineError>> {
    if text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_uppercase()
        .starts_with("BEGIN:VCALENDAR")
    {
        ical::parse_calendar_ics(text)
    } else {
        parse_calendar_csv(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_shipped_bank_holidays_are_the_governments_for_2024_to_2027() {
        let holidays =
            BankHolidays::from_gov_uk_json(SHIPPED_BANK_HOLIDAYS_JSON, ENGLAND_AND_WALES).unwrap();
        assert_eq!(holidays.iter().count(), 32);
        assert_eq!(holidays.on(d(2026, 4, 3)), Some("Good Friday"));
        assert_eq!(holidays.on(d(2027, 12, 28)), Some("Boxing Day"));
        assert_eq!(holidays.on(d(2026, 12, 28)), Some("Boxing Day"));
        assert_eq!(holidays.last_year(), Some(2027));
        let error = BankHolidays::from_gov_uk_json(SHIPPED_BANK_HOLIDAYS_JSON, "mars").unwrap_err();
        assert!(error.contains("england-and-wales"), "{error}");
    }

    #[test]
    fn a_school_day_is_a_term_weekday_without_holiday_inset_closure_or_bank_holiday() {
        let csv = "start,end,kind,label\n\
                   2026-09-01,2026-12-18,term,Autumn term\n\
                   2026-09-01,2026-09-01,inset,INSET day\n\
                   2026-10-26,2026-10-30,holiday,Autumn half-term\n\
                   2027-01-04,2027-03-25,term,Spring term\n\
                   2027-01-04,2027-01-04,inset,INSET day\n";
        let holidays =
            BankHolidays::from_gov_uk_json(SHIPPED_BANK_HOLIDAYS_JSON, ENGLAND_AND_WALES).unwrap();
        let calendar = SchoolCalendar::new(parse_calendar_csv(csv).unwrap(), holidays);
        assert!(!calendar.is_school_day(d(2026, 9, 1)), "INSET");
        assert!(calendar.is_school_day(d(2026, 9, 2)));
        assert_eq!(
            calendar.closed_because(d(2026, 9, 5)),
            Some(ClosedBecause::Weekend)
        );
        assert_eq!(
            calendar.closed_because(d(2026, 10, 28)),
            Some(ClosedBecause::Period(
                PeriodKind::Holiday,
                "Autumn half-term".into()
            ))
        );
        assert_eq!(
            calendar.closed_because(d(2026, 12, 22)),
            Some(ClosedBecause::OutOfTerm)
        );
        assert_eq!(calendar.term_range(), Some((d(2026, 9, 1), d(2027, 3, 25))));
    }

    #[test]
    fn a_quoted_label_may_hold_a_comma_a_quote_or_a_line_break_and_lines_still_count() {
        let csv = "start,end,kind,label\r\n\
                   2026-09-01,2026-12-18,term,\"Autumn term, first half\"\r\n\
                   2026-10-26,2026-10-30,holiday,\"Half-term\n(\"\"October\"\")\"\r\n\
                   \r\n\
                   2026-11-04,2026-11-04,party,INSET\r\n";
        let errors = parse_calendar_csv(csv).unwrap_err();
        assert_eq!(
            errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["line 6: kind “party” must be one of term, holiday, inset, closure"]
        );
        let periods = parse_calendar_csv(&csv.replace("party", "inset")).unwrap();
        assert_eq!(periods[0].label, "Autumn term, first half");
        assert_eq!(periods[1].label, "Half-term\n(\"October\")");
        assert_eq!(periods.len(), 3);
    }

    #[test]
    fn every_import_error_is_reported_with_its_line() {
        let csv = "start,end,kind,label\n\
                   2026-09-01,2026-12-18,term,Autumn term\n\
                   2026-13-01,2026-10-30,holiday,Half-term\n\
                   2026-10-30,2026-10-26,holiday,Backwards\n\
                   2026-11-02,2026-11-02,party,Fun day\n\
                   2026-11-03,2026-11-03,inset,\n\
                   2026-11-04,2026-11-04,inset\n\
                   2026-12-01,2027-01-10,term,Overlapping term\n";
        let errors = parse_calendar_csv(csv).unwrap_err();
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "line 3: start “2026-13-01” is not a date: write it as YYYY-MM-DD, like 2026-09-01",
                "line 4: end 2026-10-26 is before start 2026-10-30",
                "line 5: kind “party” must be one of term, holiday, inset, closure",
                "line 6: label is empty: name the period, like “Autumn half-term”",
                "line 7: expected 4 values (start,end,kind,label), found 3",
                "line 8: term “Overlapping term” starts on 2026-12-01 before “Autumn term” ends on 2026-12-18",
            ]
        );
        assert_eq!(parse_calendar_csv("begin,finish\n").unwrap_err()[0].line, 1);
        assert!(
            parse_calendar_csv("").unwrap_err()[0]
                .message
                .contains("empty")
        );
        assert!(
            parse_calendar_csv("start,end,kind,label\n2026-10-26,2026-10-30,holiday,Half\n")
                .unwrap_err()[0]
                .message
                .contains("no term")
        );
    }

    #[test]
    fn quoted_labels_may_hold_commas_and_a_bom_and_crlf_are_accepted() {
        let csv = "\u{feff}start,end,kind,label\r\n2026-09-01,2026-12-18,term,\"Autumn term, first half \"\"A\"\"\"\r\n";
        let periods = parse_calendar_csv(csv).unwrap();
        assert_eq!(periods[0].label, "Autumn term, first half \"A\"");
    }
}
