//! The bad-input table, generated like the authorization matrix: every registered server function ×
//! every field it takes × a list of hostile values, plus hostile bodies (JSON, invalid UTF-8, a
//! field sent twice, a missing field), on both backends. Every answer must be a 4xx with a message
//! or a success, never a 5xx; an answer that refuses must leave the database as it was.
//!
//! The fields of each function are found by asking its own request decoder
//! (`app::request_decoder`) what is missing, so a new server function, or a new argument, is in the
//! table without anyone listing it; `every_server_function_has_a_request_decoder` fails when a
//! registered function has no decoder.

use std::collections::BTreeSet;

use super::support::seeded_apps;
use super::support::session;
use super::support::{TestApp, TestDb, spawn_app};
use app::error::AppError;
use app::infra::sql::sql;
use app::request_decoder::{Decoder, decoders};

const FORM: &str = "application/x-www-form-urlencoded";

#[test]
fn every_server_function_has_a_request_decoder() {
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    let decoded: BTreeSet<String> = decoders()
        .iter()
        .map(|(path, _)| path.to_string())
        .collect();
    assert!(registered.len() > 50, "{registered:?}");
    assert_eq!(
        registered, decoded,
        "add new server functions to app::request_decoder::decoders"
    );
}

/// Values that point at real demo records, so hostile values in the other fields get past
/// "not found" into the functions' own checks.
fn hint(field: &str) -> Option<&'static str> {
    let last = field
        .rsplit('[')
        .next()
        .unwrap_or(field)
        .trim_end_matches(']');
    Some(match last {
        "pep_id" => "demo-child-amelia-pep-2026-autumn",
        "child_id" => "demo-child-amelia",
        "target_id" => "demo-child-amelia-pep-2026-autumn-target-1",
        "school_id" => "demo-school-brookfield",
        "user_id" => "demo-user-sw-priya",
        "section" => "attendance",
        "field" => "support",
        "email" => "someone.new@example.org",
        "role" => "social_worker",
        "state" => "draft",
        "version" | "expected_version" => "1",
        _ => return None,
    })
}

/// Fields of groups whose every member is optional (the decoder asks for none of them).
fn optional_members(path: &str) -> &'static [(&'static str, &'static str)] {
    match path {
        "/api/pep/save_target" => &[
            ("target[need_area]", "reading"),
            (
                "target[reason_baseline]",
                "Reading age 7y2m in September (NGRT 84).",
            ),
            (
                "target[statement]",
                "Amelia will read 20 tricky words aloud by 12 February 2027.",
            ),
            (
                "target[success_measure]",
                "20 of 20 words in a check with her teacher.",
            ),
            ("target[child_view]", "I want to read to my little brother."),
            ("target[target_date]", "2027-02-12"),
            ("target[override_reason]", ""),
        ],
        _ => &[],
    }
}

/// The version the function will compare with, read now (it moves when a case is accepted).
async fn current_version(app: &TestApp, path: &str, pairs: &[(String, String)]) -> Option<i64> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let db = &app.db.db;
    Some(match path {
        "/api/pep/save_field" => {
            sql("SELECT version FROM pep_fields WHERE pep_id = $1 AND section = $2 AND field = $3")
                .bind(get("pep_id"))
                .bind(get("section"))
                .bind(get("field"))
                .fetch_optional_value::<i64>(db)
                .await
                .unwrap()
                .unwrap_or(0)
        }
        "/api/pep/save_target" => sql("SELECT version FROM targets WHERE id = $1")
            .bind(get("target_id"))
            .fetch_value::<i64>(db)
            .await
            .unwrap(),
        "/api/people/change_role" | "/api/people/set_active" => {
            sql("SELECT version FROM users WHERE id = $1")
                .bind(get("user_id"))
                .fetch_value::<i64>(db)
                .await
                .unwrap()
        }
        _ => return None,
    })
}

/// `draft.statement` (serde's path) as the form names it: `draft[statement]`.
fn form_name(path: &str) -> String {
    let mut parts = path.split('.');
    let mut name = parts.next().unwrap_or_default().to_string();
    for part in parts {
        name.push_str(&format!("[{part}]"));
    }
    name
}

