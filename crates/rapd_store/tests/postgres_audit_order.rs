//! PostgreSQL orders audit records by writing transaction, with no lock per tenant
//! (`src/postgres/audit_order.rs`). These tests hold one write open after it appended its audit
//! record (a trigger makes it wait on an advisory lock the test holds) and show that another
//! write of the tenant commits meanwhile, that readers do not return records past the open
//! transaction, and that once it commits the trail only grows at its end. They run only when
//! `RAPD_TEST_DATABASE_URL` names a database.

use std::{sync::Arc, time::Duration};

use rapd_model::{AuditEntry, Mutation, PartnerId, TenantId};
use rapd_store::{AuditPageQuery, AuditPosition, PartnerStore, PostgresStore, testing};
use uuid::Uuid;

mod common;
#[path = "common/postgres.rs"]
mod postgres;
use common::{ctx, named};
use postgres::connect;

/// The display name whose audit record the trigger holds back.
const HELD: &str = "Held";

/// One held write at a time: a running transaction holds back every reader's horizon in the
/// cluster, so these tests would otherwise hold back each other's.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Held {
    store: Arc<PostgresStore>,
    /// Reads without waiting for running writes to end.
    reader: PostgresStore,
    tenant: TenantId,
    partners: [PartnerId; 2],
    /// The session holding the advisory lock the held write waits on.
    gate: tokio_postgres::Client,
    key: i64,
    _schema: testing::TestSchema,
}

async fn open(schema: &testing::TestSchema, audit_wait: Option<Duration>) -> PostgresStore {
    postgres::open(schema, |options| {
        options.audit_wait = audit_wait.unwrap_or(options.audit_wait);
    })
    .await
}

/// A tenant with two partners, and a trigger that holds any write renaming one to [`HELD`]
/// after its audit record is inserted, until the gate's lock is released.
async fn setup() -> Option<Held> {
    let url = testing::database_url()?;
    let schema = testing::TestSchema::create(&url).await;
    let store = Arc::new(open(&schema, None).await);
    let reader = open(&schema, Some(Duration::ZERO)).await;
    let tenant = TenantId(Uuid::new_v4());
    let mut partners = [PartnerId::new_random(); 2];
    for (i, id) in partners.iter_mut().enumerate() {
        *id = PartnerId::new_random();
        let input = named(&format!("Partner {i}"));
        let create = Mutation::Create { id: *id, input };
        store.mutate(tenant, create, ctx()).await.unwrap();
    }
    let key = rand_key();
    let gate = connect(&schema.url).await;
    gate.batch_execute(&format!(
        "CREATE FUNCTION hold_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         IF NEW.resource_display_name = '{HELD}' THEN PERFORM pg_advisory_xact_lock({key}); \
         END IF; RETURN NEW; END $$; \
         CREATE TRIGGER hold_audit AFTER INSERT ON audit_events FOR EACH ROW \
         EXECUTE FUNCTION hold_audit(); \
         SELECT pg_advisory_lock({key});"
    ))
    .await
    .unwrap();
    Some(Held {
        store,
        reader,
        tenant,
        partners,
        gate,
        key,
        _schema: schema,
    })
}

fn rand_key() -> i64 {
    (Uuid::new_v4().as_u128() as i64) & 0x7fff_ffff_ffff
}

fn rename(id: PartnerId, name: &str) -> Mutation {
    Mutation::Update {
        id,
        input: named(name),
    }
}

