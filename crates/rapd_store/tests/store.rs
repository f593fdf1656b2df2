//! The store behaviour every engine must show: each test runs on a fresh SQLite file, and on a
//! fresh PostgreSQL schema when `RAPD_TEST_DATABASE_URL` names a database.

use std::sync::Arc;

use rapd_model::{
    ApiVersion, BeginOnboardingInput, ManualClock, Mutation, OnboardingStatus, OperationKind,
    PartnerId, Rejection, TenantId, Timestamp, wire,
};
use rapd_store::{
    ControlStore, Engine, Migrations, PageQuery, PartnerStore, PostgresStore, SqliteStore,
    StoreError, testing,
};
use uuid::Uuid;

mod common;
use common::{ctx, named};
#[path = "store/list_items.rs"]
mod list_items;

/// Where a fixture's data lives, kept until the fixture is dropped.
enum Place {
    Sqlite {
        _dir: tempfile::TempDir,
        path: std::path::PathBuf,
    },
    Postgres(testing::TestSchema),
}

struct Fixture {
    // Declared first so the engine closes before its schema is dropped.
    store: Arc<dyn PartnerStore>,
    /// The same engine, through its test-control operations.
    control: Arc<dyn ControlStore>,
    clock: Arc<ManualClock>,
    place: Place,
}

impl Fixture {
    /// Runs `sql` on the engine's database directly, as another program would.
    async fn execute(&self, sql: &str) {
        match &self.place {
            Place::Sqlite { path, .. } => {
                rusqlite::Connection::open(path)
                    .unwrap()
                    .execute(sql, [])
                    .unwrap();
                // Readers take a new snapshot for another process's write within 10 ms.
                tokio::time::sleep(std::time::Duration::from_millis(30)).await;
            }
            Place::Postgres(schema) => {
                let (client, connection) =
                    tokio_postgres::connect(&schema.url, tokio_postgres::NoTls)
                        .await
                        .unwrap();
                tokio::spawn(connection);
                client.execute(sql, &[]).await.unwrap();
            }
        }
    }

    /// A second store over the same data, as after a restart.
    async fn reopen(&self) -> Arc<dyn PartnerStore> {
        open(&self.place, self.clock.clone()).await
    }
}

async fn open(place: &Place, clock: Arc<ManualClock>) -> Arc<dyn Engine> {
    match place {
        Place::Sqlite { path, .. } => Arc::new(SqliteStore::open(path, clock).unwrap()),
        Place::Postgres(schema) => Arc::new(
            PostgresStore::open(&schema.options(), clock, Migrations::Apply)
                .await
                .unwrap(),
        ),
    }
}

/// One fixture per engine under test: SQLite always, PostgreSQL when a database is given.
async fn fixtures() -> Vec<Fixture> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rapd.db");
    let mut places = vec![Place::Sqlite { _dir: dir, path }];
    if let Some(url) = testing::database_url() {
        places.push(Place::Postgres(testing::TestSchema::create(&url).await));
    }
    let mut fixtures = Vec::new();
    for place in places {
        let clock = Arc::new(ManualClock::new(Timestamp::from_unix_secs(1_700_000_000)));
        let engine = open(&place, clock.clone()).await;
        fixtures.push(Fixture {
            store: engine.clone(),
            control: engine,
            clock,
            place,
        });
    }
    fixtures
}

async fn create(store: &dyn PartnerStore, tenant: TenantId, name: &str) -> PartnerId {
    let id = PartnerId::new_random();
    store
        .mutate(
            tenant,
            Mutation::Create {
                id,
                input: named(name),
            },
            ctx(),
        )
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn crud_and_lifecycle_with_audit() {
    for f in fixtures().await {
        crud_and_lifecycle_with_audit_on(&f).await;
    }
}

async fn crud_and_lifecycle_with_audit_on(f: &Fixture) {
    let t = TenantId(Uuid::new_v4());
    let id = create(f.store.as_ref(), t, "one").await;
    let p = f.store.get(t, id).await.unwrap().unwrap();
    assert_eq!(p.display_name.as_deref(), Some("one"));
    assert_eq!(p.onboarding_status, OnboardingStatus::NotOnboarded);

    let begin = Mutation::BeginOnboarding {
        id,
        input: BeginOnboardingInput::default(),
        ttl_secs: 600,
        code: "c".into(),
    };
    f.store.mutate(t, begin, ctx()).await.unwrap();
    let p = f.store.get(t, id).await.unwrap().unwrap();
    assert_eq!(p.onboarding_status, OnboardingStatus::Onboarding);
    // The code is kept only as its SHA-256: the database cannot hand it out again.
    assert_eq!(p.onboarding_code_hash, Some(rapd_model::code_hash("c")));
    assert_eq!(
        p.onboarding_expiry,
        rapd_model::Clock::now(f.clock.as_ref()).plus_secs(600)
    );

    f.store
        .mutate(t, Mutation::Disconnect { id }, ctx())
        .await
        .unwrap();
    assert_eq!(
        f.store.get(t, id).await.unwrap().unwrap().onboarding_status,
        OnboardingStatus::NotOnboarded
    );
    f.store
        .mutate(
            t,
            Mutation::Update {
                id,
                input: named("two"),
            },
            ctx(),
        )
        .await
        .unwrap();
    f.store
        .mutate(t, Mutation::Delete { id }, ctx())
        .await
        .unwrap();
    assert!(f.store.get(t, id).await.unwrap().is_none());

    let kinds: Vec<_> = f
        .store
        .audit_entries(t)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            OperationKind::Create,
            OperationKind::BeginOnboarding,
            OperationKind::Disconnect,
            OperationKind::Patch,
            OperationKind::Delete
        ]
    );
}

