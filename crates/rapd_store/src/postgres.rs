//! The engine for several nodes: PostgreSQL (or a compatible distributed SQL engine) through a
//! bounded pool of connections.
//!
//! Every write is one `READ COMMITTED` transaction that locks the partner row (`FOR UPDATE`),
//! runs [`rapd_model::lifecycle::apply`] on it, writes the row and appends the audit record; the
//! call returns after `COMMIT`, with `synchronous_commit=on`. Its statements are prepared before
//! any is sent (`postgres/writer.rs`) and go out in three round trips: `BEGIN` with the lock and
//! the read, the writes together, `COMMIT` (`postgres/transaction.rs`). Audit records are ordered by
//! writing transaction without a lock per tenant ([`audit_order`]). Nothing is cached between
//! calls, so every node sees every other node's commits at once. A transaction that fails with a
//! serialization failure, a deadlock or a lost insert race (SQLSTATE 40001, 40P01, 23505) is
//! rolled back by the server and retried from the start (see [`retry`]).

mod audit_order;
mod backfill;
mod control;
mod retry;
mod rows;
mod schema;
mod transaction;
mod writer;
mod writes;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use rapd_metrics::Text;
use rapd_model::{
    ApiVersion, AuditContext, AuditEntry, Change, Clock, Mutation, Partner, PartnerId,
    RemoteAssistanceSettings, SettingsPatch, Tenant, TenantId, TenantState, wire::ListItem,
};
use rapd_odata::Filter;
use tokio_postgres::{NoTls, types::ToSql};

pub use schema::MIGRATIONS_TABLE;

use crate::{
    AuditPage, AuditPageQuery, AuditPosition, ControlStore, Page, PageQuery, PartnerStore,
    StoreError, jobs,
    metrics::WriteMetrics,
    page_rows::{PageItem, PageReader},
    query_sql::{self, Dialect, Sql, Value},
};
use writes::PostgresWrite;

/// How to reach the database and how hard to use it.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// A `postgres://` URL; an `options` parameter in it is kept and extended.
    pub url: String,
    /// The most connections this node holds open.
    pub pool_size: usize,
    /// How long a call waits for a free connection before it answers "unavailable".
    pub acquire_timeout: Duration,
    /// The server cancels any statement that runs longer (`statement_timeout`).
    pub statement_timeout: Duration,
    /// How long an audit read waits, at most, for the writes running when it began to end, so
    /// it returns every write acknowledged before it (see `audit_order`); the binary uses the
    /// statement timeout, as a statement waiting for a lock would.
    pub audit_wait: Duration,
}

/// What opening does with a database whose schema is older than this rapd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Migrations {
    /// Bring it up to date (development, and `rapd migrate`).
    Apply,
    /// Refuse to open it (production: migrations are an operator's step).
    Require,
}

pub struct PostgresStore {
    pool: Pool,
    audit_wait: Duration,
    clock: Arc<dyn Clock>,
    metrics: WriteMetrics,
}

impl PostgresStore {
    /// Connects, checks the session settings, and migrates or checks the schema.
    pub async fn open(
        options: &PostgresOptions,
        clock: Arc<dyn Clock>,
        migrations: Migrations,
    ) -> Result<PostgresStore, StoreError> {
        Ok(PostgresStore::open_reporting(options, clock, migrations)
            .await?
            .0)
    }

    /// [`PostgresStore::open`], and the versions of the migrations it applied (`rapd migrate`
    /// says how many).
    pub async fn open_reporting(
        options: &PostgresOptions,
        clock: Arc<dyn Clock>,
        migrations: Migrations,
    ) -> Result<(PostgresStore, Vec<u32>), StoreError> {
        let config = schema::session_config(options)?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .wait_timeout(Some(options.acquire_timeout))
            .create_timeout(Some(options.acquire_timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Open(e.to_string()))?;
        let store = PostgresStore {
            pool,
            audit_wait: options.audit_wait,
            clock,
            metrics: WriteMetrics::new("postgres"),
        };
        let mut client = store.client().await.map_err(|e| match e {
            StoreError::Unavailable(reason) => StoreError::Open(reason),
            other => other,
        })?;
        schema::check_session(&client).await?;
        let applied = match migrations {
            Migrations::Apply => schema::migrate(&mut client).await?,
            Migrations::Require => schema::require_current(&client)
                .await
                .map(|()| Vec::new())?,
        };
        drop(client);
        Ok((store, applied))
    }

    /// Applies every pending migration; returns the versions applied.
    pub async fn migrate(&self) -> Result<Vec<u32>, StoreError> {
        let mut client = self.client().await?;
        schema::migrate(&mut client).await
    }

    /// Stores the list items of rows written without them (`backfill.rs`); returns how many. Run
    /// by `rapd migrate`, not at open: on a large table it takes seconds.
    pub async fn fill_list_items(&self) -> Result<u64, StoreError> {
        backfill::backfill(&mut self.client().await?).await
    }

    /// The version of the newest migration applied to the database.
    pub async fn schema_version(&self) -> Result<u32, StoreError> {
        schema::current_version(&self.client().await?).await
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Unavailable(format!("no database connection: {e}")))
    }

