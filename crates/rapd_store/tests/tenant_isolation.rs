//! A4: random operations in two tenants; no read or write ever crosses from one to the other.
//! Each generated sequence uses a fresh pair of tenants in one store (on tmpfs when available, so
//! `synchronous=FULL` costs no real fsync), and a model of each tenant predicts every answer.

use std::{collections::BTreeMap, sync::Arc};

use proptest::prelude::*;
use rapd_model::{
    Actor, AuditContext, BeginOnboardingInput, Mutation, PartnerId, PartnerInput, SystemClock,
    TenantId,
};
use rapd_store::{
    Migrations, PageQuery, PartnerStore, PostgresStore, SqliteStore, StoreError, testing,
};
use uuid::Uuid;

#[derive(Debug, Clone)]
enum Op {
    Create {
        tenant: usize,
    },
    /// Acts on the `pick`-th partner known to any tenant, as `tenant`.
    Act {
        tenant: usize,
        pick: usize,
        action: u8,
    },
    Read {
        tenant: usize,
        pick: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..2usize).prop_map(|tenant| Op::Create { tenant }),
        (0..2usize, 0..8usize, 0..4u8).prop_map(|(tenant, pick, action)| Op::Act {
            tenant,
            pick,
            action
        }),
        (0..2usize, 0..8usize).prop_map(|(tenant, pick)| Op::Read { tenant, pick }),
    ]
}

fn store_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    }
}

fn audit() -> AuditContext {
    AuditContext {
        actor: Actor::default(),
        correlation_id: Uuid::new_v4(),
    }
}

async fn run(store: &dyn PartnerStore, ops: Vec<Op>) {
    let tenants = [TenantId(Uuid::new_v4()), TenantId(Uuid::new_v4())];
    // Every partner created, with its owner; the model of what each tenant holds.
    let mut known: Vec<(PartnerId, usize)> = Vec::new();
    let mut live: [BTreeMap<PartnerId, ()>; 2] = [BTreeMap::new(), BTreeMap::new()];
    let mut audits = [0usize; 2];
    for op in ops {
        match op {
            Op::Create { tenant } => {
                let id = PartnerId::new_random();
                let m = Mutation::Create {
                    id,
                    input: PartnerInput::default(),
                };
                store.mutate(tenants[tenant], m, audit()).await.unwrap();
                known.push((id, tenant));
                live[tenant].insert(id, ());
                audits[tenant] += 1;
            }
            Op::Act {
                tenant,
                pick,
                action,
            } => {
                let Some(&(id, _)) = known.get(pick % known.len().max(1)) else {
                    continue;
                };
                let m = match action {
                    0 => Mutation::Update {
                        id,
                        input: PartnerInput {
                            display_name: Some(Some("x".into())),
                            onboarding_url: None,
                        },
                    },
                    1 => Mutation::BeginOnboarding {
                        id,
                        input: BeginOnboardingInput::default(),
                        ttl_secs: 60,
                        code: "c".into(),
                    },
                    2 => Mutation::Disconnect { id },
                    _ => Mutation::Delete { id },
                };
                let result = store.mutate(tenants[tenant], m, audit()).await;
                if live[tenant].contains_key(&id) {
                    result.unwrap();
                    audits[tenant] += 1;
                    if action == 3 {
                        live[tenant].remove(&id);
                    }
                } else {
                    assert!(
                        matches!(result, Err(StoreError::Rejected(_))),
                        "crossed: {result:?}"
                    );
                }
            }
            Op::Read { tenant, pick } => {
                let Some(&(id, _)) = known.get(pick % known.len().max(1)) else {
                    continue;
                };
                let found = store.get(tenants[tenant], id).await.unwrap();
                assert_eq!(found.is_some(), live[tenant].contains_key(&id));
                if let Some(p) = found {
                    assert_eq!(p.tenant, tenants[tenant]);
                }
            }
        }
    }
    for (i, tenant) in tenants.iter().enumerate() {
        let listed: Vec<_> = store
            .list(*tenant, &PageQuery::all())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(listed, live[i].keys().copied().collect::<Vec<_>>());
        assert_eq!(
            store.count(*tenant, None).await.unwrap(),
            live[i].len() as u64
        );
        let trail = store.audit_entries(*tenant).await.unwrap();
        assert_eq!(trail.len(), audits[i]);
        assert!(trail.iter().all(|e| e.tenant == *tenant));
    }
}

fn check(store: &dyn PartnerStore, runtime: &tokio::runtime::Runtime, cases: u32) {
    let config = ProptestConfig {
        cases,
        ..ProptestConfig::default()
    };
    proptest!(config, |(ops in proptest::collection::vec(op(), 1..12))| {
        runtime.block_on(run(store, ops));
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn no_operation_crosses_tenants() {
    let dir = store_dir();
    let store = SqliteStore::open(&dir.path().join("rapd.db"), Arc::new(SystemClock)).unwrap();
    check(&store, &runtime(), 10_000);
}

/// The same property on PostgreSQL, with fewer cases: each is a few dozen network round trips.
#[test]
fn no_operation_crosses_tenants_on_postgres() {
    let Some(url) = testing::database_url() else {
        return;
    };
    let runtime = runtime();
    let schema = runtime.block_on(testing::TestSchema::create(&url));
    let store = runtime
        .block_on(PostgresStore::open(
            &schema.options(),
            Arc::new(SystemClock),
            Migrations::Apply,
        ))
        .unwrap();
    check(&store, &runtime, 500);
    drop(store);
}
