//! SQLite readers keep a snapshot open between reads (`src/sqlite/readers.rs`). These tests hold
//! the promises that makes: a read after an acknowledged write sees it, a write by another
//! process is seen within `MAX_SNAPSHOT_AGE`, and idle readers never hold back a checkpoint.

use std::{sync::Arc, time::Duration};

use rapd_model::{ManualClock, Mutation, PartnerId, TenantId, Timestamp};
use rapd_store::{PageQuery, PartnerStore, SqliteStore};
use uuid::Uuid;

mod common;
use common::{ctx, named};

struct Files {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    clock: Arc<ManualClock>,
}

fn files() -> Files {
    let dir = tempfile::tempdir().unwrap();
    Files {
        path: dir.path().join("rapd.db"),
        _dir: dir,
        clock: Arc::new(ManualClock::new(Timestamp::from_unix_secs(1_700_000_000))),
    }
}

impl Files {
    fn open(&self) -> SqliteStore {
        SqliteStore::open(&self.path, self.clock.clone()).unwrap()
    }
}

async fn create(store: &SqliteStore, tenant: TenantId, name: &str) -> PartnerId {
    let id = PartnerId::new_random();
    let input = named(name);
    store
        .mutate(tenant, Mutation::Create { id, input }, ctx())
        .await
        .unwrap();
    id
}

/// Reads enough times that every reader connection holds an open snapshot.
async fn warm(store: &SqliteStore, tenant: TenantId) {
    for _ in 0..8 {
        store.list(tenant, &PageQuery::all()).await.unwrap();
    }
}

fn name_of(partner: Option<rapd_model::Partner>) -> Option<String> {
    partner.and_then(|p| p.display_name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_read_after_an_acknowledged_write_sees_it() {
    let files = files();
    let store = Arc::new(files.open());
    let tenant = TenantId(Uuid::new_v4());
    let id = create(&store, tenant, "v0").await;
    // Other readers keep connections busy, so the writer cannot end every snapshot itself.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let busy: Vec<_> = (0..3)
        .map(|_| {
            let (store, stop) = (store.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    store.list(tenant, &PageQuery::all()).await.unwrap();
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    for i in 1..=300 {
        let input = named(&format!("v{i}"));
        let update = Mutation::Update { id, input };
        store.mutate(tenant, update, ctx()).await.unwrap();
        for _ in 0..4 {
            let read = store.get(tenant, id).await.unwrap();
            assert_eq!(name_of(read), Some(format!("v{i}")), "round {i}");
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in busy {
        task.await.unwrap();
    }
}

#[tokio::test]
async fn a_write_by_another_process_is_seen_within_the_snapshot_age() {
    let files = files();
    let (server, other) = (files.open(), files.open());
    let tenant = TenantId(Uuid::new_v4());
    create(&server, tenant, "first").await;
    warm(&server, tenant).await;
    // `other` stands for `rapd seed` run beside the server: the server's writer never hears of it.
    let id = create(&other, tenant, "from another process").await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    for _ in 0..8 {
        let read = server.get(tenant, id).await.unwrap();
        assert_eq!(name_of(read).as_deref(), Some("from another process"));
    }
    assert_eq!(
        server
            .list(tenant, &PageQuery::all())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
}

#[tokio::test]
async fn idle_readers_do_not_hold_back_checkpoints() {
    let files = files();
    let store = files.open();
    let tenant = TenantId(Uuid::new_v4());
    let id = create(&store, tenant, "v0").await;
    // Every reader now holds a snapshot and then goes idle while writes continue.
    warm(&store, tenant).await;
    for i in 1..=1500 {
        let update = Mutation::Update {
            id,
            input: named(&format!("v{i}")),
        };
        store.mutate(tenant, update, ctx()).await.unwrap();
    }
    // 1 500 commits write far more than SQLite's automatic checkpoint (1 000 pages, ~4 MiB)
    // lets the WAL hold; a snapshot pinned by an idle reader would keep it growing past that.
    let wal = std::fs::metadata(files.path.with_extension("db-wal"))
        .unwrap()
        .len();
    assert!(
        wal < 8 << 20,
        "the WAL grew to {wal} bytes: a checkpoint was held back"
    );
}
