//! The demo council: three schools with their 2026/27 calendars, twelve children from early years
//! to post-16, a person in every role, and a PEP in every state. Invented people, realistic shape.
//!
//! Loading is idempotent: if the demo council exists nothing is written. Every person's password is
//! [`DEMO_PASSWORD`] (the README lists the sign-ins).

use app::domain::audit::AuditAction;
use app::domain::calendar::{
    BankHolidays, ENGLAND_AND_WALES, Period as DomainPeriod, PeriodKind, SHIPPED_BANK_HOLIDAYS_JSON,
};
use app::domain::deadlines::{Deadline, due_date};
use app::domain::pep::{PepState, Phase, Term};
use app::domain::policy::default_section_rights;
use app::domain::roles::Role;
use app::domain::schedule::{DeadlinePolicy, term_for, term_windows, termly_due};
use app::infra::audit;
use app::infra::audit::AuditEvent;
use app::infra::db::Db;
use app::infra::passwords::hash_passwords;
use app::infra::sql::sql;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

pub const DEMO_COUNCIL_ID: &str = "demo-council";
/// The shared password of every demo person. Published in the README: demo data only.
pub const DEMO_PASSWORD: &str = "northdale-demo-2026";
/// The authenticator-app secret of every demo professional, published in the README so anyone
/// trying the demo can add it to an app (or run `oathtool --totp -b SECRET`). Demo data only.
pub const DEMO_TOTP_SECRET: &str = "NORTHDALEDEMOSECRETFORTRYINGEPEP";

/// What `seed` did.
#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Loaded {
        children: usize,
        users: usize,
        peps: usize,
    },
    AlreadyPresent,
}

impl std::fmt::Display for SeedOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SeedOutcome::Loaded {
                children,
                users,
                peps,
            } => write!(
                f,
                "demo data loaded: {children} children, {users} people, {peps} PEPs"
            ),
            SeedOutcome::AlreadyPresent => {
                f.write_str("demo data already present: nothing changed")
            }
        }
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("demo dates are valid")
}

fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, min, 0)
        .single()
        .expect("demo instants are valid")
}

struct School {
    id: &'static str,
    name: &'static str,
    urn: &'static str,
    kind: &'static str,
    phase: &'static str,
}

const SCHOOLS: &[School] = &[
    School {
        id: "demo-school-brookfield",
        name: "Brookfield Primary School",
        urn: "900101",
        kind: "community",
        phase: "primary with nursery",
    },
    School {
        id: "demo-school-northdale-high",
        name: "Northdale High School",
        urn: "900202",
        kind: "community",
        phase: "secondary 11 to 16",
    },
    School {
        id: "demo-school-riverside",
        name: "Riverside Academy",
        urn: "900303",
        kind: "academy",
        phase: "secondary 11 to 18",
    },
];

/// (starts, ends, kind, label) in the shape of the CSV import.
type Period = (NaiveDate, NaiveDate, &'static str, &'static str);

/// Northdale's calendar for its community schools, 2026/27.
fn council_calendar() -> Vec<Period> {
    vec![
        (d(2026, 9, 1), d(2026, 12, 18), "term", "Autumn term"),
        (d(2026, 9, 1), d(2026, 9, 1), "inset", "INSET day"),
        (
            d(2026, 10, 26),
            d(2026, 10, 30),
            "holiday",
            "Autumn half-term",
        ),
        (
            d(2026, 12, 21),
            d(2027, 1, 1),
            "holiday",
            "Christmas holiday",
        ),
        (d(2027, 1, 4), d(2027, 3, 25), "term", "Spring term"),
        (d(2027, 1, 4), d(2027, 1, 4), "inset", "INSET day"),
        (
            d(2027, 2, 15),
            d(2027, 2, 19),
            "holiday",
            "Spring half-term",
        ),
        (d(2027, 3, 26), d(2027, 4, 9), "holiday", "Easter holiday"),
        (d(2027, 4, 12), d(2027, 7, 21), "term", "Summer term"),
        (d(2027, 5, 31), d(2027, 6, 4), "holiday", "Summer half-term"),
        (d(2027, 7, 21), d(2027, 7, 21), "inset", "INSET day"),
    ]
}

/// Riverside Academy sets its own dates: a two-week October half-term and its own INSET days.
fn riverside_calendar() -> Vec<Period> {
    vec![
        (d(2026, 9, 2), d(2026, 12, 17), "term", "Autumn term"),
        (d(2026, 9, 2), d(2026, 9, 3), "inset", "INSET days"),
        (
            d(2026, 10, 19),
            d(2026, 10, 30),
            "holiday",
            "October half-term (two weeks)",
        ),
        (
            d(2026, 11, 27),
            d(2026, 11, 27),
            "inset",
            "INSET day: safeguarding training",
        ),
        (
            d(2026, 12, 18),
            d(2027, 1, 1),
            "holiday",
            "Christmas holiday",
        ),
        (d(2027, 1, 4), d(2027, 3, 25), "term", "Spring term"),
        (d(2027, 1, 4), d(2027, 1, 4), "inset", "INSET day"),
        (
            d(2027, 2, 15),
            d(2027, 2, 19),
            "holiday",
            "Spring half-term",
        ),
        (d(2027, 3, 26), d(2027, 4, 9), "holiday", "Easter holiday"),
        (d(2027, 4, 12), d(2027, 7, 20), "term", "Summer term"),
        (d(2027, 5, 31), d(2027, 6, 4), "holiday", "Summer half-term"),
        (d(2027, 6, 7), d(2027, 6, 7), "inset", "INSET day"),
    ]
}

