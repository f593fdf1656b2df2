//! The embedded engine: one SQLite file in WAL mode with `synchronous=FULL`.
//!
//! Writes go through one writer thread that commits whatever requests are waiting as one
//! transaction (group commit: many concurrent writes share one fsync), each inside its own
//! savepoint so one refused request never undoes another. Reads use a small pool of connections
//! and run inline: a read of a cached page takes microseconds, less than a hop to another thread.
//! A reader keeps its snapshot between reads until the writer commits (`readers.rs`).

mod backfill;
mod control;
mod readers;
mod rows;
mod schema;
mod writer;
mod writes;

use std::{path::Path, sync::Arc};

use async_trait::async_trait;
use rapd_model::{
    ApiVersion, AuditContext, AuditEntry, Change, Clock, Mutation, Partner, PartnerId,
    RemoteAssistanceSettings, SettingsPatch, Tenant, TenantId, TenantState, wire::ListItem,
};
use rapd_odata::Filter;
use rusqlite::{Connection, params, params_from_iter};

use crate::{
    AuditPage, AuditPageQuery, AuditPosition, ControlStore, Page, PageQuery, PartnerStore,
    StoreError, jobs,
    page_rows::{PageItem, PageReader},
    query_sql::{self, Dialect, Value},
};

/// How many read connections the pool keeps.
const READERS: usize = 4;

pub struct SqliteStore {
    clock: Arc<dyn Clock>,
    readers: Arc<readers::Readers>,
    writer: writer::Writer,
}

impl SqliteStore {
    /// Opens (creating and migrating if needed) the database at `path`.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<SqliteStore, StoreError> {
        Ok(SqliteStore::open_reporting(path, clock)?.0)
    }

    /// [`SqliteStore::open`], and how many migrations it applied (`rapd migrate` says).
    pub fn open_reporting(
        path: &Path,
        clock: Arc<dyn Clock>,
    ) -> Result<(SqliteStore, usize), StoreError> {
        crate::private_files::create_private_file(path).map_err(|e| {
            StoreError::Unavailable(format!("cannot create {}: {e}", path.display()))
        })?;
        let conn = schema::open_connection(path)?;
        let applied = schema::migrate(&conn)?;
        let readers = Arc::new(readers::Readers::open(path, READERS)?);
        let store = SqliteStore {
            clock: clock.clone(),
            readers: readers.clone(),
            writer: writer::Writer::start(conn, clock, readers)?,
        };
        Ok((store, applied))
    }

    /// Stores the list items of the rows at `path` written without them (`backfill.rs`); returns
    /// how many. Run by `rapd migrate`, not at open: on a large file it takes seconds.
    pub fn fill_list_items(path: &Path) -> Result<usize, StoreError> {
        let conn = schema::open_connection(path)?;
        backfill::backfill(&conn).map_err(rows::read_error)
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        self.readers.read(f)
    }

    /// A page of `T`s; `json` names the stored items' version, which a page of list items needs.
    fn read_page<T: PageItem>(
        &self,
        tenant: TenantId,
        query: &PageQuery,
        json: Option<ApiVersion>,
    ) -> Result<Page<T>, StoreError> {
        let now = self.clock.now();
        let sql = query_sql::page(Dialect::Sqlite, tenant, query, json, now);
        self.read(|c| {
            let mut stmt = c.prepare_cached(&sql.text)?;
            let mut rows = stmt.query(params_from_iter(&sql.params))?;
            let mut page = PageReader::new(query, now);
            while let Some(row) = rows.next()? {
                if !page.push(row)? {
                    break;
                }
            }
            Ok(page.finish())
        })
    }
}

/// A parameter as SQLite stores it (ids as 16-byte BLOBs), borrowed rather than copied.
impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Uuid(u) => ValueRef::Blob(u.as_bytes()),
        }))
    }
}

#[async_trait]
impl PartnerStore for SqliteStore {
    async fn get(&self, tenant: TenantId, id: PartnerId) -> Result<Option<Partner>, StoreError> {
        self.read(|c| rows::select_partner(c, tenant, id))
    }

