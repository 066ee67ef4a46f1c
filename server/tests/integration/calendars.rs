//! School calendars through HTTP: the preview reports every problem by line, an import replaces a
//! school's periods (giving a school on the council default its own), audited, within the council.

use super::support::seeded_apps;
use super::support::{TestDb, spawn_app};
use super::support::{call, session};
use app::infra::sql::sql;
use server::demo::seed;

const HEAD: &str = "helen.okafor@northdale.example";

const GOOD: &str = "start,end,kind,label\n\
    2026-09-03,2026-12-16,term,Autumn term\n\
    2026-10-26,2026-10-30,holiday,\"Half-term, autumn\"\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calendar_is_previewed_then_imported_and_audited() {
    for db in TestDb::each_backend().await {
        seed(&db.db).await.unwrap();
        let now = chrono::Utc::now();
        {
            sql("INSERT INTO schools (id, council_id, name, kind, phase, local_authority, created_at) VALUES ('new-school', 'demo-council', 'Hillside Primary', 'community', 'primary', 'Northdale', $1)").bind(now).execute(&db.db).await.unwrap();
        };
        let app = spawn_app(db).await;
        let backend = app.db.db.backend_name();
        let head = session(&app, HEAD, true).await;

        // A new school uses the council's default calendar until it has its own.
        let view: serde_json::Value = call(
            &app,
            "/api/calendars/school",
            &[("school_id", "new-school")],
            Some(&head),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(
            view["source"], "the council's default calendar",
            "{backend}"
        );
        let default_periods = view["periods"].as_array().unwrap().len();
        assert!(default_periods > 5, "{backend}");

        let bad = call(
            &app,
            "/api/calendars/preview",
            &[(
                "csv",
                "start,end,kind,label\n2026-09-03,2026-12-16,term,Autumn\n2026-10-30,2026-10-26,holiday,Half\n2026-11-01,2026-11-01,party,Fun\n",
            )],
            Some(&head),
        )
        .await;
        assert_eq!(bad.status(), 422, "{backend}");
        let text = bad.text().await.unwrap();
        assert!(
            text.contains("line 3: end 2026-10-26 is before start 2026-10-30"),
            "{text}"
        );
        assert!(text.contains("line 4: kind"), "{text}");

        let preview: serde_json::Value = call(
            &app,
            "/api/calendars/preview",
            &[("csv", GOOD)],
            Some(&head),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(preview.as_array().unwrap().len(), 2, "{backend}");
        assert_eq!(preview[1]["label"], "Half-term, autumn");

        let imported = call(
            &app,
            "/api/calendars/import",
            &[("school_id", "new-school"), ("csv", GOOD)],
            Some(&head),
        )
        .await;
        assert_eq!(imported.status(), 200, "{backend}");
        let view: serde_json::Value = call(
            &app,
            "/api/calendars/school",
            &[("school_id", "new-school")],
            Some(&head),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(view["source"], "its own calendar", "{backend}");
        assert_eq!(view["periods"].as_array().unwrap().len(), 2, "{backend}");
        let default_after: i64 = sql("SELECT COUNT(*) FROM calendar_periods p JOIN calendars c ON c.id = p.calendar_id WHERE c.school_id IS NULL").fetch_value(&app.db.db).await.unwrap();
        assert_eq!(
            default_after as usize, default_periods,
            "{backend}: default untouched"
        );
        let audited: i64 =
            sql("SELECT COUNT(*) FROM audit_events WHERE action = 'calendar.imported'")
                .fetch_value(&app.db.db)
                .await
                .unwrap();
        assert_eq!(audited, 1, "{backend}");

        // Importing again replaces, it does not add.
        call(
            &app,
            "/api/calendars/import",
            &[("school_id", "new-school"), ("csv", GOOD)],
            Some(&head),
        )
        .await;
        let periods: i64 = sql("SELECT COUNT(*) FROM calendar_periods p JOIN calendars c ON c.id = p.calendar_id WHERE c.school_id = 'new-school'").fetch_value(&app.db.db).await.unwrap();
        assert_eq!(periods, 2, "{backend}");

        // A school of another council, or none, is out of reach.
        let missing = call(
            &app,
            "/api/calendars/import",
            &[("school_id", "no-such-school"), ("csv", GOOD)],
            Some(&head),
        )
        .await;
        assert_eq!(missing.status(), 403, "{backend}");
        app.db.finish().await;
    }
}

const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260901\r\nDTEND;VALUE=DATE:20261219\r\nSUMMARY:Autumn term\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261026\r\nDTEND;VALUE=DATE:20261031\r\nSUMMARY:Autumn half-term\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261113\r\nSUMMARY:INSET day\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_designated_teacher_keeps_their_own_schools_calendar_from_an_ics_file() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;

        // Their own school only, even when they ask for none in particular.
        let view: serde_json::Value = call(
            &app,
            "/api/calendars/school",
            &[("school_id", "")],
            Some(&teacher),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(view["school_id"], "demo-school-brookfield", "{backend}");
        assert_eq!(view["all_schools"], false);
        assert_eq!(view["schools"].as_array().unwrap().len(), 1, "{backend}");
        let other = call(
            &app,
            "/api/calendars/school",
            &[("school_id", "demo-school-riverside")],
            Some(&teacher),
        )
        .await;
        assert_eq!(other.status(), 403, "{backend}");

        // iCalendar: previewed, then imported; all-day ends are exclusive.
        let preview: serde_json::Value = call(
            &app,
            "/api/calendars/preview",
            &[("csv", ICS)],
            Some(&teacher),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(preview.as_array().unwrap().len(), 3, "{backend}: {preview}");
        assert_eq!(preview[1]["end"], "2026-10-30");
        assert_eq!(preview[2]["kind"], "inset");
        let imported = call(
            &app,
            "/api/calendars/import",
            &[("school_id", "demo-school-brookfield"), ("csv", ICS)],
            Some(&teacher),
        )
        .await;
        assert_eq!(imported.status(), 200, "{backend}");
        let elsewhere = call(
            &app,
            "/api/calendars/import",
            &[("school_id", "demo-school-riverside"), ("csv", ICS)],
            Some(&teacher),
        )
        .await;
        assert_eq!(elsewhere.status(), 403, "{backend}");
        let brookfield: i64 = sql("SELECT COUNT(*) FROM calendar_periods p JOIN calendars c ON c.id = p.calendar_id WHERE c.school_id = 'demo-school-brookfield'").fetch_value(&app.db.db).await.unwrap();
        assert_eq!(brookfield, 3, "{backend}");

        // A bad event is reported by line.
        let bad = ICS.replace("SUMMARY:INSET day", "SUMMARY:Sports day");
        let refused = call(
            &app,
            "/api/calendars/preview",
            &[("csv", bad.as_str())],
            Some(&teacher),
        )
        .await;
        assert_eq!(refused.status(), 422, "{backend}");
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("line 13: “Sports day” is not a term")
        );

        // A social worker has no calendar to manage.
        let priya = session(&app, "priya.sharma@northdale.example", true).await;
        assert_eq!(
            call(
                &app,
                "/api/calendars/preview",
                &[("csv", ICS)],
                Some(&priya)
            )
            .await
            .status(),
            403
        );
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_virtual_school_imports_the_governments_bank_holidays_after_a_preview() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let head = session(&app, HEAD, true).await;
        // The next year's list, as the government publishes it (two divisions).
        let json = r#"{
  "england-and-wales": {"division": "england-and-wales", "events": [
    {"title": "New Year’s Day", "date": "2028-01-03", "notes": "Substitute day", "bunting": true},
    {"title": "Good Friday", "date": "2028-04-14", "notes": "", "bunting": false},
    {"title": "Boxing Day", "date": "2027-12-28", "notes": "Substitute day", "bunting": true}
  ]},
  "scotland": {"division": "scotland", "events": []}
}"#;
        let preview: serde_json::Value = call(
            &app,
            "/api/bank_holidays/preview",
            &[("json", json)],
            Some(&head),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(preview["division"], "england-and-wales", "{backend}");
        assert_eq!(preview["holidays"].as_array().unwrap().len(), 3);
        let before: i64 = sql("SELECT COUNT(*) FROM bank_holidays")
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        assert_eq!(before, 32, "{backend}: a preview stores nothing");

        // Two new ones; the third is already known with the same title.
        let changed: serde_json::Value = call(
            &app,
            "/api/bank_holidays/import",
            &[("json", json)],
            Some(&head),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(changed, 2, "{backend}");
        let after: i64 = sql("SELECT COUNT(*) FROM bank_holidays")
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        assert_eq!(after, 34, "{backend}");
        let list: serde_json::Value = call(&app, "/api/bank_holidays/list", &[], Some(&head))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            list["holidays"].as_array().unwrap().last().unwrap()[0],
            "2028-04-14"
        );

        // A broken file is reported by line; a designated teacher cannot import.
        let broken = call(&app, "/api/bank_holidays/preview", &[("json", "{\n  \"england-and-wales\": {\n    \"events\": [ {\"title\": \"x\", \"date\": \"2028-13-01\"} ]\n  }\n}")], Some(&head)).await;
        assert_eq!(broken.status(), 422, "{backend}");
        assert!(broken.text().await.unwrap().contains("line 3"), "{backend}");
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        assert_eq!(
            call(
                &app,
                "/api/bank_holidays/import",
                &[("json", json)],
                Some(&teacher)
            )
            .await
            .status(),
            403
        );
        assert_eq!(
            call(&app, "/api/bank_holidays/list", &[], Some(&teacher))
                .await
                .status(),
            200
        );
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_school_starts_with_a_copy_of_the_council_default_calendar() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let head = session(&app, HEAD, true).await;
        let form = |name: &'static str, urn: &'static str| {
            vec![
                ("school[name]", name),
                ("school[urn]", urn),
                ("school[kind]", "academy"),
                ("school[phase]", "secondary 11 to 18"),
                ("school[local_authority]", "Eastshire"),
            ]
        };
        let bad = call(&app, "/api/schools/add", &form("", "12345"), Some(&head)).await;
        assert_eq!(bad.status(), 422, "{backend}");
        let body = bad.text().await.unwrap();
        assert!(
            body.contains("school_name") && body.contains("6 digits"),
            "{backend}: {body}"
        );

        let school_id: String = call(
            &app,
            "/api/schools/add",
            &form("Hillside Academy", "140123"),
            Some(&head),
        )
        .await
        .json()
        .await
        .unwrap();
        let default_periods: i64 = sql("SELECT COUNT(*) FROM calendar_periods p JOIN calendars c ON c.id = p.calendar_id WHERE c.school_id IS NULL").fetch_value(&app.db.db).await.unwrap();
        let view: serde_json::Value = call(
            &app,
            "/api/calendars/school",
            &[("school_id", school_id.as_str())],
            Some(&head),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(view["source"], "its own calendar", "{backend}");
        assert_eq!(
            view["periods"].as_array().unwrap().len() as i64,
            default_periods,
            "{backend}"
        );
        let audited: i64 = sql(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'school.added' AND entity_id = $1",
        )
        .bind(&school_id)
        .fetch_value(&app.db.db)
        .await
        .unwrap();
        assert_eq!(audited, 1, "{backend}");
        app.db.finish().await;
    }
}
