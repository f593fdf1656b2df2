//! Storage for rapd: the [`PartnerStore`] and [`ControlStore`] traits and their engines,
//! [`SqliteStore`] (embedded, one node) and [`PostgresStore`] (several nodes over one database),
//! each implementing both ([`Engine`]).
//!
//! Invariants every engine keeps:
//! - every key starts with the tenant, and no call reads or writes across tenants;
//! - a mutation and its [`AuditEntry`] commit in one transaction, and a call returns only after
//!   that commit is durable;
//! - the lifecycle rules are [`rapd_model::lifecycle::apply`], run inside the transaction;
//! - no SQL leaves this crate, and no engine error type appears in its API.
//!
//! ## Map
//!
//! Two traits, `PartnerStore` (partners, audit, settings, tenants, readiness) and
//! `ControlStore` (the test-control operations), and two engines implementing both (`Engine`: one
//! object behind both, what the binary opens). `SqliteStore`: pragmas read back at open, versioned
//! migrations (`migrations/sqlite/`), one writer thread with group commit (`sqlite/writer.rs`,
//! `sqlite/writes.rs`), a small pool of readers that keep a snapshot between reads until the writer
//! commits (`sqlite/readers.rs`). `PostgresStore` (`postgres/`): a bounded `deadpool-postgres`
//! pool, session settings read back, migrations with the same version numbers
//! (`migrations/postgres/`, `postgres/schema.rs`), each write one transaction that locks the row
//! and runs the lifecycle (`postgres/writes.rs`) in three round trips, its statements prepared
//! first and pipelined, the first with `BEGIN` (`postgres/writer.rs`,
//! `postgres/transaction.rs`), retried on serialization failures
//! (`postgres/retry.rs`), audit records ordered by writing transaction without a lock per tenant
//! (`postgres/audit_order.rs`). Both engines store each partner's list items (v1.0 and beta) with
//! its row; `list_items` returns them where they hold (decided in SQL) without decoding those
//! rows, and the rows of any page become a `Page` once for both (`page_rows.rs`); `rapd migrate`
//! fills in the items of rows written without them (`fill_list_items`, `sqlite/backfill.rs`,
//! `postgres/backfill.rs`). The writes are defined once for both engines (`jobs.rs`: a struct per
//! kind, each a `WriteJob` naming the type of its answer, so a write answered with another's result
//! does not compile). Filters and seek-paging become SQL once for both engines (`query_sql.rs`, a
//! `Dialect` for placeholders and three functions). Partners, audit records, tenants, settings; the
//! test-control operations of `ControlStore`, `reset`, `seed` (audited, one transaction) and
//! `export` (`sqlite/control.rs`, `postgres/control.rs`). Each engine times its write transactions
//! (`metrics.rs`; the SQLite writer also its group sizes and queue, PostgreSQL its pool). The `testing` feature makes fresh
//! PostgreSQL schemas for tests. Key types: `PartnerStore`, `ControlStore`, `Engine`,
//! `SqliteStore`, `PostgresStore`, `PostgresOptions`, `Migrations`, `PageQuery`, `Page`, `SeekKey`, `AuditPosition`,
//! `StoreError`.

mod error;
mod jobs;
mod metrics;
mod page_rows;
pub mod paging;
pub mod postgres;
mod private_files;
mod query_sql;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

use async_trait::async_trait;
use rapd_model::{
    ApiVersion, AuditContext, AuditEntry, Change, Mutation, Partner, PartnerId,
    RemoteAssistanceSettings, SettingsPatch, Tenant, TenantId, TenantState, wire::ListItem,
};
use rapd_odata::Filter;

pub use error::StoreError;
pub use paging::{AuditPage, AuditPageQuery, AuditPosition, Page, PageQuery, SeekKey, SortValue};
pub use postgres::{Migrations, PostgresOptions, PostgresStore};
pub use private_files::create_private_dir;
pub use sqlite::SqliteStore;

