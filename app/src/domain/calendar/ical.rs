//! Reading a school calendar from iCalendar (RFC 5545), as schools and councils publish term
//! dates: one all-day event per term, holiday, INSET day or closure.
//!
//! What an event is comes from its CATEGORIES when one of them is term, holiday, inset or closure,
//! else from words in its SUMMARY ("Autumn term", "October half-term", "INSET day", "School
//! closed"). Bank holidays in the file are skipped (the government's list is used). Any other event
//! (a sports day) is reported by line rather than guessed at, as are repeating events. All-day
//! events end the day before DTEND (RFC 5545: the end is exclusive).

use chrono::{Duration, NaiveDate};

use super::{LineError, Period, PeriodKind, check_periods};

/// One unfolded content line with the physical line it started on.
struct ContentLine {
    line: usize,
    name: String,
    value: String,
}

fn content_lines(text: &str) -> Vec<ContentLine> {
    let mut logical: Vec<(usize, String)> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let raw = raw.trim_end_matches('\r');
        match (
            raw.strip_prefix(' ').or_else(|| raw.strip_prefix('\t')),
            logical.last_mut(),
        ) {
            // A folded line continues the one before it.
            (Some(rest), Some((_, previous))) => previous.push_str(rest),
            _ => logical.push((n + 1, raw.trim_start_matches('\u{feff}').to_string())),
        }
    }
    logical
        .into_iter()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(line, text)| {
            let (head, value) = text.split_once(':').unwrap_or((text.as_str(), ""));
            // Parameters (VALUE=DATE, TZID=…) do not change which day it is.
            let name = head.split_once(';').map_or(head, |(name, _)| name);
            ContentLine {
                line,
                name: name.trim().to_uppercase(),
                value: value.to_string(),
            }
        })
        .collect()
}

/// "20260901" or "20260901T083000Z": the date, and whether it was a date-time at midnight.
fn date_of(value: &str) -> Option<(NaiveDate, bool)> {
    let value = value.trim();
    let date = NaiveDate::parse_from_str(value.get(..8)?, "%Y%m%d").ok()?;
    let midnight_time = value
        .get(8..)
        .is_some_and(|rest| rest.trim_end_matches('Z') == "T000000");
    Some((date, midnight_time))
}

/// Undoes iCalendar text escapes: `\,` `\;` `\\` `\n`.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some('n' | 'N')) => {
                chars.next();
                out.push(' ');
            }
            ('\\', Some(next)) => {
                chars.next();
                out.push(next);
            }
            _ => out.push(c),
        }
    }
    out.trim().to_string()
}

/// What an event is, from its categories or the words of its summary; `Ok(None)` to skip it.
fn kind_of(summary: &str, categories: &str) -> Result<Option<PeriodKind>, String> {
    for category in categories.split(',') {
        if let Ok(kind) = PeriodKind::parse(category.trim().to_lowercase().as_str()) {
            return Ok(Some(kind));
        }
    }
    let words = summary.to_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| words.contains(n));
    if has(&["bank holiday"]) {
        Ok(None)
    } else if has(&[
        "inset",
        "training day",
        "staff development",
        "professional development",
    ]) {
        Ok(Some(PeriodKind::Inset))
    } else if has(&["closed", "closure"]) {
        Ok(Some(PeriodKind::Closure))
    } else if has(&["half term", "half-term", "holiday", "break", "vacation"]) {
        Ok(Some(PeriodKind::Holiday))
    } else if has(&["term"]) {
        Ok(Some(PeriodKind::Term))
    } else {
        Err(format!(
            "“{summary}” is not a term, holiday, INSET day or closure: delete the event, or put \
             one of those words in its title or CATEGORIES"
        ))
    }
}

#[derive(Default)]
struct Event {
    line: usize,
    start: Option<(NaiveDate, bool)>,
    end: Option<(NaiveDate, bool)>,
    summary: String,
    categories: String,
    repeats: bool,
    problems: Vec<LineError>,
}

