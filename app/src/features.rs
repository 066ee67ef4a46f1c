//! One folder per capability: its pages, components, server functions and persistence.

pub mod actions;
pub mod auth;
pub mod calendars;
pub mod children;
pub mod dashboard;
pub mod deadline_rules;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod home;
pub mod invitations;
pub mod live;
#[cfg(feature = "ssr")]
pub mod page_access;
pub mod people;
pub mod pep_form;
pub mod pep_schedule;
pub mod service;
