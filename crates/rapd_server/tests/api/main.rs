//! The Graph surface over loopback HTTP, against the real router and a real SQLite file.

mod app;
mod audit_events;
mod auth;
mod batch;
mod control;
mod device_code;
mod errors;
mod identity_limits;
mod identity_provider;
mod limits;
mod metadata;
mod metrics;
mod onboarding;
mod openapi;
mod partners;
mod query;
mod settings;
mod snapshots;
mod state_machine;
mod tenancy;
mod throttling;
mod tls;
mod tls_app;
mod token_matrix;
mod url_forms;
