//! Raising a concern: recorded on the child, the child's Virtual School advisor emailed without
//! the child's name or the words, read back by the Virtual School and by whoever raised it.

use super::support::session;
use super::support::{TestDb, spawn_app};
use server::demo::seed;

const JAYDEN: &str = "demo-child-jayden";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_carers_concern_is_recorded_and_the_childs_advisor_is_told_without_child_data() {
    for db in TestDb::each_backend().await {
        seed(&db.db).await.unwrap();
        let mail = db.mail_folder();
        let app = spawn_app(db).await;
        let backend = app.db.db.backend_name();
        let linda = session(&app, "linda.bennett@example.com", false).await;
        let grace = session(&app, "grace.adeyemi@example.com", false).await;
        let jayden = session(&app, "jayden.walker@example.com", false).await;
        let head = session(&app, "helen.okafor@northdale.example", true).await;
        let tom = session(&app, "tom.gallagher@northdale.example", true).await;
        let words =
            "Jayden came home upset after PE twice this week and says he is being left out.";

        let empty = app
            .call(
                "/api/children/raise_concern",
                &[("child_id", JAYDEN), ("concern", "  ")],
                Some(&linda),
            )
            .await;
        assert_eq!(empty.status(), 422, "{backend}");
        assert!(empty.text().await.unwrap().contains("Write the concern"));
        for (who, cookie) in [("another carer", &grace), ("the young person", &jayden)] {
            let refused = app
                .call(
                    "/api/children/raise_concern",
                    &[("child_id", JAYDEN), ("concern", words)],
                    Some(cookie),
                )
                .await;
            assert_eq!(refused.status(), 403, "{backend}: {who}");
        }
        let raised = app
            .json(
                "/api/children/raise_concern",
                &[("child_id", JAYDEN), ("concern", words)],
                Some(&linda),
            )
            .await;
        assert_eq!(
            raised["told"],
            serde_json::json!(["Daniel Reid (Virtual School education advisor)"]),
            "{backend}"
        );

        // One email to the advisor, saying where to read it and nothing about the child.
        let emails: Vec<String> = std::fs::read_dir(&mail)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .filter(|m| m.contains("A concern has been raised"))
            .collect();
        assert_eq!(emails.len(), 1, "{backend}");
        assert!(
            emails[0].contains("daniel.reid@northdale.example"),
            "{}",
            emails[0]
        );
        assert!(emails[0].contains(&format!("/children/{JAYDEN}")));
        assert!(
            !emails[0].contains("Jayden") && !emails[0].contains("upset"),
            "{}",
            emails[0]
        );

        // On the record: the Virtual School and Linda read it; his social worker's page does not
        // list another person's concern.
        let read = |cookie: String| {
            let app = &app;
            async move {
                app.json(
                    "/api/children/record",
                    &[("child_id", JAYDEN)],
                    Some(&cookie),
                )
                .await
            }
        };
        let for_head = read(head.clone()).await;
        assert_eq!(for_head["concerns"][0]["concern"], words, "{backend}");
        assert!(
            for_head["concerns"][0]["raised"]
                .as_str()
                .unwrap()
                .ends_with("Linda Bennett (carer)")
        );
        assert_eq!(
            read(linda.clone()).await["concerns"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            read(tom.clone()).await["concerns"],
            serde_json::json!([]),
            "{backend}"
        );
        assert_eq!(read(jayden.clone()).await["may_raise_concern"], false);
        app.db.finish().await;
    }
}