struct Person {
    id: &'static str,
    name: &'static str,
    email: &'static str,
    role: Role,
    school_id: Option<&'static str>,
}

const PEOPLE: &[Person] = &[
    Person {
        id: "demo-user-vsh",
        name: "Helen Okafor",
        email: "helen.okafor@northdale.example",
        role: Role::VirtualSchoolHead,
        school_id: None,
    },
    Person {
        id: "demo-user-advisor",
        name: "Daniel Reid",
        email: "daniel.reid@northdale.example",
        role: Role::EducationAdvisor,
        school_id: None,
    },
    Person {
        id: "demo-user-dt-brookfield",
        name: "Sarah Whitfield",
        email: "s.whitfield@brookfield.example",
        role: Role::DesignatedTeacher,
        school_id: Some("demo-school-brookfield"),
    },
    Person {
        id: "demo-user-dt-riverside",
        name: "Imran Hussain",
        email: "i.hussain@riverside.example",
        role: Role::DesignatedTeacher,
        school_id: Some("demo-school-riverside"),
    },
    Person {
        id: "demo-user-dt-northdale-high",
        name: "Michael Osei",
        email: "m.osei@northdale-high.example",
        role: Role::DesignatedTeacher,
        school_id: Some("demo-school-northdale-high"),
    },
    Person {
        id: "demo-user-sw-priya",
        name: "Priya Sharma",
        email: "priya.sharma@northdale.example",
        role: Role::SocialWorker,
        school_id: None,
    },
    Person {
        id: "demo-user-sw-tom",
        name: "Tom Gallagher",
        email: "tom.gallagher@northdale.example",
        role: Role::SocialWorker,
        school_id: None,
    },
    Person {
        id: "demo-user-carer-linda",
        name: "Linda Bennett",
        email: "linda.bennett@example.com",
        role: Role::Carer,
        school_id: None,
    },
    Person {
        id: "demo-user-carer-grace",
        name: "Grace Adeyemi",
        email: "grace.adeyemi@example.com",
        role: Role::Carer,
        school_id: None,
    },
    Person {
        id: "demo-user-yp-jayden",
        name: "Jayden Walker",
        email: "jayden.walker@example.com",
        role: Role::YoungPerson,
        school_id: None,
    },
    Person {
        id: "demo-user-yp-chloe",
        name: "Chloe Evans",
        email: "chloe.evans@example.com",
        role: Role::YoungPerson,
        school_id: None,
    },
];

struct Child {
    id: &'static str,
    first: &'static str,
    last: &'static str,
    dob: NaiveDate,
    upn: Option<&'static str>,
    gender: &'static str,
    ethnicity: &'static str,
    language: &'static str,
    sen: &'static str,
    into_care: NaiveDate,
    emergency: bool,
    legal_status: &'static str,
    placement: &'static str,
    /// (school, status, since)
    education: (Option<&'static str>, &'static str, NaiveDate),
    phase: Phase,
    social_worker: &'static str,
    carer: Option<&'static str>,
    /// The state of this term's PEP.
    state: PepState,
    /// Sessions possible and attended this term, for children on a school roll.
    attendance: Option<(i64, i64)>,
}