/// A form body, every byte outside the unreserved set percent-encoded.
fn encode(pairs: &[(String, String)]) -> String {
    fn escape(text: &str) -> String {
        let mut out = String::new();
        for b in text.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    out.push(b as char)
                }
                b => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A form the function's decoder accepts, found by adding what it says is missing and changing
/// what it says does not fit.
fn decodable_form(path: &str, decoder: Decoder) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for _ in 0..80 {
        let body = encode(&pairs);
        let Err(refusal) = decoder(Some(FORM), body.as_bytes()) else {
            return pairs;
        };
        let field = form_name(
            refusal
                .field
                .as_deref()
                .unwrap_or_else(|| panic!("{path}: a refusal without a field: {refusal:?}")),
        );
        if refusal.message.starts_with("is missing") {
            let value = hint(&field).unwrap_or("x").to_string();
            pairs.push((field, value));
            continue;
        }
        if refusal
            .message
            .starts_with("is not a field of this request")
        {
            pairs.retain(|(name, _)| *name != field);
            continue;
        }
        let Some(position) = pairs.iter().position(|(name, _)| *name == field) else {
            // A value inside a group: the group's probe did not fit; try it as a list.
            let probe = pairs
                .iter()
                .position(|(name, _)| {
                    field.starts_with(name.trim_end_matches("[_probe]"))
                        && name.ends_with("[_probe]")
                })
                .unwrap_or_else(|| {
                    panic!("{path}: {field} refused but not sent: {refusal:?} {pairs:?}")
                });
            let group = pairs[probe].0.trim_end_matches("[_probe]").to_string();
            pairs[probe].0 = format!("{group}[0][_probe]");
            continue;
        };
        let current = pairs[position].1.clone();
        let value = if let Some(choices) = refusal.message.strip_prefix("is not one of: ") {
            choices
                .split(", ")
                .next()
                .unwrap_or_default()
                .trim_end_matches('.')
                .to_string()
        } else {
            let candidates = ["x", "1", "false", "2026-11-02", "1.5"];
            let at = candidates
                .iter()
                .position(|c| *c == current)
                .map_or(0, |i| i + 1);
            match candidates.get(at) {
                Some(candidate) => candidate.to_string(),
                None => {
                    // No single value fits: a group of fields (`rules[initial_pep]`…), whose
                    // members the decoder names next.
                    assert!(
                        !field.ends_with("[_probe]"),
                        "{path}: nothing fits {field}: {refusal:?}"
                    );
                    pairs[position] = (format!("{field}[_probe]"), "x".to_string());
                    continue;
                }
            }
        };
        pairs[position].1 = value;
    }
    panic!("{path}: no decodable form found: {pairs:?}");
}

/// Hostile values for one field at a time, by name.
fn hostile_values() -> Vec<(&'static str, String)> {
    vec![
        ("NUL", "before\0after".into()),
        ("bell control character", "ring\u{7}".into()),
        ("escape control character", "\u{1b}[31mred".into()),
        ("100k characters", "a".repeat(100_000)),
        (
            "closing textarea",
            "</textarea><meta http-equiv=\"refresh\" content=\"0;url=https://example.org\">".into(),
        ),
        (
            "closing script",
            "</script><script>alert(1)</script>".into(),
        ),
        ("comment", "<!-- a comment".into()),
        ("CDATA end", "]]>".into()),
        ("SQL fragment", "x' OR '1'='1'; DROP TABLE users; --".into()),
        ("huge number", "99999999999999999999999999".into()),
        ("negative number", "-1".into()),
        ("largest u32", "4294967295".into()),
        ("impossible date", "2026-02-30".into()),
        ("year 0", "0000-01-01".into()),
        ("year 9999", "9999-12-31".into()),
        ("wrong type", "[object Object]".into()),
        ("empty", String::new()),
    ]
}

/// A request body with what it is, and whether its refusal is certain (a 4xx whatever the field).
struct Case {
    label: String,
    content_type: &'static str,
    body: Vec<u8>,
    must_refuse: bool,
}

fn cases_for(pairs: &[(String, String)]) -> Vec<Case> {
    let mut cases = Vec::new();
    for (n, (name, _)) in pairs.iter().enumerate() {
        for (label, value) in hostile_values() {
            let mut changed = pairs.to_vec();
            changed[n].1 = value;
            let must_refuse = label.contains("control character") || label == "NUL";
            cases.push(Case {
                label: format!("{name} = {label}"),
                content_type: FORM,
                body: encode(&changed).into_bytes(),
                must_refuse,
            });
        }
        let mut missing = pairs.to_vec();
        missing.remove(n);
        // A missing field is refused unless it is optional (it decoded without it).
        cases.push(Case {
            label: format!("{name} missing"),
            content_type: FORM,
            body: encode(&missing).into_bytes(),
            must_refuse: false,
        });
        let mut twice = pairs.to_vec();
        twice.push(pairs[n].clone());
        cases.push(Case {
            label: format!("{name} sent twice"),
            content_type: FORM,
            body: encode(&twice).into_bytes(),
            must_refuse: true,
        });
        let mut without = pairs.to_vec();
        without.remove(n);
        let mut invalid = encode(&without).into_bytes();
        if !invalid.is_empty() {
            invalid.push(b'&');
        }
        invalid.extend_from_slice(encode(&[(name.clone(), String::new())]).as_bytes());
        invalid.extend_from_slice(&[0xff, 0xfe]);
        cases.push(Case {
            label: format!("{name} invalid UTF-8 (raw bytes)"),
            content_type: FORM,
            body: invalid,
            must_refuse: true,
        });
        let mut replaced = pairs.to_vec();
        replaced.remove(n);
        let mut encoded = encode(&replaced);
        if !encoded.is_empty() {
            encoded.push('&');
        }
        encoded.push_str(&encode(&[(name.clone(), String::new())]));
        encoded.push_str("%C3%28%FF");
        cases.push(Case {
            label: format!("{name} invalid UTF-8 (percent-encoded)"),
            content_type: FORM,
            body: encoded.into_bytes(),
            must_refuse: true,
        });
    }
    let as_json: serde_json::Map<String, serde_json::Value> = pairs
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    cases.push(Case {
        label: "a JSON body".into(),
        content_type: "application/json",
        body: serde_json::to_vec(&as_json).unwrap(),
        must_refuse: true,
    });
    cases.push(Case {
        label: "an unknown field holding NUL".into(),
        content_type: FORM,
        body: {
            let mut with = pairs.to_vec();
            with.push(("unexpected".into(), "\0".into()));
            encode(&with).into_bytes()
        },
        must_refuse: true,
    });
    cases
}

