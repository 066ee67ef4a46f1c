//! Server-only infrastructure shared by every feature: the database and the audit/event log.

pub mod audit;
pub mod common_passwords;
pub mod db;
pub mod live_signal;
pub mod mail;
pub mod passwords;
pub mod reference_data;
pub mod sql;