    async fn list(&self, tenant: TenantId, query: &PageQuery) -> Result<Page, StoreError> {
        self.read_page(tenant, query, None)
    }

    async fn list_items(
        &self,
        tenant: TenantId,
        query: &PageQuery,
        version: ApiVersion,
    ) -> Result<Page<ListItem>, StoreError> {
        self.read_page(tenant, query, Some(version))
    }

    async fn count(&self, tenant: TenantId, filter: Option<&Filter>) -> Result<u64, StoreError> {
        let sql = query_sql::count(Dialect::Sqlite, tenant, filter, self.clock.now());
        self.read(|c| {
            c.prepare_cached(&sql.text)?
                .query_row(params_from_iter(&sql.params), |r| r.get::<_, i64>(0))
        })
        .map(|n| n.max(0) as u64)
    }

    async fn mutate(
        &self,
        tenant: TenantId,
        mutation: Mutation,
        audit: AuditContext,
    ) -> Result<Change, StoreError> {
        self.writer
            .write(jobs::Mutate {
                tenant,
                mutation,
                audit,
            })
            .await
    }

    async fn audit_entries(&self, tenant: TenantId) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(rows::SELECT_TENANT_AUDIT)?;
            let rows = stmt.query_map(params![tenant.0.as_bytes()], rows::audit_from_row)?;
            rows.collect()
        })
    }

    async fn audit_page(
        &self,
        tenant: TenantId,
        query: &AuditPageQuery,
    ) -> Result<AuditPage, StoreError> {
        let sql = query_sql::audit_page(Dialect::Sqlite, tenant, query);
        let items = self.read(|c| {
            let mut stmt = c.prepare_cached(&sql.text)?;
            let rows = stmt.query_map(params_from_iter(&sql.params), |row| {
                let seq = row.get::<_, i64>(9)?;
                Ok((AuditPosition { xact: 0, seq }, rows::audit_from_row(row)?))
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })?;
        Ok(AuditPage::from_rows(items, query.limit))
    }

    async fn settings(&self, tenant: TenantId) -> Result<RemoteAssistanceSettings, StoreError> {
        self.read(|c| rows::select_settings(c, tenant))
    }

    async fn patch_settings(
        &self,
        tenant: TenantId,
        patch: SettingsPatch,
        audit: AuditContext,
    ) -> Result<RemoteAssistanceSettings, StoreError> {
        self.writer
            .write(jobs::PatchSettings {
                tenant,
                patch,
                audit,
            })
            .await
    }

    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        self.read(|c| rows::select_tenant(c, id))
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(rows::SELECT_TENANTS)?;
            let rows = stmt.query_map([], rows::tenant_from_row)?;
            rows.collect()
        })
    }

    async fn put_tenant(&self, tenant: Tenant) -> Result<(), StoreError> {
        self.writer.write(jobs::PutTenant { tenant }).await
    }

    async fn remove_tenant(&self, id: TenantId) -> Result<bool, StoreError> {
        self.writer.write(jobs::RemoveTenant { id }).await
    }

    async fn ready(&self) -> Result<(), StoreError> {
        self.read(|c| c.query_row("SELECT 1", [], |_| Ok(())))
    }

    fn render_metrics(&self, text: &mut rapd_metrics::Text) {
        self.writer.render_metrics(text);
    }
}

/// Reset and seed are writes on the writer thread; export reads one snapshot (`control.rs`).
#[async_trait]
impl ControlStore for SqliteStore {
    async fn reset(&self, tenant: Option<TenantId>) -> Result<(), StoreError> {
        self.writer.write(jobs::Reset { tenant }).await
    }

    async fn seed(&self, states: Vec<TenantState>, audit: AuditContext) -> Result<(), StoreError> {
        self.writer.write(jobs::Seed { states, audit }).await
    }

    async fn export(&self, tenant: Option<TenantId>) -> Result<Vec<TenantState>, StoreError> {
        self.read(|c| control::export(c, tenant))
    }
}