fn children() -> Vec<Child> {
    use PepState as S;
    let brookfield = Some("demo-school-brookfield");
    let high = Some("demo-school-northdale-high");
    let riverside = Some("demo-school-riverside");
    vec![
        Child {
            id: "demo-child-ruby",
            first: "Ruby",
            last: "Clarke",
            dob: d(2022, 11, 3),
            upn: None,
            gender: "female",
            ethnicity: "White British",
            language: "English",
            sen: "none",
            into_care: d(2024, 6, 17),
            emergency: false,
            legal_status: "Interim care order (s38)",
            placement: "Foster placement with a connected person",
            education: (brookfield, "early_years_setting", d(2026, 9, 7)),
            phase: Phase::EarlyYears,
            social_worker: "demo-user-sw-priya",
            carer: Some("demo-user-carer-grace"),
            state: S::Approved,
            attendance: None,
        },
        Child {
            id: "demo-child-leo",
            first: "Leo",
            last: "Mensah",
            dob: d(2023, 5, 14),
            upn: None,
            gender: "male",
            ethnicity: "Black British – African",
            language: "English and Twi",
            sen: "none",
            into_care: d(2026, 11, 20),
            emergency: true,
            legal_status: "Accommodated (s20)",
            placement: "Emergency foster placement",
            education: (brookfield, "early_years_setting", d(2026, 9, 7)),
            phase: Phase::EarlyYears,
            social_worker: "demo-user-sw-priya",
            carer: None,
            state: S::Scheduled,
            attendance: None,
        },
        Child {
            id: "demo-child-kai",
            first: "Kai",
            last: "Thompson",
            dob: d(2022, 2, 17),
            upn: Some("Z900101226001"),
            gender: "male",
            ethnicity: "Mixed – White and Black Caribbean",
            language: "English",
            sen: "sen_support",
            into_care: d(2025, 1, 9),
            emergency: false,
            legal_status: "Full care order (s31)",
            placement: "Foster placement",
            education: (brookfield, "on_roll", d(2026, 9, 2)),
            phase: Phase::SchoolAge,
            social_worker: "demo-user-sw-priya",
            carer: None,
            state: S::Contributions,
            attendance: Some((112, 106)),
        },
        Child {
            id: "demo-child-amelia",
            first: "Amelia",
            last: "Nowak",
            dob: d(2019, 1, 22),
            upn: Some("L900101219002"),
            gender: "female",
            ethnicity: "White – other",
            language: "Polish",
            sen: "none",
            into_care: d(2023, 3, 2),
            emergency: false,
            legal_status: "Full care order (s31)",
            placement: "Foster placement",
            education: (brookfield, "on_roll", d(2022, 9, 5)),
            phase: Phase::SchoolAge,
            social_worker: "demo-user-sw-priya",
            carer: None,
            state: S::Draft,
            attendance: Some((112, 109)),
        },
        Child {
            id: "demo-child-tyler",
            first: "Tyler",
            last: "Brooks",
            dob: d(2017, 6, 30),
            upn: Some("D900101217003"),
            gender: "male",
            ethnicity: "White British",
            language: "English",
            sen: "ehcp",
            into_care: d(2021, 10, 4),
            emergency: false,
            legal_status: "Full care order (s31)",
            placement: "Foster placement",
            education: (brookfield, "on_roll", d(2022, 1, 10)),
            phase: Phase::SchoolAge,
            social_worker: "demo-user-sw-priya",
            carer: Some("demo-user-carer-linda"),
            state: S::Approved,
            attendance: Some((112, 101)),
        },
        Child {
            id: "demo-child-maya",
            first: "Maya",
            last: "Patel",
            dob: d(2015, 10, 11),
            upn: Some("W900101215004"),
            gender: "female",
            ethnicity: "Asian British – Indian",
            language: "English and Gujarati",
            sen: "none",
            into_care: d(2020, 2, 14),
            emergency: false,
            legal_status: "Full care order (s31)",
            placement: "Kinship foster placement",
            education: (brookfield, "on_roll", d(2019, 9, 4)),
            phase: Phase::SchoolAge,
            social_worker: "demo-user-sw-priya",
            carer: None,
            state: S::Ready,
            attendance: Some((112, 110)),
        },
        Child {
            id: "demo-child-jayden",
            first: "Jayden",
            last: "Walker",
            dob: d(2011, 12, 5),
            upn: Some("E900202211005"),
            gender: "male",
            ethnicity: "Mixed – White and Black African",
            language: "English",
            sen: "sen_support",
            into_care: d(2019, 7, 22),
            emergency: false,
            legal_status: "Full care order (s31)",
            placement: "Foster placement",
            education: (high, "on_roll", d(2023, 9, 6)),
            phase: Phase::SchoolAge,
            social_worker: "demo-user-sw-tom",
            carer: Some("demo-user-carer-linda"),
            state: S::Meeting,
            attendance: Some((112, 91)),
        },
        Child {
            id: "demo-child-sophie",
            first: "Sophie",
            last: "Harris",
            dob: d(2015, 3, 18),
            upn: Some("A900303215006"),
            gender: "female",
            ethnicity: "White British",
            language: "English",
            sen: "none",
            into_care: d(2024, 11, 28),
            emergency: false,
            legal_status: "Full care order (s31)",
            placement: "Foster placement",
            education: (riverside, "on_roll", d(2026, 9, 4)),
            phase: Phase::SchoolAge,
            social_worker: "demo-user-sw-tom",
            carer: Some("demo-user-carer-grace"),
            state: S::Submitted,
            attendance: Some((98, 95)),
        },
        Child {
            id: "demo-child-ethan",
            first: "Ethan",
            last: "Davies",
            dob: d(2013, 4, 2),
            upn: Some("E900202213007"),
            gender: "male",
            ethnicity: "White British",
            language: "English",
            sen: "sen_support",
            into_care: d(2022, 5, 16),
            emergency: false,
            legal_status: "Full care order (s31)",
            placement: "Children's home",
            education: (high, "on_roll", d(2024, 9, 4)),
            phase: Phase::SchoolAge,
            social_worker: "demo-user-sw-tom",
            carer: None,
            state: S::Returned,
            attendance: Some((112, 97)),
        },
        Child {
            id: "demo-child-aisha",
            first: "Aisha",
            last: "Bello",
            dob: d(2010, 11, 27),
            upn: Some("Z900303210008"),
            gender: "female",
            ethnicity: "Black British – African",
            language: "English and Yoruba",
            sen: "none",
            into_care: d(2018, 9, 10),
            emergency: false,
            legal_status: "Full care order (s31)",
            placement: "Foster placement",
            education: (riverside, "on_roll", d(2022, 9, 5)),
            phase: Phase::SchoolAge,
            social_worker: "demo-user-sw-tom",
            carer: None,
            state: S::Approved,
            attendance: Some((98, 96)),
        },
        Child {
            id: "demo-child-chloe",
            first: "Chloe",
            last: "Evans",
            dob: d(2009, 2, 14),
            upn: Some("B900303209009"),
            gender: "female",
            ethnicity: "White British",
            language: "English",
            sen: "none",
            into_care: d(2021, 4, 19),
            emergency: false,
            legal_status: "Full care order (s31)",
            placement: "Supported lodgings",
            education: (riverside, "on_roll", d(2025, 9, 3)),
            phase: Phase::Post16,
            social_worker: "demo-user-sw-tom",
            carer: None,
            state: S::Approved,
            attendance: Some((98, 90)),
        },
        Child {
            id: "demo-child-callum",
            first: "Callum",
            last: "Fraser",
            dob: d(2010, 1, 8),
            upn: Some("L900202210010"),
            gender: "male",
            ethnicity: "White Scottish",
            language: "English",
            sen: "sen_support",
            into_care: d(2023, 8, 1),
            emergency: false,
            legal_status: "Accommodated (s20)",
            placement: "Semi-independent accommodation",
            education: (None, "neet", d(2026, 7, 17)),
            phase: Phase::Post16,
            social_worker: "demo-user-sw-tom",
            carer: None,
            state: S::Contributions,
            attendance: None,
        },
    ]
}

