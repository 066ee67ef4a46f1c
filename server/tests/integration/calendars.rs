//! School calendars through HTTP: the preview reports every problem by line, an import replaces a
//! school's periods (giving a school on the council default its own), audited, within the council.

use super::access_matrix::{call, session};
use super::support::{TestDb, spawn_app};
use app::on_db;
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
        on_db!(&db.db, pool => {
            sqlx::query("INSERT INTO schools (id, council_id, name, kind, phase, local_authority, created_at) VALUES ('new-school', 'demo-council', 'Hillside Primary', 'community', 'primary', 'Northdale', $1)").bind(now).execute(pool).await.unwrap();
        });
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
        let default_after: i64 = on_db!(&app.db.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM calendar_periods p JOIN calendars c ON c.id = p.calendar_id WHERE c.school_id IS NULL").fetch_one(pool).await.unwrap());
        assert_eq!(
            default_after as usize, default_periods,
            "{backend}: default untouched"
        );
        let audited: i64 = on_db!(&app.db.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'calendar.imported'").fetch_one(pool).await.unwrap());
        assert_eq!(audited, 1, "{backend}");

        // Importing again replaces, it does not add.
        call(
            &app,
            "/api/calendars/import",
            &[("school_id", "new-school"), ("csv", GOOD)],
            Some(&head),
        )
        .await;
        let periods: i64 = on_db!(&app.db.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM calendar_periods p JOIN calendars c ON c.id = p.calendar_id WHERE c.school_id = 'new-school'").fetch_one(pool).await.unwrap());
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
    for db in TestDb::each_backend().await {
        seed(&db.db).await.unwrap();
        let app = spawn_app(db).await;
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
        let brookfield: i64 = on_db!(&app.db.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM calendar_periods p JOIN calendars c ON c.id = p.calendar_id WHERE c.school_id = 'demo-school-brookfield'").fetch_one(pool).await.unwrap());
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