/// What a refusal must not change: counts, versions and the audit of changes (sign-in failures,
/// sessions, throttle counts and reads are expected to move on a refused request).
async fn fingerprint(app: &TestApp) -> Vec<i64> {
    const COUNTED: &[&str] = &[
        "councils",
        "council_policies",
        "section_rights",
        "schools",
        "calendars",
        "calendar_periods",
        "bank_holidays",
        "children",
        "care_episodes",
        "education_episodes",
        "attendance_records",
        "users",
        "assignments",
        "peps",
        "pep_sections",
        "pep_fields",
        "targets",
        "actions",
        "invitations",
        "concerns",
        "pp_plus_requests",
        "suspensions",
        "pep_meetings",
    ];
    const VERSIONED: &[&str] = &[
        "children",
        "users",
        "peps",
        "pep_sections",
        "pep_fields",
        "targets",
        "actions",
        "pp_plus_requests",
        "pep_meetings",
    ];
    let mut print = Vec::new();
    let db = &app.db.db;
    for table in COUNTED {
        let n: i64 = sql(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_value(db)
            .await
            .unwrap();
        print.push(n);
    }
    for table in VERSIONED {
        let n: i64 = sql(&format!(
            "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM {table}"
        ))
        .fetch_value(db)
        .await
        .unwrap();
        print.push(n);
    }
    let changes: i64 = sql(
        "SELECT COUNT(*) FROM audit_events WHERE action NOT LIKE 'auth.%' AND action NOT LIKE '%.read'"
    ).fetch_value(db).await.unwrap();
    print.push(changes);
    let ends: i64 = sql("SELECT COUNT(ends_on) FROM assignments")
        .fetch_value(db)
        .await
        .unwrap();
    print.push(ends);
    print
}

#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    refused: usize,
    accepted: usize,
    failures: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_gets_a_4xx_with_a_message_and_changes_nothing() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let head = session(&app, "helen.okafor@northdale.example", true).await;
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        let mut tally = Tally::default();
        let mut before = fingerprint(&app).await;
        for (path, decoder) in decoders() {
            let mut pairs = decodable_form(path, decoder);
            pairs.retain(|(name, _)| !name.ends_with("[_probe]"));
            for (name, value) in optional_members(path) {
                pairs.push((name.to_string(), value.to_string()));
            }
            // PEP parts are the designated teacher's; the rest the Virtual School head's.
            let cookie = if path.starts_with("/api/pep/") || path.starts_with("/api/actions/") {
                &teacher
            } else {
                &head
            };
            let mut at = 0;
            loop {
                if let Some(version) = current_version(&app, path, &pairs).await {
                    for (name, value) in &mut pairs {
                        if name == "version" {
                            *value = version.to_string();
                        }
                    }
                }
                let Some(case) = cases_for(&pairs).into_iter().nth(at) else {
                    break;
                };
                at += 1;
                tally.cases += 1;
                let response = app
                    .client
                    .post(format!("{}{path}", app.base))
                    .header("accept", "application/json")
                    .header("sec-fetch-site", "same-origin")
                    .header("content-type", case.content_type)
                    .header("cookie", cookie.as_str())
                    .body(case.body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let text = response.text().await.unwrap_or_default();
                let what = format!("{backend} {path} [{}] → {status}", case.label);
                if status >= 500 {
                    tally.failures.push(format!(
                        "{what}: {}",
                        text.chars().take(200).collect::<String>()
                    ));
                    continue;
                }
                if (200..300).contains(&status) {
                    tally.accepted += 1;
                    if std::env::var_os("EPEP_SHOW_ACCEPTED").is_some() {
                        eprintln!("accepted: {what}");
                    }
                    if case.must_refuse {
                        tally.failures.push(format!("{what}: accepted"));
                    }
                    before = fingerprint(&app).await;
                    continue;
                }
                tally.refused += 1;
                if std::env::var("EPEP_SHOW_REFUSED").is_ok_and(|wanted| path.contains(&wanted)) {
                    eprintln!(
                        "refused: {what}: {}",
                        text.chars().take(300).collect::<String>()
                    );
                }
                match serde_json::from_str::<AppError>(&text) {
                    Ok(error) if !error.to_string().is_empty() => {}
                    _ => tally.failures.push(format!(
                        "{what}: no message: {}",
                        text.chars().take(200).collect::<String>()
                    )),
                }
                // The decoder's refusals (400, 415) never repeat what was sent; a 422 may quote
                // what the person typed back to them, as JSON text the page shows as text.
                if status != 422
                    && (text.contains('\0')
                        || text.contains("DROP TABLE")
                        || text.contains("<meta"))
                {
                    tally
                        .failures
                        .push(format!("{what}: the answer repeats the value"));
                }
                let after = fingerprint(&app).await;
                if after != before {
                    tally
                        .failures
                        .push(format!("{what}: refused but the database changed"));
                    before = after;
                }
            }
        }
        eprintln!(
            "{backend}: {} hostile cases, {} refused with a 4xx, {} accepted, {} failed",
            tally.cases,
            tally.refused,
            tally.accepted,
            tally.failures.len()
        );
        assert!(tally.cases > 2_000, "{tally:?}");
        assert!(
            tally.failures.is_empty(),
            "{} of {} cases failed:\n{}",
            tally.failures.len(),
            tally.cases,
            tally.failures.join("\n")
        );
        app.db.finish().await;
    }
}

