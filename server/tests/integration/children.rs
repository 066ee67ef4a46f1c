//! The children lists behind the first dashboards: the next PEP of each child with what its
//! countdown needs, soonest first.

use super::support::{TestDb, spawn_app};
use super::support::{call, session};
use app::infra::sql::sql;
use server::demo::seed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_child_comes_with_the_next_pep_soonest_first() {
    for db in TestDb::each_backend().await {
        seed(&db.db).await.unwrap();
        // Bank holidays arrive with the migrations, once however often they run.
        db.db.migrate().await.unwrap();
        let holidays: i64 = sql("SELECT COUNT(*) FROM bank_holidays")
            .fetch_value(&db.db)
            .await
            .unwrap();
        assert_eq!(holidays, 32);
        let app = spawn_app(db).await;
        let backend = app.db.db.backend_name();
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        let list: serde_json::Value = call(&app, "/api/children/mine", &[], Some(&teacher))
            .await
            .json()
            .await
            .unwrap();
        let children = list["children"].as_array().unwrap();
        // Each school's calendar is sent once, however many children attend it.
        assert_eq!(
            list["calendars"]["schools"].as_object().unwrap().len(),
            1,
            "{backend}"
        );
        assert!(
            list["calendars"]["schools"]["demo-school-brookfield"]
                .as_array()
                .unwrap()
                .len()
                >= 10
        );
        assert!(!children.is_empty(), "{backend}");
        let due: Vec<&str> = children
            .iter()
            .filter_map(|c| c["next_pep"]["countdown"]["due"].as_str())
            .collect();
        assert!(!due.is_empty(), "{backend}: {list}");
        let mut sorted = due.clone();
        sorted.sort();
        assert_eq!(due, sorted, "{backend}: soonest first");
        for child in children.iter().filter(|c| !c["next_pep"].is_null()) {
            let countdown = &child["next_pep"]["countdown"];
            // Brookfield has its own calendar (closed on polling day): school days, periods attached.
            assert_eq!(countdown["kind"], "school", "{backend}: {child}");
            assert_eq!(countdown["school"], "demo-school-brookfield");
            let explanation = countdown["explanation"].as_str().unwrap();
            assert!(
                explanation.contains("Brookfield Primary School's school days"),
                "{backend}: {child}"
            );
            // The words the schedule stored with the due date lead the explanation.
            assert!(
                explanation.starts_with("The council's final date for autumn term 2026/27")
                    || explanation.starts_with("10 working days from the emergency placement"),
                "{backend}: {explanation}"
            );
            assert_ne!(child["next_pep"]["state"], "submitted");
        }
        // One child's record: the derived facts and the reason a PEP is due.
        let first = children[0]["id"].as_str().unwrap();
        let record: serde_json::Value = call(
            &app,
            "/api/children/record",
            &[("child_id", first)],
            Some(&teacher),
        )
        .await
        .json()
        .await
        .unwrap();
        let facts = record["facts"].to_string();
        assert!(
            facts.contains("(from the date of birth)"),
            "{backend}: {facts}"
        );
        assert!(
            facts.contains("Brookfield Primary School, since"),
            "{backend}: {facts}"
        );
        assert_eq!(record["eligible"], true, "{backend}: {record}");
        assert!(
            record["eligibility"]
                .as_str()
                .unwrap()
                .contains("looked after since"),
            "{backend}: {record}"
        );
        assert_eq!(
            record["next_pep"]["countdown"]["due"],
            children[0]["next_pep"]["countdown"]["due"]
        );
        app.db.finish().await;
    }
}
