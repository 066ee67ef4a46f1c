//! The server binary as an operator meets it: clear errors and exit codes, graceful shutdown.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::support::free_port;

fn server() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env("RUST_LOG", "info")
        .env_remove("DATABASE_URL")
        .env_remove("EPEP_DEMO")
        .env_remove("EPEP_SMTP_URL");
    command
}

fn run_to_end(command: &mut Command) -> (bool, String) {
    let output = command.output().expect("server runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn a_bad_database_url_exits_non_zero_saying_what_to_write() {
    let (ok, text) =
        run_to_end(server().args(["--database-url", "mysql://root:hunter2@db/epep", "migrate"]));
    assert!(!ok);
    assert!(text.contains("use sqlite://PATH"), "{text}");
    assert!(!text.contains("hunter2"), "the password leaked: {text}");
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn an_unreachable_database_exits_non_zero_with_the_reason() {
    let port = free_port();
    let url = format!("postgres://epep:secret@127.0.0.1:{port}/epep");
    let (ok, text) = run_to_end(server().args(["--database-url", &url, "migrate"]));
    assert!(!ok);
    assert!(text.contains("the database is not available"), "{text}");
    assert!(text.contains("cannot open the database"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}

#[test]
fn a_port_in_use_exits_non_zero_naming_the_port() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let url = format!("sqlite://{}/epep.db", dir.path().display());
    let (ok, text) = run_to_end(server().args(["--database-url", &url, "serve", "--addr", &addr]));
    assert!(!ok);
    assert!(text.contains(&format!("cannot listen on {addr}")), "{text}");
    assert!(text.contains("LEPTOS_SITE_ADDR"), "{text}");
}

#[test]
fn migrate_and_seed_demo_create_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nested/epep.db", dir.path().display());
    let (ok, text) = run_to_end(server().args(["--database-url", &url, "seed-demo"]));
    assert!(ok, "{text}");
    assert!(text.contains("demo data loaded: 12 children"), "{text}");
    assert!(dir.path().join("nested/epep.db").exists());
    let (ok, text) = run_to_end(server().args(["--database-url", &url, "seed-demo"]));
    assert!(ok, "{text}");
    assert!(text.contains("already present"), "{text}");
}

#[test]
fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = server()
        .args([
            "--database-url",
            &format!("sqlite://{}/epep.db", dir.path().display()),
        ])
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit status {:?}: {log}",
        output.status
    );
    assert!(log.contains("shutting down"), "{log}");
    assert!(log.contains("ePEP stopped"), "{log}");
}

#[test]
fn production_refuses_the_demo_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/epep.db", dir.path().display());
    let (ok, text) = run_to_end(server().env("EPEP_ENV", "production").args([
        "--database-url",
        &url,
        "seed-demo",
    ]));
    assert!(!ok);
    assert!(
        text.contains("cannot be used with EPEP_ENV=production"),
        "{text}"
    );
    // Loaded in development, the same database is then refused by a production server.
    let (ok, text) = run_to_end(server().args(["--database-url", &url, "seed-demo"]));
    assert!(ok, "{text}");
    let port = free_port().to_string();
    let addr = format!("127.0.0.1:{port}");
    let (ok, text) = run_to_end(server().env("EPEP_ENV", "production").args([
        "--database-url",
        &url,
        "serve",
        "--addr",
        &addr,
    ]));
    assert!(!ok);
    assert!(
        text.contains("cannot be used with EPEP_ENV=production"),
        "{text}"
    );
}

