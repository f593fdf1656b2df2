//! What the PostgreSQL test files share: a store on a test schema, and a session of its own.

use std::sync::Arc;

use rapd_model::{ManualClock, Timestamp};
use rapd_store::{Migrations, PostgresOptions, PostgresStore, testing::TestSchema};
use tokio_postgres::NoTls;

/// A migrated store on `schema`, its options changed by `adjust`, at a fixed time.
pub async fn open(schema: &TestSchema, adjust: impl FnOnce(&mut PostgresOptions)) -> PostgresStore {
    let clock = Arc::new(ManualClock::new(Timestamp::from_unix_secs(1_700_000_000)));
    let mut options = schema.options();
    adjust(&mut options);
    PostgresStore::open(&options, clock, Migrations::Apply)
        .await
        .unwrap()
}

/// A plain session, outside any store's pool.
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}