pub fn parse_calendar_ics(text: &str) -> Result<Vec<Period>, Vec<LineError>> {
    let mut errors = Vec::new();
    let mut periods = Vec::new();
    let mut event: Option<Event> = None;
    // Nested components inside an event (an alarm) are skipped whole.
    let mut nested = 0usize;
    for line in content_lines(text) {
        match (
            line.name.as_str(),
            line.value.trim().to_uppercase().as_str(),
        ) {
            ("BEGIN", "VEVENT") if event.is_none() => {
                event = Some(Event {
                    line: line.line,
                    ..Event::default()
                });
            }
            ("BEGIN", _) if event.is_some() => nested += 1,
            ("END", "VEVENT") if nested == 0 => match event.take() {
                Some(finished) => match finish(finished) {
                    Ok(Some(period)) => periods.push(period),
                    Ok(None) => {}
                    Err(problems) => errors.extend(problems),
                },
                None => errors.push(LineError {
                    line: line.line,
                    message: "END:VEVENT without a BEGIN:VEVENT".into(),
                }),
            },
            ("END", _) if nested > 0 => nested -= 1,
            _ => {
                let Some(current) = event.as_mut().filter(|_| nested == 0) else {
                    continue;
                };
                let date = |current: &mut Event| {
                    let parsed = date_of(&line.value);
                    if parsed.is_none() {
                        current.problems.push(LineError {
                            line: line.line,
                            message: format!(
                                "{} “{}” is not a date: write it as 20260901",
                                line.name,
                                line.value.trim()
                            ),
                        });
                    }
                    parsed
                };
                match line.name.as_str() {
                    "DTSTART" => current.start = date(current),
                    "DTEND" => current.end = date(current),
                    "DURATION" => {
                        let days = line.value.trim().strip_prefix('P').and_then(|d| {
                            d.strip_suffix('D')
                                .and_then(|n| n.parse::<i64>().ok())
                                .or_else(|| {
                                    d.strip_suffix('W')
                                        .and_then(|n| n.parse::<i64>().ok())
                                        .map(|w| w * 7)
                                })
                        });
                        match (days, current.start) {
                            (Some(days), Some((start, _))) if days > 0 => {
                                current.end = Some((start + Duration::days(days), false));
                            }
                            _ => current.problems.push(LineError {
                                line: line.line,
                                message: format!(
                                    "DURATION “{}” is not a whole number of days after DTSTART: \
                                     use DTEND",
                                    line.value.trim()
                                ),
                            }),
                        }
                    }
                    "SUMMARY" => current.summary = unescape(&line.value),
                    "CATEGORIES" => current.categories = unescape(&line.value),
                    "RRULE" | "RDATE" => current.repeats = true,
                    _ => {}
                }
            }
        }
    }
    if let Some(unfinished) = event {
        errors.push(LineError {
            line: unfinished.line,
            message: "this event has no END:VEVENT".into(),
        });
    }
    if periods.is_empty() && errors.is_empty() {
        errors.push(LineError {
            line: 1,
            message: "no events in the file: a calendar needs at least one term".into(),
        });
        return Err(errors);
    }
    check_periods(periods, errors)
}