/// Three targets for this term's PEP: English, maths and one other, with baselines and owners.
fn targets_for(
    child: &Child,
) -> Vec<(
    &'static str,
    String,
    String,
    String,
    NaiveDate,
    &'static str,
    &'static str,
)> {
    let name = child.first;
    match child.phase {
        Phase::EarlyYears => vec![
            ("communication_language", format!("{name} uses 2–3 word phrases; the two-year check noted limited vocabulary (about 50 words)."), format!("{name} will use sentences of four or more words to ask for what they need at snack time and in play."), "Observed in 4 of 5 key person observations in a week, recorded in the learning journal.".into(), d(2027, 3, 19), "Key person to model and extend phrases daily; carer to share a picture book every evening.", "daily"),
            ("physical_development", format!("{name} finds it hard to hold a crayon and avoids mark-making."), format!("{name} will hold a chunky crayon with a tripod grip and make circular marks independently."), "Seen in 3 separate observations by the key person.".into(), d(2027, 3, 19), "Key person to run a 10-minute funky fingers group.", "three times a week"),
            ("personal_social_emotional", format!("{name} is unsettled at drop-off and cries for 10–15 minutes most mornings."), format!("{name} will settle within 5 minutes of drop-off using the visual timetable and a transition object."), "Settled within 5 minutes on 8 of 10 mornings, logged by staff.".into(), d(2027, 2, 12), "Carer and key person to use the same goodbye routine.", "daily"),
        ],
        Phase::Post16 => vec![
            ("english", format!("{name} achieved grade 4 in GCSE English Language; coursework essays lose marks for structure."), format!("{name} will submit both Level 3 coursework units on time with a planned structure."), "Both units submitted by the deadline and graded Merit or above by the tutor.".into(), d(2027, 3, 19), "Tutor to check an essay plan each fortnight; PA to ask about deadlines at each visit.", "fortnightly"),
            ("maths", format!("{name} needs Level 2 Functional Skills maths for the apprenticeship pathway; mock score 24 out of 60."), format!("{name} will score at least 36 out of 60 in the February Functional Skills mock."), "Mock paper score of 36/60 or more.".into(), d(2027, 2, 26), "Weekly 1:1 maths tuition funded through PP+.", "weekly"),
            ("employment_training", format!("{name} has no work experience and has not yet chosen a post-18 route."), format!("{name} will complete a one-week work placement and make two apprenticeship applications."), "Placement completed and two applications sent, confirmed by the careers adviser.".into(), d(2027, 3, 26), "Careers adviser to meet monthly; personal adviser to help with the CV.", "monthly"),
        ],
        Phase::SchoolAge => vec![
            ("reading", format!("{name} reads at an age-equivalent about 18 months behind; NGRT standardised score 84."), format!("{name} will read a book-banded text at the next level with 95% accuracy."), "Running record at 95% accuracy or above, and NGRT standardised score of 90+ in March.".into(), d(2027, 3, 19), "Teaching assistant to run 1:1 reading; carer to hear reading at home.", "three times a week"),
            ("maths", format!("{name} knows 4 of 12 times tables fluently (Times Tables Rock Stars check)."), format!("{name} will recall the 3, 4 and 8 times tables within 6 seconds per fact."), "Scores 20 out of 25 or more on the multiplication check for each table.".into(), d(2027, 3, 19), "Daily 10-minute fluency practice in class; carer to practise in the car.", "daily"),
            ("semh", format!("{name} has had 4 incidents of leaving class this half-term when work feels hard."), format!("{name} will use the agreed 'time out' card instead of leaving the room."), "No more than 1 incident of leaving class in each half-term, from the behaviour log.".into(), d(2027, 2, 12), "Key adult check-in at the start of each day; social worker to share with the carer.", "daily"),
        ],
    }
}

/// The PEP fields filled in by this state: section, field, text.
/// Who wrote a section's demo words: its owner (the young person's own account where there is one,
/// else the designated teacher who wrote them with the child).
fn written_by(child: &Child, section: &str) -> Option<&'static str> {
    let designated_teacher = match child.education.0 {
        Some("demo-school-brookfield") => Some("demo-user-dt-brookfield"),
        Some("demo-school-riverside") => Some("demo-user-dt-riverside"),
        Some("demo-school-northdale-high") => Some("demo-user-dt-northdale-high"),
        _ => None,
    };
    match section {
        "care_journey" | "child_details" => Some(child.social_worker),
        "carer_contribution" => child.carer.or(designated_teacher),
        "young_person_views" => match child.id {
            "demo-child-jayden" => Some("demo-user-yp-jayden"),
            "demo-child-chloe" => Some("demo-user-yp-chloe"),
            _ => designated_teacher,
        },
        _ => designated_teacher.or(Some(child.social_worker)),
    }
}