#[tokio::test]
async fn a_refused_mutation_writes_nothing() {
    for f in fixtures().await {
        a_refused_mutation_writes_nothing_on(&f).await;
    }
}

async fn a_refused_mutation_writes_nothing_on(f: &Fixture) {
    let t = TenantId(Uuid::new_v4());
    let missing = PartnerId::new_random();
    let err = f
        .store
        .mutate(t, Mutation::Disconnect { id: missing }, ctx())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rejected(Rejection::NotFound)));
    let id = create(f.store.as_ref(), t, "x").await;
    let again = Mutation::Create {
        id,
        input: named("y"),
    };
    let err = f.store.mutate(t, again, ctx()).await.unwrap_err();
    assert!(matches!(
        err,
        StoreError::Rejected(Rejection::AlreadyExists)
    ));
    assert_eq!(f.store.audit_entries(t).await.unwrap().len(), 1);
    assert_eq!(
        f.store
            .get(t, id)
            .await
            .unwrap()
            .unwrap()
            .display_name
            .as_deref(),
        Some("x")
    );
}

#[tokio::test]
async fn tenants_never_see_each_other() {
    for f in fixtures().await {
        tenants_never_see_each_other_on(&f).await;
    }
}

async fn tenants_never_see_each_other_on(f: &Fixture) {
    let (a, b) = (TenantId(Uuid::new_v4()), TenantId(Uuid::new_v4()));
    let id = create(f.store.as_ref(), a, "a's").await;
    assert!(f.store.get(b, id).await.unwrap().is_none());
    assert_eq!(f.store.count(b, None).await.unwrap(), 0);
    assert!(
        f.store
            .list(b, &PageQuery::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let err = f
        .store
        .mutate(b, Mutation::Delete { id }, ctx())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rejected(Rejection::NotFound)));
    assert!(f.store.audit_entries(b).await.unwrap().is_empty());
    assert_eq!(f.store.count(a, None).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_all_commit_and_survive_reopen() {
    for f in fixtures().await {
        concurrent_writes_all_commit_and_survive_reopen_on(&f).await;
    }
}

async fn concurrent_writes_all_commit_and_survive_reopen_on(f: &Fixture) {
    let t = TenantId(Uuid::new_v4());
    let store = f.store.clone();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { create(store.as_ref(), t, &format!("p{i}")).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(store.count(t, None).await.unwrap(), 200);
    drop(store);
    let reopened = f.reopen().await;
    assert_eq!(reopened.count(t, None).await.unwrap(), 200);
    assert_eq!(reopened.audit_entries(t).await.unwrap().len(), 200);
    let listed = reopened.list(t, &PageQuery::all()).await.unwrap().items;
    assert!(listed.windows(2).all(|w| w[0].id < w[1].id));
}

#[tokio::test]
async fn tenants_are_provisioned_updated_and_removed() {
    for f in fixtures().await {
        tenants_are_provisioned_updated_and_removed_on(&f).await;
    }
}

async fn tenants_are_provisioned_updated_and_removed_on(f: &Fixture) {
    let id = TenantId(Uuid::new_v4());
    assert!(f.store.tenant(id).await.unwrap().is_none());
    let created = rapd_model::Clock::now(f.clock.as_ref());
    let tenant = rapd_model::Tenant {
        id,
        display_name: Some("Contoso".into()),
        intune_licensed: false,
        created,
    };
    f.store.put_tenant(tenant.clone()).await.unwrap();
    assert_eq!(f.store.tenant(id).await.unwrap(), Some(tenant.clone()));
    f.clock.advance_secs(10);
    let licensed = rapd_model::Tenant {
        intune_licensed: true,
        created: rapd_model::Clock::now(f.clock.as_ref()),
        ..tenant
    };
    f.store.put_tenant(licensed).await.unwrap();
    let stored = f.store.tenant(id).await.unwrap().unwrap();
    assert!(stored.intune_licensed);
    assert_eq!(stored.created, created, "created is kept on update");
    assert_eq!(f.store.tenants().await.unwrap().len(), 1);
    assert!(f.store.remove_tenant(id).await.unwrap());
    assert!(!f.store.remove_tenant(id).await.unwrap());
    assert!(f.store.tenants().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_actions_on_one_partner_each_leave_one_audit_record() {
    for f in fixtures().await {
        concurrent_actions_on_one_partner_each_leave_one_audit_record_on(&f).await;
    }
}

async fn concurrent_actions_on_one_partner_each_leave_one_audit_record_on(f: &Fixture) {
    let t = TenantId(Uuid::new_v4());
    let id = create(f.store.as_ref(), t, "shared").await;
    let tasks: Vec<_> = (0..6)
        .map(|worker| {
            let store = f.store.clone();
            tokio::spawn(async move {
                let mut acknowledged = 0;
                for round in 0..20 {
                    let m = match (worker + round) % 3 {
                        0 => Mutation::BeginOnboarding {
                            id,
                            input: BeginOnboardingInput::default(),
                            ttl_secs: 600,
                            code: format!("c{worker}-{round}"),
                        },
                        1 => Mutation::Disconnect { id },
                        _ => Mutation::Update {
                            id,
                            input: named(&format!("w{worker}-{round}")),
                        },
                    };
                    store.mutate(t, m, ctx()).await.unwrap();
                    acknowledged += 1;
                }
                acknowledged
            })
        })
        .collect();
    let mut acknowledged = 1; // the create
    for task in tasks {
        acknowledged += task.await.unwrap();
    }
    let trail = f.store.audit_entries(t).await.unwrap();
    assert_eq!(trail.len(), acknowledged);
    let last_patch = trail
        .iter()
        .rev()
        .find(|e| e.kind == OperationKind::Patch)
        .unwrap();
    let stored = f.store.get(t, id).await.unwrap().unwrap();
    assert_eq!(
        stored.revision as usize, acknowledged,
        "every write saw the one before"
    );
    assert!(
        last_patch
            .modified_properties
            .iter()
            .any(|m| m.new_value.is_some()
                && m.new_value.as_deref() == stored.display_name.as_deref()),
        "the stored name is the last patch's"
    );
}

#[tokio::test]
async fn postgres_production_refuses_an_unmigrated_database() {
    let Some(url) = testing::database_url() else {
        return;
    };
    let schema = testing::TestSchema::create(&url).await;
    let clock = Arc::new(ManualClock::new(Timestamp::from_unix_secs(1_700_000_000)));
    let refused = PostgresStore::open(&schema.options(), clock.clone(), Migrations::Require)
        .await
        .err()
        .expect("an empty schema is refused");
    assert!(refused.to_string().contains("rapd migrate"), "{refused}");
    let store = PostgresStore::open(&schema.options(), clock.clone(), Migrations::Apply)
        .await
        .unwrap();
    assert!(
        store.migrate().await.unwrap().is_empty(),
        "migrating twice applies nothing"
    );
    PostgresStore::open(&schema.options(), clock, Migrations::Require)
        .await
        .unwrap();
}

/// The test-control operations: a seed writes partners, settings and registrations with audit
/// records in one transaction; export reads them back; reset removes one tenant or all.
#[tokio::test]
async fn seed_export_and_reset() {
    for f in fixtures().await {
        seed_export_and_reset_on(&f).await;
    }
}

async fn seed_export_and_reset_on(f: &Fixture) {
    use rapd_model::{Clock, Fixture as StateFixture, Tenant};

    let (a, b) = (TenantId(Uuid::new_v4()), TenantId(Uuid::new_v4()));
    let kept = create(f.store.as_ref(), a, "made before").await;
    let text = serde_json::json!({"tenants": [
        {"id": a.0, "displayName": "A", "settings": {"remoteAssistanceState": "enabled",
          "allowSessionsToUnenrolledDevices": false, "blockChat": true},
         "partners": [{"id": kept.0, "displayName": "overwritten", "onboardingStatus": "onboarded",
                       "lastConnectionDateTime": "2026-01-01T00:00:00Z"},
                      {"displayName": "new", "onboardingStatus": "onboarding",
                       "onboardingRequestExpiryDateTime": "2099-01-01T00:00:00Z"}]},
        {"id": b.0, "intuneLicensed": false}
    ]});
    let states = StateFixture::parse(text.to_string().as_bytes())
        .unwrap()
        .validate(f.clock.now(), || "code".into())
        .unwrap();
    f.control.seed(states, ctx()).await.unwrap();

    let p = f.store.get(a, kept).await.unwrap().unwrap();
    assert_eq!(p.display_name.as_deref(), Some("overwritten"));
    assert_eq!(p.onboarding_status, OnboardingStatus::Onboarded);
    assert_eq!(
        p.revision, 2,
        "an overwritten partner keeps counting revisions"
    );
    let trail = f.store.audit_entries(a).await.unwrap();
    let kinds: Vec<OperationKind> = trail.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            OperationKind::Create,
            OperationKind::PatchSettings,
            OperationKind::Patch,
            OperationKind::Create
        ]
    );
    let b_tenant: Option<Tenant> = f.store.tenant(b).await.unwrap();
    assert!(!b_tenant.unwrap().intune_licensed);
    let seeded = f.control.export(Some(a)).await.unwrap();
    let hashes: Vec<&String> = seeded[0]
        .partners
        .iter()
        .filter_map(|p| p.onboarding_code_hash.as_ref())
        .collect();
    assert_eq!(hashes.len(), 1, "the seeded onboarding partner has a code");
    assert_eq!(hashes[0].len(), 64, "kept only as its SHA-256");

    let exported = f.control.export(None).await.unwrap();
    assert_eq!(exported.len(), 2);
    let one = f.control.export(Some(a)).await.unwrap();
    assert_eq!(one[0].partners.len(), 2);
    assert!(one[0].settings.unwrap().block_chat);

    f.control.reset(Some(a)).await.unwrap();
    assert!(f.store.get(a, kept).await.unwrap().is_none());
    assert!(f.store.audit_entries(a).await.unwrap().is_empty());
    assert!(f.store.tenant(a).await.unwrap().is_none());
    assert!(f.control.export(Some(a)).await.unwrap().is_empty());
    assert_eq!(
        f.control.export(None).await.unwrap().len(),
        1,
        "b is untouched"
    );
    f.control.reset(None).await.unwrap();
    assert!(f.control.export(None).await.unwrap().is_empty());
}

/// A database written before codes were hashed gets its open code hashed in place: the code
/// handed out before the upgrade still connects, and its text is gone from the file.
#[tokio::test]
async fn the_upgrade_hashes_stored_onboarding_codes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rapd.db");
    let clock = Arc::new(ManualClock::new(Timestamp::from_micros(
        1_700_000_000_000_000,
    )));
    let (t, id) = (TenantId(Uuid::new_v4()), PartnerId(Uuid::new_v4()));
    {
        let store = SqliteStore::open(&path, clock.clone()).unwrap();
        let create = Mutation::Create {
            id,
            input: named("old"),
        };
        store.mutate(t, create, ctx()).await.unwrap();
    }
    // As version 4 left it: the code's text in `onboarding_code`, no stored list items.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "ALTER TABLE partners RENAME COLUMN onboarding_code_hash TO onboarding_code; \
         ALTER TABLE partners DROP COLUMN json_v1; ALTER TABLE partners DROP COLUMN json_beta; \
         ALTER TABLE partners DROP COLUMN json_revision; PRAGMA user_version = 4;",
    )
    .unwrap();
    let expiry = rapd_model::Clock::now(clock.as_ref())
        .plus_secs(600)
        .as_micros();
    conn.execute(
        "UPDATE partners SET onboarding_status = 1, onboarding_expiry = ?1, \
         onboarding_code = 'plain-secret'",
        [expiry],
    )
    .unwrap();
    drop(conn);
    let store = SqliteStore::open(&path, clock.clone()).unwrap();
    let p = store.get(t, id).await.unwrap().unwrap();
    assert_eq!(
        p.onboarding_code_hash,
        Some(rapd_model::code_hash("plain-secret"))
    );
    let connect = Mutation::Connect {
        id,
        code: "plain-secret".into(),
        credential_hash: [7; 32],
    };
    store.mutate(t, connect, ctx()).await.unwrap();
    assert_eq!(
        store.get(t, id).await.unwrap().unwrap().onboarding_status,
        OnboardingStatus::Onboarded
    );
}