    /// Runs `sql` and maps each row with `read`.
    async fn query<T>(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        read: impl Fn(&tokio_postgres::Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        query_on(&self.client().await?, sql, params, read).await
    }

    /// Runs a query built by [`query_sql`].
    async fn query_built<T>(
        &self,
        sql: &Sql,
        read: impl Fn(&tokio_postgres::Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        run_built(&self.client().await?, sql, read).await
    }

    /// A page of `T`s; `json` names the stored items' version, which a page of list items needs.
    async fn read_page<T: PageItem>(
        &self,
        tenant: TenantId,
        query: &PageQuery,
        json: Option<ApiVersion>,
    ) -> Result<Page<T>, StoreError> {
        let now = self.clock.now();
        let sql = query_sql::page(Dialect::Postgres, tenant, query, json, now);
        let rows = rows_built(&self.client().await?, &sql).await?;
        let mut page = PageReader::new(query, now);
        for row in &rows {
            if !page.push(row)? {
                break;
            }
        }
        Ok(page.finish())
    }

    async fn write<J: PostgresWrite>(&self, job: J) -> Result<J::Reply, StoreError> {
        let started = Instant::now();
        let result = retry::write(&self.pool, self.clock.as_ref(), &job).await;
        self.metrics
            .transaction_seconds
            .observe_duration(started.elapsed());
        self.metrics.group_size.observe(1.0);
        result
    }
}

/// Runs `sql` on `client` and maps each row with `read`.
async fn query_on<T>(
    client: &deadpool_postgres::Object,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    read: impl Fn(&tokio_postgres::Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let stmt = client.prepare_cached(sql).await.map_err(rows::db_error)?;
    let found = client.query(&stmt, params).await.map_err(rows::db_error)?;
    found.iter().map(read).collect()
}

/// Runs a query built by [`query_sql`] on `client`.
async fn run_built<T>(
    client: &deadpool_postgres::Object,
    sql: &Sql,
    read: impl Fn(&tokio_postgres::Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    rows_built(client, sql).await?.iter().map(read).collect()
}

/// The rows of a query built by [`query_sql`] on `client`.
async fn rows_built(
    client: &deadpool_postgres::Object,
    sql: &Sql,
) -> Result<Vec<tokio_postgres::Row>, StoreError> {
    let params: Vec<&(dyn ToSql + Sync)> = sql
        .params
        .iter()
        .map(|p| p as &(dyn ToSql + Sync))
        .collect();
    let stmt = client
        .prepare_cached(&sql.text)
        .await
        .map_err(rows::db_error)?;
    client.query(&stmt, &params).await.map_err(rows::db_error)
}

#[async_trait]
impl PartnerStore for PostgresStore {
    async fn get(&self, tenant: TenantId, id: PartnerId) -> Result<Option<Partner>, StoreError> {
        let client = self.client().await?;
        rows::select_partner(&client, tenant, id).await
    }

    async fn list(&self, tenant: TenantId, query: &PageQuery) -> Result<Page, StoreError> {
        self.read_page(tenant, query, None).await
    }

    async fn list_items(
        &self,
        tenant: TenantId,
        query: &PageQuery,
        version: ApiVersion,
    ) -> Result<Page<ListItem>, StoreError> {
        self.read_page(tenant, query, Some(version)).await
    }

    async fn count(&self, tenant: TenantId, filter: Option<&Filter>) -> Result<u64, StoreError> {
        let sql = query_sql::count(Dialect::Postgres, tenant, filter, self.clock.now());
        let n = self.query_built(&sql, |r| rows::get::<i64>(r, 0)).await?;
        Ok(n.first().copied().unwrap_or(0).max(0) as u64)
    }

    async fn mutate(
        &self,
        tenant: TenantId,
        mutation: Mutation,
        audit: AuditContext,
    ) -> Result<Change, StoreError> {
        self.write(jobs::Mutate {
            tenant,
            mutation,
            audit,
        })
        .await
    }

    async fn audit_entries(&self, tenant: TenantId) -> Result<Vec<AuditEntry>, StoreError> {
        let query = AuditPageQuery {
            limit: u32::MAX,
            ..AuditPageQuery::default()
        };
        let page = self.audit_page(tenant, &query).await?;
        Ok(page.items.into_iter().map(|(_, e)| e).collect())
    }

    async fn audit_page(
        &self,
        tenant: TenantId,
        query: &AuditPageQuery,
    ) -> Result<AuditPage, StoreError> {
        let client = self.client().await?;
        audit_order::await_horizon(&client, self.audit_wait).await?;
        let sql = query_sql::audit_page(Dialect::Postgres, tenant, query);
        let items = run_built(&client, &sql, |r| {
            let (seq, xact) = (rows::get(r, 9)?, rows::get(r, 10)?);
            Ok((AuditPosition { xact, seq }, rows::audit_from_row(r)?))
        })
        .await?;
        Ok(AuditPage::from_rows(items, query.limit))
    }

    async fn settings(&self, tenant: TenantId) -> Result<RemoteAssistanceSettings, StoreError> {
        let client = self.client().await?;
        rows::select_settings(&client, tenant).await
    }

    async fn patch_settings(
        &self,
        tenant: TenantId,
        patch: SettingsPatch,
        audit: AuditContext,
    ) -> Result<RemoteAssistanceSettings, StoreError> {
        self.write(jobs::PatchSettings {
            tenant,
            patch,
            audit,
        })
        .await
    }

    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        let found = self
            .query(rows::SELECT_TENANT, &[&id.0], rows::tenant_from_row)
            .await?;
        Ok(found.into_iter().next())
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        self.query(rows::SELECT_TENANTS, &[], rows::tenant_from_row)
            .await
    }

    async fn put_tenant(&self, tenant: Tenant) -> Result<(), StoreError> {
        self.write(jobs::PutTenant { tenant }).await
    }

    async fn remove_tenant(&self, id: TenantId) -> Result<bool, StoreError> {
        self.write(jobs::RemoveTenant { id }).await
    }

    async fn ready(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .simple_query("SELECT 1")
            .await
            .map(drop)
            .map_err(rows::db_error)
    }

    fn render_metrics(&self, text: &mut Text) {
        self.metrics.render(text);
        let status = self.pool.status();
        text.family(
            "rapd_store_postgres_pool_connections",
            "gauge",
            "The PostgreSQL pool's connections, by state; `max` is its size limit.",
        );
        let in_use = status.size.saturating_sub(status.available);
        for (state, value) in [
            ("in_use", in_use),
            ("idle", status.available),
            ("max", status.max_size),
        ] {
            text.sample(
                "rapd_store_postgres_pool_connections",
                &[("state", state)],
                value,
            );
        }
        text.family(
            "rapd_store_postgres_pool_waiting",
            "gauge",
            "Requests waiting for a PostgreSQL connection.",
        );
        text.sample("rapd_store_postgres_pool_waiting", &[], status.waiting);
    }
}

/// Reset and seed are one transaction each, like every write (`control.rs`).
#[async_trait]
impl ControlStore for PostgresStore {
    async fn reset(&self, tenant: Option<TenantId>) -> Result<(), StoreError> {
        self.write(jobs::Reset { tenant }).await
    }

    async fn seed(&self, states: Vec<TenantState>, audit: AuditContext) -> Result<(), StoreError> {
        self.write(jobs::Seed { states, audit }).await
    }

    async fn export(&self, tenant: Option<TenantId>) -> Result<Vec<TenantState>, StoreError> {
        let client = self.client().await?;
        control::export(&client, tenant).await
    }
}

/// A parameter as PostgreSQL takes it; the placeholder's cast in [`Sql`] names its type.
impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &tokio_postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(tokio_postgres::types::IsNull::Yes),
            Value::Text(s) => s.to_sql(ty, out),
            Value::Integer(i) => i.to_sql(ty, out),
            Value::Uuid(u) => u.to_sql(ty, out),
        }
    }

    fn accepts(ty: &tokio_postgres::types::Type) -> bool {
        <String as ToSql>::accepts(ty)
            || <i64 as ToSql>::accepts(ty)
            || <uuid::Uuid as ToSql>::accepts(ty)
    }

    tokio_postgres::types::to_sql_checked!();
}