fn fields_for(child: &Child) -> Vec<(&'static str, &'static str, String)> {
    let name = child.first;
    let mut fields = vec![(
        "care_journey",
        "priorities",
        format!(
            "{name} has been settled in placement since the summer. Contact with birth family is supervised fortnightly. Priority: keep {name} in the current school."
        ),
    )];
    if child.state != PepState::Scheduled && child.state != PepState::Contributions {
        fields.push((
            "carer_contribution",
            "going_well",
            format!("{name} enjoys the homework club and has made a good friend in class. Reading together at bedtime most nights."),
        ));
        fields.push((
            "young_person_views",
            "what_helps",
            "When my teacher checks in with me in the morning. I like art and football. I want to be a vet.".to_string(),
        ));
        fields.push((
            "meeting_record",
            "gone_well",
            format!("{name}'s attendance is improving and {name} has joined an after-school club."),
        ));
        fields.push((
            "meeting_record",
            "concerns",
            "Some difficulty with transitions after weekend contact; agreed a calm start on Mondays.".into(),
        ));
    }
    fields
}

/// Northdale's deadline rules, in the stored form `DeadlinePolicy::from_json` reads.
fn deadline_rules() -> serde_json::Value {
    serde_json::json!({
        "initial_pep": "10 working days",
        "new_to_care_or_school": "20 school days",
        "submission_after_meeting": "5 working days",
        "contributions_before_meeting": {
            "social_worker": "10 working days", "carer": "5 working days", "young_person": "5 working days"
        },
        "termly_final_dates": {
            "2026/27 autumn": "2026-12-11", "2026/27 spring": "2027-03-19", "2026/27 summer": "2027-07-09"
        },
        "counting": { "trigger_day_counted": false, "inset_days_are_school_days": false }
    })
}

/// The periods of a demo school's calendar (none for a child with no school).
fn school_periods(school_id: Option<&str>) -> Vec<DomainPeriod> {
    let periods = match school_id {
        None => return Vec::new(),
        Some("demo-school-riverside") => riverside_calendar(),
        Some("demo-school-brookfield") => {
            let mut periods = council_calendar();
            periods.push((
                d(2027, 5, 6),
                d(2027, 5, 6),
                "closure",
                "Closed: polling station",
            ));
            periods
        }
        Some(_) => council_calendar(),
    };
    periods
        .into_iter()
        .map(|(start, end, kind, label)| DomainPeriod {
            start,
            end,
            kind: PeriodKind::parse(kind).expect("demo calendars use known kinds"),
            label: label.to_string(),
        })
        .collect()
}

/// This term's PEP for a demo child, due by the same rules the schedule uses, so the demo shows
/// real explanations: the initial PEP after Leo's emergency placement, Sophie's after her school
/// move, everyone else's termly review on the council's final date.
fn autumn_2026_deadline(child: &Child) -> (&'static str, Deadline) {
    let policy = DeadlinePolicy::from_json(&deadline_rules().to_string())
        .expect("the demo deadline rules read");
    let bank_holidays =
        BankHolidays::from_gov_uk_json(SHIPPED_BANK_HOLIDAYS_JSON, ENGLAND_AND_WALES)
            .expect("the shipped bank holidays read");
    let (school_id, _, since) = child.education;
    let calendar = policy.counting_calendar(&school_periods(school_id), &bank_holidays);
    let counted = |rule, words: &str, from| {
        due_date(
            rule,
            words,
            from,
            calendar.as_ref(),
            &bank_holidays,
            policy.conventions,
        )
        .expect("the demo calendars cover the autumn term")
    };
    match child.id {
        "demo-child-leo" => (
            "initial",
            counted(
                policy.initial_pep,
                "the emergency placement",
                child.into_care,
            ),
        ),
        "demo-child-sophie" => (
            "new_school",
            counted(
                policy.new_to_care_or_school,
                "the move to Riverside Academy",
                since,
            ),
        ),
        _ => {
            let terms = policy
                .counting_calendar(
                    &school_periods(Some("demo-school-brookfield")),
                    &bank_holidays,
                )
                .expect("the council calendar has terms");
            let windows = term_windows(&terms);
            let autumn =
                term_for(&windows, d(2026, 11, 1)).expect("autumn 2026 is in the calendar");
            ("termly", termly_due(&policy, autumn, &terms))
        }
    }
}

