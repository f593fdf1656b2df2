//! The store behaviour every engine must show, run here against SQLite files.

use std::sync::Arc;

use rapd_model::{
    Actor, AuditContext, BeginOnboardingInput, ManualClock, Mutation, OnboardingStatus,
    OperationKind, PartnerId, PartnerInput, Rejection, TenantId, Timestamp,
};
use rapd_store::{PageQuery, PartnerStore, SqliteStore, StoreError};
use uuid::Uuid;

fn ctx() -> AuditContext {
    AuditContext {
        actor: Actor {
            actor_type: "ItPro".into(),
            user_id: Some("u".into()),
            ..Actor::default()
        },
        correlation_id: Uuid::new_v4(),
    }
}

fn named(name: &str) -> PartnerInput {
    PartnerInput {
        display_name: Some(Some(name.into())),
        onboarding_url: None,
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    clock: Arc<ManualClock>,
    store: SqliteStore,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rapd.db");
    let clock = Arc::new(ManualClock::new(Timestamp::from_unix_secs(1_700_000_000)));
    let store = SqliteStore::open(&path, clock.clone()).unwrap();
    Fixture {
        _dir: dir,
        path,
        clock,
        store,
    }
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
    let f = fixture();
    let t = TenantId(Uuid::new_v4());
    let id = create(&f.store, t, "one").await;
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
    let f = fixture();
    let t = TenantId(Uuid::new_v4());
    let missing = PartnerId::new_random();
    let err = f
        .store
        .mutate(t, Mutation::Disconnect { id: missing }, ctx())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rejected(Rejection::NotFound)));
    let id = create(&f.store, t, "x").await;
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
    let f = fixture();
    let (a, b) = (TenantId(Uuid::new_v4()), TenantId(Uuid::new_v4()));
    let id = create(&f.store, a, "a's").await;
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
    let f = fixture();
    let t = TenantId(Uuid::new_v4());
    let store: Arc<dyn PartnerStore> = Arc::new(f.store);
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
    let reopened = SqliteStore::open(&f.path, f.clock.clone()).unwrap();
    assert_eq!(reopened.count(t, None).await.unwrap(), 200);
    assert_eq!(reopened.audit_entries(t).await.unwrap().len(), 200);
    let listed = reopened.list(t, &PageQuery::all()).await.unwrap().items;
    assert!(listed.windows(2).all(|w| w[0].id < w[1].id));
}

#[tokio::test]
async fn tenants_are_provisioned_updated_and_removed() {
    let f = fixture();
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

/// The test-control operations: a seed writes partners, settings and registrations with audit
/// records in one transaction; export reads them back; reset removes one tenant or all.
#[tokio::test]
async fn seed_export_and_reset() {
    use rapd_model::{Clock, Fixture as StateFixture, Tenant};

    let f = fixture();
    let (a, b) = (TenantId(Uuid::new_v4()), TenantId(Uuid::new_v4()));
    let kept = create(&f.store, a, "made before").await;
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
    f.store.seed(states, ctx()).await.unwrap();

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
    let open = f.store.open_onboarding_requests(10).await.unwrap();
    assert_eq!(open.len(), 1, "the seeded onboarding partner has a code");

    let exported = f.store.export(None).await.unwrap();
    assert_eq!(exported.len(), 2);
    let one = f.store.export(Some(a)).await.unwrap();
    assert_eq!(one[0].partners.len(), 2);
    assert!(one[0].settings.unwrap().block_chat);

    f.store.reset(Some(a)).await.unwrap();
    assert!(f.store.get(a, kept).await.unwrap().is_none());
    assert!(f.store.audit_entries(a).await.unwrap().is_empty());
    assert!(f.store.tenant(a).await.unwrap().is_none());
    assert!(f.store.export(Some(a)).await.unwrap().is_empty());
    assert_eq!(
        f.store.export(None).await.unwrap().len(),
        1,
        "b is untouched"
    );
    f.store.reset(None).await.unwrap();
    assert!(f.store.export(None).await.unwrap().is_empty());
}
