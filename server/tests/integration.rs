//! Integration tests: the database on SQLite and PostgreSQL, the HTTP app on port 0, and the
//! server binary as an operator runs it. One test binary, so the link happens once.

#![expect(
    clippy::unwrap_used,
    reason = "a test should stop loudly at the first unexpected error"
)]

mod integration {
    pub mod access_matrix;
    pub mod actions;
    pub mod auth;
    pub mod bad_input;
    pub mod calendars;
    pub mod children;
    pub mod cli;
    pub mod concerns;
    pub mod dashboard;
    pub mod database;
    pub mod demo_data;
    pub mod http;
    pub mod invitations;
    pub mod live;
    pub mod pages;
    pub mod password_reset;
    pub mod people;
    pub mod pep_form;
    pub mod pp_plus;
    pub mod register;
    pub mod schedule;
    pub mod schema_parity;
    pub mod shared_text;
    pub mod support;
    pub mod suspensions;
}