impl Held {
    /// Starts the write renaming the first partner to [`HELD`], and returns once it waits on the
    /// gate with its audit record inserted.
    async fn hold_first(&self) -> tokio::task::JoinHandle<()> {
        let (store, tenant, id) = (self.store.clone(), self.tenant, self.partners[0]);
        let held = tokio::spawn(async move {
            store.mutate(tenant, rename(id, HELD), ctx()).await.unwrap();
        });
        let waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
                       AND ((classid::bigint << 32) | objid::bigint) = $1";
        for _ in 0..500 {
            let n: i64 = self
                .gate
                .query_one(waiting, &[&self.key])
                .await
                .unwrap()
                .get(0);
            if n == 1 {
                return held;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the held write never reached the gate");
    }

    /// [`Held::hold_first`], then the second partner renamed to "Other" (committed, after it).
    async fn hold_first_then_rename_second(&self) -> tokio::task::JoinHandle<()> {
        let held = self.hold_first().await;
        let other = rename(self.partners[1], "Other");
        self.store.mutate(self.tenant, other, ctx()).await.unwrap();
        held
    }

    async fn release(&self, held: tokio::task::JoinHandle<()>) {
        self.gate
            .execute("SELECT pg_advisory_unlock($1)", &[&self.key])
            .await
            .unwrap();
        held.await.unwrap();
    }

    async fn trail(&self, store: &PostgresStore, after: Option<AuditPosition>) -> Vec<Named> {
        let query = AuditPageQuery {
            after,
            limit: 100,
            ..AuditPageQuery::default()
        };
        let page = store.audit_page(self.tenant, &query).await.unwrap();
        page.items.into_iter().map(Named::from).collect()
    }
}

/// An audit record, by its position and the partner name it wrote.
#[derive(Debug, Clone, PartialEq)]
struct Named(AuditPosition, Option<String>);

impl From<(AuditPosition, AuditEntry)> for Named {
    fn from((position, entry): (AuditPosition, AuditEntry)) -> Named {
        Named(position, entry.resource_display_name)
    }
}

#[tokio::test]
async fn writes_to_two_partners_of_one_tenant_do_not_wait_for_each_other() {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(f) = setup().await else { return };
    let held = f.hold_first().await;
    // Before migration 0006 this waited on the tenant's `audit_heads` row until the held write
    // ended.
    let other = f
        .store
        .mutate(f.tenant, rename(f.partners[1], "Other"), ctx());
    tokio::time::timeout(Duration::from_secs(5), other)
        .await
        .expect("the second write waited for the first")
        .unwrap();
    f.release(held).await;
    let names: Vec<_> = f
        .trail(&f.store, None)
        .await
        .into_iter()
        .map(|n| n.1)
        .collect();
    let expected = ["Partner 0", "Partner 1", HELD, "Other"];
    assert_eq!(names, expected.map(|n| Some(n.to_owned())));
}

#[tokio::test]
async fn readers_stop_below_a_running_write_and_the_trail_then_grows_at_its_end() {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(f) = setup().await else { return };
    let held = f.hold_first_then_rename_second().await;
    // The held write's record is not visible, and the committed one after it is held back: it
    // sorts after the held one, which may still commit.
    let before = f.trail(&f.reader, None).await;
    let names: Vec<_> = before.iter().map(|n| n.1.as_deref()).collect();
    assert_eq!(names, [Some("Partner 0"), Some("Partner 1")]);
    f.release(held).await;
    // Paging on from the last record returned gives the rest (read by a store that waits for
    // the writes running when it began, in this cluster), and the whole trail read again starts
    // with exactly what was returned before.
    let rest = f.trail(&f.store, before.last().map(|n| n.0)).await;
    let names: Vec<_> = rest.iter().map(|n| n.1.as_deref()).collect();
    assert_eq!(names, [Some(HELD), Some("Other")]);
    let whole = f.trail(&f.store, None).await;
    assert_eq!(whole, [before, rest].concat());
}

/// A read returns every write acknowledged before it began: here the second write, which sorts
/// after the held one, so the read waits for the held one to end.
#[tokio::test]
async fn a_read_returns_the_writes_acknowledged_before_it() {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(f) = setup().await else { return };
    let held = f.hold_first_then_rename_second().await;
    let store = f.store.clone();
    let tenant = f.tenant;
    let read = tokio::spawn(async move { store.audit_entries(tenant).await.unwrap().len() });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !read.is_finished(),
        "the read did not wait for the held write"
    );
    f.release(held).await;
    assert_eq!(read.await.unwrap(), 4);
}