/// An event as a period (`None` for a bank holiday), or its problems.
fn finish(event: Event) -> Result<Option<(usize, Period)>, Vec<LineError>> {
    let mut problems = event.problems;
    let at = |message: String| LineError {
        line: event.line,
        message,
    };
    let label = if event.summary.is_empty() {
        problems.push(at("the event has no SUMMARY: name the period".into()));
        String::new()
    } else {
        event.summary.clone()
    };
    if event.repeats {
        problems.push(at(format!(
            "“{label}” repeats (RRULE): list each date as its own event"
        )));
    }
    let kind = match kind_of(&event.summary, &event.categories) {
        Ok(None) => return Ok(None),
        Ok(Some(kind)) => Some(kind),
        Err(message) => {
            if !label.is_empty() {
                problems.push(at(message));
            }
            None
        }
    };
    let start = event.start.map(|(d, _)| d);
    if event.start.is_none() && problems.is_empty() {
        problems.push(at(format!("“{label}” has no DTSTART")));
    }
    // An all-day event's DTEND is the day after its last day; so is a date-time at midnight.
    let end = match (event.start, event.end) {
        (Some((start, _)), None) => Some(start),
        (Some(_), Some((end, true))) => Some(end - Duration::days(1)),
        (Some((start, _)), Some((end, false))) if end > start => Some(end - Duration::days(1)),
        (Some((start, _)), Some((end, false))) if end == start => Some(start),
        (Some((start, _)), Some((end, _))) => {
            problems.push(at(format!(
                "“{label}” ends ({end}) before it starts ({start})"
            )));
            None
        }
        (None, _) => None,
    };
    match (problems.is_empty(), start, end, kind) {
        (true, Some(start), Some(end), Some(kind)) => Ok(Some((
            event.line,
            Period {
                start,
                end: end.max(start),
                kind,
                label,
            },
        ))),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const RIVERSIDE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Riverside Academy//Term dates//EN\r\n\
BEGIN:VEVENT\r\nUID:1@riverside\r\nDTSTART;VALUE=DATE:20260902\r\nDTEND;VALUE=DATE:20261218\r\nSUMMARY:Autumn term\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:2@riverside\r\nDTSTART;VALUE=DATE:20260902\r\nDTEND;VALUE=DATE:20260904\r\nSUMMARY:INSET days\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:3@riverside\r\nDTSTART;VALUE=DATE:20261019\r\nDTEND;VALUE=DATE:20261031\r\nSUMMARY:October half-term (two weeks\\,\r\n  as every year)\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:4@riverside\r\nDTSTART;VALUE=DATE:20261225\r\nSUMMARY:Christmas Day (bank holiday)\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:5@riverside\r\nDTSTART:20261127T000000Z\r\nDTEND:20261128T000000Z\r\nSUMMARY:Polling station\r\nCATEGORIES:closure\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-P1D\r\nEND:VALARM\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn a_published_ics_becomes_periods_with_exclusive_ends_folding_and_categories() {
        let periods = parse_calendar_ics(RIVERSIDE).unwrap();
        let summary: Vec<(NaiveDate, NaiveDate, PeriodKind, &str)> = periods
            .iter()
            .map(|p| (p.start, p.end, p.kind, p.label.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    d(2026, 9, 2),
                    d(2026, 12, 17),
                    PeriodKind::Term,
                    "Autumn term"
                ),
                (
                    d(2026, 9, 2),
                    d(2026, 9, 3),
                    PeriodKind::Inset,
                    "INSET days"
                ),
                (
                    d(2026, 10, 19),
                    d(2026, 10, 30),
                    PeriodKind::Holiday,
                    "October half-term (two weeks, as every year)"
                ),
                (
                    d(2026, 11, 27),
                    d(2026, 11, 27),
                    PeriodKind::Closure,
                    "Polling station"
                ),
            ]
        );
    }

    #[test]
    fn events_that_are_not_periods_repeat_or_break_the_rules_are_reported_by_line() {
        let text = "BEGIN:VCALENDAR\n\
BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260901\nDTEND;VALUE=DATE:20261219\nSUMMARY:Autumn term\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260710\nSUMMARY:Sports day\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART;VALUE=DATE:2026-10-26\nSUMMARY:Half term\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261005\nRRULE:FREQ=YEARLY\nSUMMARY:INSET day\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261201\nSUMMARY:Spring term\nEND:VEVENT\n\
BEGIN:VEVENT\nSUMMARY:Unfinished term\n\
END:VCALENDAR\n";
        let errors = parse_calendar_ics(text).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        // Each problem at its event's BEGIN line, or at the property that is wrong.
        assert_eq!(lines, [7, 12, 15, 20, 24], "{errors:?}");
        assert!(errors[0].message.contains("“Sports day” is not a term"));
        assert!(errors[1].message.contains("is not a date"));
        assert!(errors[2].message.contains("repeats"));
        assert!(
            errors[3]
                .message
                .contains("starts on 2026-12-01 before “Autumn term” ends")
        );
        assert!(errors[4].message.contains("no END:VEVENT"));
    }

    #[test]
    fn either_format_is_read_by_its_first_line() {
        let csv = "start,end,kind,label\n2026-09-01,2026-12-18,term,Autumn term\n";
        assert_eq!(super::super::parse_calendar(csv).unwrap().len(), 1);
        assert_eq!(super::super::parse_calendar(RIVERSIDE).unwrap().len(), 4);
    }
}