/// A function without arguments may be called with nothing at all (no body, no content type), as
/// `curl -X POST` and Playwright's request do; a body of another type is still refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_post_needs_no_content_type() {
    let app = spawn_app(TestDb::sqlite().await).await;
    let post = |content_type: Option<&'static str>, body: &'static str| {
        let app = &app;
        async move {
            let mut request = app
                .client
                .post(format!("{}/api/auth/who_am_i", app.base))
                .header("sec-fetch-site", "same-origin");
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }
            request.body(body).send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(post(None, "").await, 200);
    assert_eq!(post(Some(FORM), "").await, 200);
    assert_eq!(post(Some("application/json"), "{}").await, 415);
    assert_eq!(post(None, "x=1").await, 415, "a body says what it is");
    app.db.finish().await;
}

/// Coded arguments (a PEP state to move to, a section and its status, a role) are the app's own
/// enums: a value that is none of their choices is answered 422 by field, listing the choices,
/// as the function's own refusals are, and nothing changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coded_argument_that_is_none_of_its_choices_is_refused_by_field() {
    let app = spawn_app(TestDb::sqlite().await).await;
    server::demo::seed(&app.db.db).await.unwrap();
    let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
    let head = session(&app, "helen.okafor@northdale.example", true).await;
    let pep = "demo-child-amelia-pep-2026-autumn";
    let before = fingerprint(&app).await;
    let cases = [
        (
            "/api/pep/change_state",
            vec![
                ("pep_id", pep),
                ("to", "published"),
                ("version", "1"),
                ("reason", ""),
                ("without_reason", ""),
            ],
            &teacher,
            "to",
            "contributions",
        ),
        (
            "/api/pep/section_status",
            vec![("pep_id", pep), ("section", "semh"), ("status", "finished")],
            &teacher,
            "status",
            "completed",
        ),
        (
            "/api/council/section_rights",
            vec![("state", "finished")],
            &head,
            "state",
            "approved",
        ),
        (
            "/api/people/change_role",
            vec![
                ("user_id", "demo-user-sw-tom"),
                ("role", "wizard"),
                ("version", "1"),
            ],
            &head,
            "role",
            "social_worker",
        ),
    ];
    for (path, form, cookie, field, a_choice) in cases {
        let (status, body) = app.answer(path, &form, cookie).await;
        assert_eq!(status, 422, "{path}: {body}");
        let error: AppError = serde_json::from_value(body.clone()).unwrap();
        let AppError::Invalid(problems) = error else {
            panic!("{path}: not refused by field: {body}");
        };
        assert_eq!(problems.len(), 1, "{path}: {problems:?}");
        assert_eq!(problems[0].0, field, "{path}");
        assert!(
            problems[0].1.starts_with("Choose one of: ") && problems[0].1.contains(a_choice),
            "{path}: {}",
            problems[0].1
        );
    }
    assert_eq!(fingerprint(&app).await, before, "nothing changed");
    app.db.finish().await;
}
