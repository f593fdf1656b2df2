//! A PostgreSQL write sends its statements pipelined: `BEGIN` with its lock and read, its row with
//! its audit record (`src/postgres/transaction.rs`). These tests show the transaction
//! is still one: a write whose audit record fails leaves no row, also as the first write of a
//! new connection (whose statements are not yet prepared), and a write abandoned inside its
//! transaction leaves no transaction open on a pooled connection. They run only when
//! `RAPD_TEST_DATABASE_URL` names a database.

use std::time::Duration;

use rapd_model::{Mutation, PartnerId, TenantId};
use rapd_store::{PartnerStore, PostgresStore, StoreError, testing};
use uuid::Uuid;

mod common;
#[path = "common/postgres.rs"]
mod postgres;
use common::{ctx, named};
use postgres::connect;

/// A store on `schema` with one connection.
async fn open(schema: &testing::TestSchema) -> PostgresStore {
    postgres::open(schema, |options| options.pool_size = 1).await
}

fn create(name: &str) -> (PartnerId, Mutation) {
    let id = PartnerId::new_random();
    let input = named(name);
    (id, Mutation::Create { id, input })
}

#[tokio::test]
async fn a_write_whose_audit_record_fails_leaves_no_row_even_on_a_new_connection() {
    let Some(url) = testing::database_url() else {
        return;
    };
    let schema = testing::TestSchema::create(&url).await;
    // Migrating used the pool's one connection, so a fresh store: its first write prepares.
    drop(open(&schema).await);
    connect(&schema.url)
        .await
        .batch_execute(
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.resource_display_name = 'Refused' THEN \
             RAISE EXCEPTION 'audit refused' USING ERRCODE = 'check_violation'; \
             END IF; RETURN NEW; END $$; \
             CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW \
             EXECUTE FUNCTION refuse_audit();",
        )
        .await
        .unwrap();
    let store = open(&schema).await;
    let tenant = TenantId(Uuid::new_v4());
    // Twice: the connection's first write (statements prepared then), and a later one.
    for _ in 0..2 {
        let (id, refused) = create("Refused");
        let err = store.mutate(tenant, refused, ctx()).await.unwrap_err();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
        assert_eq!(store.get(tenant, id).await.unwrap(), None);
        let (id, accepted) = create("Accepted");
        store.mutate(tenant, accepted, ctx()).await.unwrap();
        assert!(store.get(tenant, id).await.unwrap().is_some());
    }
    let trail = store.audit_entries(tenant).await.unwrap();
    assert_eq!(trail.len(), 2, "only the accepted writes are audited");
}

#[tokio::test]
async fn a_write_abandoned_inside_its_transaction_leaves_none_open() {
    let Some(url) = testing::database_url() else {
        return;
    };
    let schema = testing::TestSchema::create(&url).await;
    let store = open(&schema).await;
    let tenant = TenantId(Uuid::new_v4());
    let (id, created) = create("Before");
    store.mutate(tenant, created, ctx()).await.unwrap();

    // Another session holds the partner's key, so the rename waits inside its transaction.
    let gate = connect(&schema.url).await;
    let key = "SELECT pg_advisory_lock(hashtextextended($1::uuid::text || $2::uuid::text, 0))";
    gate.execute(key, &[&tenant.0, &id.0]).await.unwrap();
    let rename = Mutation::Update {
        id,
        input: named("Abandoned"),
    };
    let abandoned = tokio::time::timeout(
        Duration::from_millis(300),
        store.mutate(tenant, rename, ctx()),
    )
    .await;
    assert!(abandoned.is_err(), "the rename waited on the gate");
    gate.execute("SELECT pg_advisory_unlock_all()", &[])
        .await
        .unwrap();

    // The abandoned connection was closed, not pooled inside its transaction: once its lock
    // wait ends its session ends too, rather than idle in the transaction with the key held
    // (which would stall every node's writes of this partner until the connection's next use).
    let try_key =
        "SELECT pg_try_advisory_lock(hashtextextended($1::uuid::text || $2::uuid::text, 0))";
    let mut free = false;
    for _ in 0..200 {
        free = gate
            .query_one(try_key, &[&tenant.0, &id.0])
            .await
            .unwrap()
            .get(0);
        if free {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        free,
        "the abandoned transaction still holds the partner's key"
    );
    gate.execute("SELECT pg_advisory_unlock_all()", &[])
        .await
        .unwrap();

    let stored = store.get(tenant, id).await.unwrap().unwrap();
    assert_eq!(stored.display_name.as_deref(), Some("Before"));
    let again = Mutation::Update {
        id,
        input: named("After"),
    };
    store.mutate(tenant, again, ctx()).await.unwrap();
    let trail = store.audit_entries(tenant).await.unwrap();
    assert_eq!(trail.len(), 2, "the create and the last rename");
}