/// The partners, audit trails, settings and registrations of tenants: everything the Graph
/// surface, the partner API, the CLI and the partner simulator read and change.
#[async_trait]
pub trait PartnerStore: Send + Sync {
    /// One partner of `tenant`, if it exists.
    async fn get(&self, tenant: TenantId, id: PartnerId) -> Result<Option<Partner>, StoreError>;

    /// One page of `tenant`'s partners matching the query, in its order (then by id).
    async fn list(&self, tenant: TenantId, query: &PageQuery) -> Result<Page, StoreError>;

    /// The same page as a list without `$select` writes it in `version`: each item the JSON
    /// stored with its row ([`rapd_model::wire::stored_entity`]) where it holds at the page's
    /// time, the partner where it does not; a row whose item holds is not decoded.
    async fn list_items(
        &self,
        tenant: TenantId,
        query: &PageQuery,
        version: ApiVersion,
    ) -> Result<Page<ListItem>, StoreError>;

    /// How many of `tenant`'s partners match `filter`.
    async fn count(&self, tenant: TenantId, filter: Option<&Filter>) -> Result<u64, StoreError>;

    /// Applies `mutation` and records it, atomically and durably; returns the change made.
    async fn mutate(
        &self,
        tenant: TenantId,
        mutation: Mutation,
        audit: AuditContext,
    ) -> Result<Change, StoreError>;

    /// The audit trail of `tenant`, oldest first.
    async fn audit_entries(&self, tenant: TenantId) -> Result<Vec<AuditEntry>, StoreError>;

    /// One page of `tenant`'s audit trail matching the query.
    async fn audit_page(
        &self,
        tenant: TenantId,
        query: &AuditPageQuery,
    ) -> Result<AuditPage, StoreError>;

    /// The tenant's beta `remoteAssistanceSettings` (defaults until first changed).
    async fn settings(&self, tenant: TenantId) -> Result<RemoteAssistanceSettings, StoreError>;

    /// Applies `patch` to the tenant's settings and records it, atomically and durably.
    async fn patch_settings(
        &self,
        tenant: TenantId,
        patch: SettingsPatch,
        audit: AuditContext,
    ) -> Result<RemoteAssistanceSettings, StoreError>;

    /// A provisioned tenant, if it is one.
    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError>;

    /// Every provisioned tenant, ordered by id.
    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError>;

    /// Provisions `tenant`, or updates its name and licence if it exists (keeping `created`).
    async fn put_tenant(&self, tenant: Tenant) -> Result<(), StoreError>;

    /// Removes a tenant's registration (its partners and audit trail stay); whether it existed.
    async fn remove_tenant(&self, id: TenantId) -> Result<bool, StoreError>;

    /// Whether the store can serve now (for `/readyz`): one round trip to the database.
    async fn ready(&self) -> Result<(), StoreError>;

    /// Writes the engine's metrics (write transactions, its queue or pool) for `/metrics`.
    fn render_metrics(&self, text: &mut rapd_metrics::Text);
}

/// The test-control operations on whole tenants' state, reached only from the CLI (`rapd seed`)
/// and the loopback-only test-control API.
#[async_trait]
pub trait ControlStore: Send + Sync {
    /// Deletes every row of `tenant` (partners, audit trail, settings, registration), or of
    /// every tenant.
    async fn reset(&self, tenant: Option<TenantId>) -> Result<(), StoreError>;

    /// Writes `states` as given (registrations, settings, partners by id) in one transaction,
    /// with an audit record under `audit` for every partner and settings written.
    async fn seed(&self, states: Vec<TenantState>, audit: AuditContext) -> Result<(), StoreError>;

    /// The state of `tenant`, or of every tenant with any row, ordered by tenant id then partner
    /// id. Settings appear only once written.
    async fn export(&self, tenant: Option<TenantId>) -> Result<Vec<TenantState>, StoreError>;
}

/// One engine seen through both traits: what the binary opens, and what the server shares out
/// as its `Arc<dyn PartnerStore>` and `Arc<dyn ControlStore>`.
pub trait Engine: PartnerStore + ControlStore {}

impl<E: PartnerStore + ControlStore> Engine for E {}