/// Loads the demo council unless it is already there.
pub async fn seed(db: &Db) -> Result<SeedOutcome, sqlx::Error> {
    // Checked before hashing: a restart of `serve --demo` should cost nothing.
    if present(db).await? {
        return Ok(SeedOutcome::AlreadyPresent);
    }
    let now = Utc::now();
    let children = children();
    let password_hashes: Vec<String> =
        tokio::task::spawn_blocking(|| hash_passwords(&[DEMO_PASSWORD; PEOPLE.len()]))
            .await
            .map_err(|e| sqlx::Error::Protocol(format!("password hashing failed: {e}")))?;
    let mut pep_count = 0usize;

    {
        let mut tx = db.begin_write().await?;
        // Again inside the transaction: another process may have loaded it meanwhile.
        let exists: i64 = sql("SELECT COUNT(*) FROM councils WHERE id = $1")
            .bind(DEMO_COUNCIL_ID)
            .fetch_value(&mut tx)
            .await?;
        if exists > 0 {
            return Ok(SeedOutcome::AlreadyPresent);
        }

        sql("INSERT INTO councils (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(DEMO_COUNCIL_ID)
            .bind("Northdale Council (demo)")
            .bind(now)
            .execute(&mut tx)
            .await?;
        let deadline_rules = deadline_rules();
        let smart_rules = serde_json::json!({
            "targets_per_pep": 3,
            "required_need_areas": ["english", "maths"],
            "writing_required_at_key_stages": [1, 2],
            "measurable_criterion_severity": "warning"
        });
        for (key, value) in [
            ("deadline_rules", deadline_rules),
            ("smart_targets", smart_rules),
        ] {
            sql("INSERT INTO council_policies (council_id, key, value_json, updated_at) VALUES ($1, $2, $3, $4)")
                .bind(DEMO_COUNCIL_ID).bind(key).bind(value.to_string()).bind(now)
                .execute(&mut tx).await?;
        }
        for right in default_section_rights() {
            sql("INSERT INTO section_rights (council_id, role, section, pep_state, access) VALUES ($1, $2, $3, $4, $5)")
                .bind(DEMO_COUNCIL_ID)
                .bind(right.role.as_str())
                .bind(right.section.as_str())
                .bind(right.state.as_str())
                .bind(right.access.as_str())
                .execute(&mut tx).await?;
        }

        // Schools and calendars: the council default, copied to the two community schools;
        // the academy's own; Brookfield closes for polling day.
        let calendars: Vec<(&str, Option<&str>, &str, Vec<Period>)> = vec![
            (
                "demo-calendar-council",
                None,
                "Northdale community schools 2026/27",
                council_calendar(),
            ),
            (
                "demo-calendar-brookfield",
                Some("demo-school-brookfield"),
                "Brookfield Primary School",
                {
                    let mut periods = council_calendar();
                    periods.push((
                        d(2027, 5, 6),
                        d(2027, 5, 6),
                        "closure",
                        "Closed: polling station",
                    ));
                    periods
                },
            ),
            (
                "demo-calendar-northdale-high",
                Some("demo-school-northdale-high"),
                "Northdale High School",
                council_calendar(),
            ),
            (
                "demo-calendar-riverside",
                Some("demo-school-riverside"),
                "Riverside Academy",
                riverside_calendar(),
            ),
        ];
        for school in SCHOOLS {
            sql("INSERT INTO schools (id, council_id, name, urn, kind, phase, local_authority, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(school.id).bind(DEMO_COUNCIL_ID).bind(school.name).bind(school.urn)
                .bind(school.kind).bind(school.phase).bind("Northdale").bind(now)
                .execute(&mut tx).await?;
        }
        for (calendar_id, school_id, name, periods) in &calendars {
            sql("INSERT INTO calendars (id, council_id, school_id, name, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(*calendar_id).bind(DEMO_COUNCIL_ID).bind(*school_id).bind(*name).bind(now)
                .execute(&mut tx).await?;
            for (n, (starts, ends, kind, label)) in periods.iter().enumerate() {
                sql("INSERT INTO calendar_periods (id, calendar_id, starts_on, ends_on, kind, label) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(format!("{calendar_id}-{n:02}")).bind(*calendar_id)
                    .bind(*starts).bind(*ends).bind(*kind).bind(*label)
                    .execute(&mut tx).await?;
            }
        }

        for (person, hash) in PEOPLE.iter().zip(&password_hashes) {
            // Professionals have the published demo authenticator secret already set up.
            let totp = person.role.is_professional().then_some(DEMO_TOTP_SECRET);
            sql("INSERT INTO users (id, council_id, email, display_name, role, school_id, status, password_hash, totp_secret, totp_confirmed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $10, $10)")
                .bind(person.id).bind(DEMO_COUNCIL_ID).bind(person.email).bind(person.name)
                .bind(person.role.as_str()).bind(person.school_id).bind(hash)
                .bind(totp).bind(totp.map(|_| now)).bind(now)
                .execute(&mut tx).await?;
        }

        for child in &children {
            sql("INSERT INTO children (id, council_id, first_name, last_name, date_of_birth, upn, gender, ethnicity, first_language, sen_status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)")
                .bind(child.id).bind(DEMO_COUNCIL_ID).bind(child.first).bind(child.last)
                .bind(child.dob).bind(child.upn).bind(child.gender).bind(child.ethnicity)
                .bind(child.language).bind(child.sen).bind(now)
                .execute(&mut tx).await?;
            sql("INSERT INTO care_episodes (id, child_id, started_on, legal_status, placement_type, emergency_placement) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(format!("{}-care-1", child.id)).bind(child.id).bind(child.into_care)
                .bind(child.legal_status).bind(child.placement).bind(child.emergency)
                .execute(&mut tx).await?;
            let (school_id, status, since) = child.education;
            sql("INSERT INTO education_episodes (id, child_id, school_id, status, started_on) VALUES ($1, $2, $3, $4, $5)")
                .bind(format!("{}-edu-1", child.id)).bind(child.id).bind(school_id).bind(status).bind(since)
                .execute(&mut tx).await?;
            if let (Some(school_id), Some((possible, attended))) = (school_id, child.attendance) {
                sql("INSERT INTO attendance_records (id, child_id, school_id, period_start, period_end, sessions_possible, sessions_attended, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(format!("{}-attendance-autumn", child.id)).bind(child.id).bind(school_id)
                    .bind(d(2026, 9, 1)).bind(d(2026, 11, 27)).bind(possible).bind(attended).bind(now)
                    .execute(&mut tx).await?;
            }

            // Who reaches this child: the advisor, the social worker, the carer, the child.
            let mut assignments = vec![
                (
                    "demo-user-advisor",
                    "education_advisor",
                    child.into_care,
                    None,
                ),
                (
                    child.social_worker,
                    "social_worker",
                    child.into_care.max(d(2026, 7, 1)),
                    None,
                ),
            ];
            if let Some(carer) = child.carer {
                assignments.push((carer, "carer", child.into_care.max(d(2025, 9, 1)), None));
            }
            match child.id {
                "demo-child-jayden" => {
                    assignments.push(("demo-user-yp-jayden", "young_person", d(2026, 9, 1), None));
                    // Jayden's previous social worker, whose assignment has ended.
                    assignments.push((
                        "demo-user-sw-priya",
                        "social_worker",
                        d(2023, 1, 9),
                        Some(d(2026, 6, 30)),
                    ));
                }
                "demo-child-chloe" => {
                    assignments.push(("demo-user-yp-chloe", "young_person", d(2026, 9, 1), None));
                }
                _ => {}
            }
            for (n, (user_id, relationship, starts, ends)) in assignments.into_iter().enumerate() {
                sql("INSERT INTO assignments (id, user_id, child_id, relationship, starts_on, ends_on, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, 'demo-user-vsh')")
                    .bind(format!("{}-assignment-{n}", child.id)).bind(user_id).bind(child.id)
                    .bind(relationship).bind(starts).bind(ends).bind(now)
                    .execute(&mut tx).await?;
            }

            // Last summer's approved PEP (history) for children in care and at school then,
            // and this term's PEP in the child's state.
            let mut peps = Vec::new();
            if child.into_care < d(2026, 4, 1) && child.phase != Phase::EarlyYears {
                peps.push((format!("{}-pep-2025-summer", child.id), 2025, Term::Summer, "termly", PepState::Approved, d(2026, 6, 26), "The council's final date for summer term 2025/26 PEP meetings: due 26 June 2026".to_string(), Some(at(2026, 6, 12, 9, 30))));
            }
            let (kind, deadline) = autumn_2026_deadline(child);
            let meeting = match child.state {
                PepState::Scheduled => None,
                // Planned: contributions are due counted back from it.
                PepState::Contributions => Some(at(2026, 12, 8, 10, 0)),
                PepState::Meeting => Some(at(2026, 11, 27, 14, 0)),
                _ => Some(at(2026, 11, 10, 10, 0)),
            };
            peps.push((
                format!("{}-pep-2026-autumn", child.id),
                2026,
                Term::Autumn,
                kind,
                child.state,
                deadline.due,
                deadline.explanation,
                meeting,
            ));
            let school_id = child.education.0;

            for (pep_id, year, term, kind, state, due_on, due_explanation, meeting_at) in &peps {
                pep_count += 1;
                let finished = matches!(
                    state,
                    PepState::Submitted | PepState::Approved | PepState::Returned
                );
                let submitted_at = finished
                    .then(|| meeting_at.map(|m| m + chrono::Duration::days(4)))
                    .flatten();
                let approved_at = (*state == PepState::Approved)
                    .then(|| submitted_at.map(|s| s + chrono::Duration::days(6)))
                    .flatten();
                let returned_reason = (*state == PepState::Returned).then_some(
                    "Targets 2 and 3 need a baseline and a success measure: please say where Ethan is now and how you will know the target is met.",
                );
                sql("INSERT INTO peps (id, child_id, academic_year, term, kind, phase, state, school_id, due_on, due_explanation, meeting_at, submitted_at, approved_at, returned_reason, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)")
                    .bind(pep_id.as_str()).bind(child.id).bind(i64::from(*year)).bind(term.as_str())
                    .bind(*kind).bind(child.phase.as_str()).bind(state.as_str()).bind(school_id)
                    .bind(*due_on).bind(due_explanation.as_str()).bind(*meeting_at).bind(submitted_at).bind(approved_at)
                    .bind(returned_reason).bind(now)
                    .execute(&mut tx).await?;
                audit::append(&mut tx, &AuditEvent {
                    occurred_at: now,
                    actor_id: Some("demo-user-vsh"),
                    action: AuditAction::PepCreated,
                    entity: "pep",
                    entity_id: Some(pep_id),
                    child_id: Some(child.id),
                    pep_id: Some(pep_id),
                    detail: serde_json::json!({ "kind": kind, "term": term.as_str(), "academic_year": year, "due_on": due_on }),
                    request_id: None,
                }).await?;
                if *state != PepState::Scheduled {
                    audit::append(&mut tx, &AuditEvent {
                        occurred_at: now,
                        actor_id: Some(match school_id {
                            Some("demo-school-brookfield") => "demo-user-dt-brookfield",
                            Some("demo-school-riverside") => "demo-user-dt-riverside",
                            // No designated teacher user at Northdale High, or no school.
                            _ => "demo-user-advisor",
                        }),
                        action: AuditAction::PepStateChanged,
                        entity: "pep",
                        entity_id: Some(pep_id),
                        child_id: Some(child.id),
                        pep_id: Some(pep_id),
                        detail: serde_json::json!({ "from": "scheduled", "to": state.as_str() }),
                        request_id: None,
                    }).await?;
                }

                let mut written = std::collections::BTreeSet::new();
                for (section, field, value) in fields_for(child) {
                    sql("INSERT INTO pep_fields (pep_id, section, field, value, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(pep_id.as_str()).bind(section).bind(field).bind(value).bind(now)
                        .bind(written_by(child, section))
                        .execute(&mut tx).await?;
                    written.insert(section);
                }
                // The task list as the people would have left it: every section completed once a
                // PEP is ready or past it, the ones with words in progress before then (an
                // approved PEP read "0 of 13 sections completed").
                let finished_writing = matches!(
                    state,
                    PepState::Ready | PepState::Submitted | PepState::Approved
                );
                for section in app::domain::pep_form::sections_for(child.phase) {
                    let status = if finished_writing {
                        "completed"
                    } else if written.contains(section.as_str()) {
                        "in_progress"
                    } else {
                        continue;
                    };
                    sql("INSERT INTO pep_sections (pep_id, section, status, updated_at) VALUES ($1, $2, $3, $4)")
                        .bind(pep_id.as_str()).bind(section.as_str()).bind(status).bind(now)
                        .execute(&mut tx).await?;
                }
                let has_targets = !matches!(state, PepState::Scheduled | PepState::Contributions);
                if has_targets {
                    for (position, (area, baseline, statement, measure, date, action, frequency)) in
                        targets_for(child).into_iter().enumerate()
                    {
                        let target_id = format!("{pep_id}-target-{position}");
                        let evaluation = (*year == 2025)
                            .then_some(["achieved", "partly", "not_achieved"][position % 3]);
                        sql("INSERT INTO targets (id, pep_id, position, need_area, reason_baseline, statement, success_measure, target_date, evaluation, child_view, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $10, $10)")
                            .bind(&target_id).bind(pep_id.as_str()).bind(position as i64).bind(area)
                            .bind(baseline).bind(statement).bind(measure).bind(date).bind(evaluation).bind(now)
                            .bind(format!("{} said this is what they most want to get better at.", child.first))
                            .execute(&mut tx).await?;
                        let status = if *year == 2025 { "done" } else { "open" };
                        // "Teaching assistant to run 1:1 reading; carer to hear reading at home" is
                        // two actions: the school's, and the carer's (owned by the carer, so it
                        // reaches her My actions), when the child has one.
                        let (school_part, carer_part) = match action.split_once("; carer to ") {
                            Some((school, carer)) if child.carer.is_some() => {
                                (school.to_string(), Some(format!("Carer to {carer}")))
                            }
                            _ => (action.to_string(), None),
                        };
                        let owned =
                            [(
                                format!("{target_id}-action"),
                                school_part,
                                Role::DesignatedTeacher,
                            )]
                            .into_iter()
                            .chain(carer_part.map(|words| {
                                (format!("{target_id}-action-carer"), words, Role::Carer)
                            }));
                        for (action_id, words, owner) in owned {
                            sql("INSERT INTO actions (id, pep_id, target_id, description, owner_role, frequency, due_on, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)")
                                .bind(action_id).bind(pep_id.as_str()).bind(&target_id)
                                .bind(words).bind(owner.as_str()).bind(frequency)
                                .bind(date).bind(status).bind(now)
                                .execute(&mut tx).await?;
                        }
                        // One PP+ request for the Virtual School to decide: Maya's maths tuition.
                        if child.id == "demo-child-maya" && *year == 2026 && area == "maths" {
                            sql("INSERT INTO pp_plus_requests (id, pep_id, target_id, position, item, provider, unit_cost_pence, sessions, weeks, status, created_at, updated_at) VALUES ($1, $2, $3, 0, 'Small-group maths tuition', 'Brookfield learning support', 3000, 1, 12, 'requested', $4, $4)")
                                .bind(format!("{target_id}-p1")).bind(pep_id.as_str()).bind(&target_id).bind(now)
                                .execute(&mut tx).await?;
                        }
                    }
                }
            }
        }

        // Ethan's suspension this term: the Virtual School was told, his social worker not yet.
        sql("INSERT INTO suspensions (id, child_id, kind, starts_on, days, reason, reintegration_on, virtual_school_told_on, recorded_by, created_at) VALUES ('demo-suspension-ethan', 'demo-child-ethan', 'suspension', $1, 2, 'Leaving the school site without permission', $2, $1, 'demo-user-advisor', $3)")
            .bind(d(2026, 10, 6)).bind(d(2026, 10, 8)).bind(now)
            .execute(&mut tx).await?;

        audit::append(
            &mut tx,
            &AuditEvent {
                occurred_at: now,
                actor_id: None,
                action: AuditAction::DemoSeeded,
                entity: "council",
                entity_id: Some(DEMO_COUNCIL_ID),
                child_id: None,
                pep_id: None,
                detail: serde_json::json!({ "children": children.len(), "users": PEOPLE.len() }),
                request_id: None,
            },
        )
        .await?;
        tx.commit().await?;
    };
    Ok(SeedOutcome::Loaded {
        children: children.len(),
        users: PEOPLE.len(),
        peps: pep_count,
    })
}

/// Whether the demo council is in this database.
pub async fn present(db: &Db) -> Result<bool, sqlx::Error> {
    let count: i64 = {
        sql("SELECT COUNT(*) FROM councils WHERE id = $1")
            .bind(DEMO_COUNCIL_ID)
            .fetch_value(db)
            .await?
    };
    Ok(count > 0)
}

/// The demo's Virtual School head as the server sees her once signed in (for benchmarks and tests
/// that call a feature's server code directly, without a session).
pub fn virtual_school_head() -> app::features::auth::CurrentUser {
    app::features::auth::CurrentUser {
        id: "demo-user-vsh".into(),
        display_name: "Helen Okafor".into(),
        role: Role::VirtualSchoolHead,
        council_id: "demo-council".into(),
        school_id: None,
        second_factor_set_up: true,
        second_factor_pending: false,
    }
}
