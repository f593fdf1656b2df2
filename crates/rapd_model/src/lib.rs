//! The Graph model of rapd: the `remoteAssistancePartner` entity, its lifecycle and its wire format.
//!
//! Everything here is pure: no I/O, no clock (callers pass `now`), no HTTP; randomness only for
//! fresh ids and secrets. The storage engines call [`lifecycle::apply`],
//! [`lifecycle::apply_settings`] and the [`seed`] rules inside their write transaction, so the
//! rules of DESIGN §2 live in one place whatever engine runs them.
//!
//! ## Map
//!
//! The entity, its enum, request-body validation, the lifecycle state machine,
//! audit records (and which of their `modifiedProperties` each version may name), the JSON writer.
//! Pure: callers pass `now`; randomness only for fresh ids and secrets. Key types: `Partner`,
//! `OnboardingStatus`, `PartnerInput`, `BeginOnboardingInput`, `Mutation`, `lifecycle::apply`,
//! `Change`, `lifecycle::apply_settings` (a settings patch and its audit record),
//! `seed::{registration, settings, partner}` (what a seed writes over the stored rows, and its
//! audit records), `AuditEntry`, `Timestamp`, `Clock`, `ApiVersion`, `wire::write_partner`,
//! `wire::ListItem` (a list page's item: the bytes stored with the row, or the partner);
//! fixtures of the test-control API (`fixture.rs`: parse, check whole, convert to and from
//! `TenantState`); the partner's secrets (`secrets.rs`: `OnboardingCode`, `PartnerCredential`,
//! their text forms, the credential's hash, a `Debug` that never shows the secret).

pub mod audit;
pub mod catalogue;
pub mod change;
pub mod clock;
pub mod fixture;
pub mod input;
pub mod lifecycle;
pub mod partner;
pub mod secrets;
pub mod seed;
pub mod settings;
pub mod strict_json;
pub mod tenant;
pub mod timestamp;
pub mod version;
pub mod wire;

pub use audit::{Actor, AuditContext, AuditEntry, ModifiedProperty, OperationKind};
pub use catalogue::{Property, PropertyKind};
pub use change::Change;
pub use clock::{Clock, ManualClock, SystemClock};
pub use fixture::{Fixture, FixtureError, PartnerFixture, TenantFixture, TenantState};
pub use input::{BeginOnboardingInput, InputError, PartnerInput};
pub use lifecycle::{Mutation, Rejection, SettingsChange};
pub use partner::{OnboardingStatus, Partner, PartnerId, TenantId};
pub use secrets::{OnboardingCode, PartnerCredential, code_hash, new_secret};
pub use settings::{RemoteAssistanceSettings, RemoteAssistanceState, SettingsPatch};
pub use tenant::Tenant;
pub use timestamp::Timestamp;
pub use version::ApiVersion;