#[test]
fn production_needs_an_smtp_relay_and_a_usable_one() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/epep.db", dir.path().display());
    let addr = format!("127.0.0.1:{}", free_port());
    let serve = ["--database-url", &url, "serve", "--addr", &addr];
    let (ok, text) = run_to_end(server().env("EPEP_ENV", "production").args(serve));
    assert!(!ok);
    assert!(text.contains("needs EPEP_SMTP_URL"), "{text}");

    let (ok, text) = run_to_end(
        server()
            .env("EPEP_ENV", "production")
            .env("EPEP_SMTP_URL", "smtq://mailer:hunter2@smtp.example")
            .args(serve),
    );
    assert!(!ok);
    assert!(
        text.contains("EPEP_SMTP_URL is not a usable SMTP address"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "the password leaked: {text}");
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn the_idle_time_out_can_be_shortened_but_not_lengthened() {
    let (ok, text) = run_to_end(
        server()
            .env("EPEP_SESSION_IDLE_MINUTES", "45")
            .args(["serve"]),
    );
    assert!(!ok);
    assert!(text.contains("45 is not in 1..=30"), "{text}");
}

/// Riverside Academy's autumn 2026 (demo data): two-week October half-term, INSET on 27 November.
const RIVERSIDE_AUTUMN: &str = "start,end,kind,label\n\
    2026-09-02,2026-12-17,term,Autumn term\n\
    2026-09-02,2026-09-03,inset,INSET days\n\
    2026-10-19,2026-10-30,holiday,October half-term\n\
    2026-11-27,2026-11-27,inset,INSET day: safeguarding training\n";

#[test]
fn deadline_prints_the_due_date_and_the_rule_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let calendar = dir.path().join("riverside.csv");
    std::fs::write(&calendar, RIVERSIDE_AUTUMN).unwrap();
    let output = server()
        .args(["deadline", "--calendar"])
        .arg(&calendar)
        .args([
            "--from",
            "2026-10-12",
            "--rule",
            "20 school days",
            "--trigger",
            "the school move",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout,
        "2026-11-23\n20 school days from the school move on 12 October 2026, skipping the \
         October half-term: due 23 November 2026\n"
    );

    // Working days need no calendar; bank holidays come from the shipped list.
    let (ok, text) = run_to_end(server().args([
        "deadline",
        "--from",
        "2026-04-02",
        "--rule",
        "10 working days",
    ]));
    assert!(ok, "{text}");
    assert!(text.starts_with("2026-04-20\n"), "{text}");
    assert!(
        text.contains("skipping Good Friday and Easter Monday"),
        "{text}"
    );
}

#[test]
fn deadline_reports_bad_input_by_line_and_says_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let calendar = dir.path().join("broken.csv");
    std::fs::write(
        &calendar,
        "start,end,kind,label\n2026-09-02,2026-12-17,term,Autumn\n2026-10-30,2026-10-19,holiday,Half-term\n",
    )
    .unwrap();
    let (ok, text) = run_to_end(
        server()
            .args(["deadline", "--calendar"])
            .arg(&calendar)
            .args(["--from", "2026-10-12", "--rule", "20 school days"]),
    );
    assert!(!ok);
    assert!(
        text.contains("line 3: end 2026-10-19 is before start 2026-10-30"),
        "{text}"
    );
    let (ok, text) = run_to_end(server().args([
        "deadline",
        "--from",
        "12/10/2026",
        "--rule",
        "20 school days",
    ]));
    assert!(!ok);
    assert!(text.contains("write it as YYYY-MM-DD"), "{text}");
    let (ok, text) =
        run_to_end(server().args(["deadline", "--from", "2026-10-12", "--rule", "four weeks"]));
    assert!(!ok);
    assert!(text.contains("like “20 school days”"), "{text}");
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn check_target_prints_the_text_checks_as_json_for_training() {
    let output = server()
        .args([
            "check-target",
            "--json",
            "Tyler will try to improve his confidence in maths",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let check: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(check["measurable"], false);
    assert_eq!(check["vague"], true);
    assert_eq!(check["date_phrase"], serde_json::Value::Null);
    let findings = check["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["check"] == "vague"
        && f["severity"] == "warning"
        && f["reason"].as_str().unwrap().contains("“try to”")));

    let good = server()
        .args([
            "check-target",
            "--json",
            "Tyler will recall 18 out of 20 times-table facts by the end of the spring term",
        ])
        .output()
        .unwrap();
    let check: serde_json::Value = serde_json::from_slice(&good.stdout).unwrap();
    assert_eq!(check["measurable"], true);
    assert_eq!(check["vague"], false);
    assert_eq!(check["date_phrase"], "by the end of the spring term");
    assert_eq!(check["findings"], serde_json::json!([]));

    // For people: the same in lines, and no database touched.
    let (ok, text) = run_to_end(server().args(["check-target", "Be good."]));
    assert!(ok, "{text}");
    assert!(text.contains("S Error (too_short)"), "{text}");
}
