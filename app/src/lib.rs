//! The ePEP app, shared by the server (feature `ssr`) and the WASM client (feature `hydrate`).
//!
//! - `domain`: pure rules with no Leptos and no `cfg`, compiled into both targets.
//! - `features`: one folder per capability: pages, components, server functions, persistence.
//! - `ui`: small accessible components shared by the features.
//! - `infra` (server only): the database, migrations and the audit/event log.

// Leptos views are deeply nested types; release builds need more room to compute their layout.
#![recursion_limit = "256"]

pub mod domain;
pub mod error;
pub mod features;
#[cfg(feature = "ssr")]
pub mod request_decoder;
pub mod shell;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod infra;

pub use shell::{App, shell};
