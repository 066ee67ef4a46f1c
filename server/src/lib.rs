//! The ePEP server: configuration, start-up, router and middleware, and operations subcommands.
//! Pages, server functions and domain rules live in the `app` crate.

pub mod cli;
pub mod demo;
pub mod http;
pub mod telemetry;
