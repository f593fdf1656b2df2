//! The list items stored with each row: a page of them copies the bytes where they hold at the
//! page's time and reads the partner where not, and still gives the next page's key.

use rapd_model::{Clock, Partner, Tenant, TenantState, wire::ListItem};
use rapd_odata::OrderBy;
use rapd_store::SeekKey;

use super::*;

/// Every write of a partner stores its list item in both versions with the row; a page of list
/// items returns exactly those bytes while they hold, and the partner once its onboarding
/// request has expired or the row was written without them.
#[tokio::test]
async fn a_page_returns_the_list_items_written_with_the_rows() {
    for f in fixtures().await {
        a_page_returns_the_list_items_written_with_the_rows_on(&f).await;
    }
}

async fn a_page_returns_the_list_items_written_with_the_rows_on(f: &Fixture) {
    let t = TenantId(Uuid::new_v4());
    create(f.store.as_ref(), t, "one").await;
    let two = create(f.store.as_ref(), t, "two").await;
    let begin = Mutation::BeginOnboarding {
        id: two,
        input: BeginOnboardingInput::default(),
        ttl_secs: 600,
        code: "c".into(),
    };
    f.store.mutate(t, begin, ctx()).await.unwrap();
    let all = PageQuery::all();
    let partners = f.store.list(t, &all).await.unwrap().items;
    let stored = |version| -> Vec<_> {
        let items = partners.iter().map(|p| wire::stored_entity(p, version));
        items.map(ListItem::Stored).collect()
    };
    let all = &all;
    let items = |version| async move { f.store.list_items(t, all, version).await.unwrap().items };
    for version in [ApiVersion::V1, ApiVersion::Beta] {
        assert_eq!(items(version).await, stored(version), "{version:?}");
    }
    // One second before the request expires its item holds; at the expiry it no longer does,
    // and the partner comes whole, to be rendered as `notOnboarded`.
    f.clock.advance_secs(599);
    assert_eq!(items(ApiVersion::Beta).await, stored(ApiVersion::Beta));
    f.clock.advance_secs(1);
    let expected: Vec<_> = partners
        .iter()
        .map(|p| match p.id == two {
            true => ListItem::Partner(p.clone()),
            false => ListItem::Stored(wire::stored_entity(p, ApiVersion::Beta)),
        })
        .collect();
    assert_eq!(items(ApiVersion::Beta).await, expected);
    // A node of an earlier release updates a row without its items: they are not returned.
    f.execute("UPDATE partners SET revision = revision + 1")
        .await;
    let items = items(ApiVersion::V1).await;
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| matches!(i, ListItem::Partner(_))));
}

/// A page of stored items carries no partner to take a key from: the store takes the next
/// page's key from the last row, the same key a page of partners gives, and none on the last page.
#[tokio::test]
async fn a_page_of_list_items_gives_the_next_pages_key() {
    for f in fixtures().await {
        a_page_of_list_items_gives_the_next_pages_key_on(&f).await;
    }
}

async fn a_page_of_list_items_gives_the_next_pages_key_on(f: &Fixture) {
    let t = TenantId(Uuid::new_v4());
    for name in ["a", "b", "c"] {
        create(f.store.as_ref(), t, name).await;
    }
    let order_by = vec![OrderBy {
        property: rapd_model::Property::DisplayName,
        descending: true,
    }];
    let query = |limit| PageQuery {
        order_by: order_by.clone(),
        limit,
        ..PageQuery::default()
    };
    let partners = f.store.list(t, &query(2)).await.unwrap();
    let items = f.store.list_items(t, &query(2), ApiVersion::V1).await;
    let items = items.unwrap();
    let last = &partners.items[1];
    assert_eq!(last.display_name.as_deref(), Some("b"));
    let key = SeekKey::of(last, &order_by, f.clock.now());
    assert_eq!((partners.next, items.next), (Some(key.clone()), Some(key)));
    assert!(items.items.iter().all(|i| matches!(i, ListItem::Stored(_))));
    // A page that holds the rest has no next page.
    let rest = f.store.list_items(t, &query(3), ApiVersion::V1).await;
    assert_eq!(rest.unwrap().next, None);
}

impl Fixture {
    /// What `rapd migrate` runs after the migrations; how many rows it filled in.
    async fn fill_list_items(&self) -> u64 {
        match &self.place {
            Place::Sqlite { path, .. } => SqliteStore::fill_list_items(path).unwrap() as u64,
            Place::Postgres(schema) => {
                let options = schema.options();
                let clock = self.clock.clone();
                let store = PostgresStore::open(&options, clock, Migrations::Apply).await;
                store.unwrap().fill_list_items().await.unwrap()
            }
        }
    }
}

/// Rows written without their items (before migration 0007, or by a node of an earlier release)
/// get them from `rapd migrate`, however many batches that takes; a row that has its items
/// is left alone.
#[tokio::test]
async fn rows_written_without_their_items_get_them_from_migrate() {
    for f in fixtures().await {
        rows_written_without_their_items_get_them_from_migrate_on(&f).await;
    }
}

async fn rows_written_without_their_items_get_them_from_migrate_on(f: &Fixture) {
    let t = TenantId(Uuid::new_v4());
    let id = create(f.store.as_ref(), t, "template").await;
    let template = f.store.get(t, id).await.unwrap().unwrap();
    // More rows than one batch of the backfill.
    let partners = (0..1100)
        .map(|i| Partner {
            id: PartnerId::new_random(),
            display_name: Some(format!("p{i}")),
            ..template.clone()
        })
        .collect();
    let tenant = Tenant {
        id: t,
        display_name: None,
        intune_licensed: true,
        created: template.created,
    };
    let state = TenantState {
        tenant,
        settings: None,
        partners,
    };
    f.control.seed(vec![state], ctx()).await.unwrap();
    let all = PageQuery::all();
    let partners = f.store.list(t, &all).await.unwrap().items;
    assert!(partners.len() > 1100);
    f.execute("UPDATE partners SET json_v1 = NULL, json_beta = NULL, json_revision = NULL")
        .await;
    let items = f.store.list_items(t, &all, ApiVersion::V1).await.unwrap();
    assert!(
        items
            .items
            .iter()
            .all(|i| matches!(i, ListItem::Partner(_)))
    );
    assert_eq!(f.fill_list_items().await, partners.len() as u64);
    assert_eq!(f.fill_list_items().await, 0);
    if let Place::Sqlite { .. } = f.place {
        // Readers take a new snapshot for another connection's write within 10 ms.
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    for version in [ApiVersion::V1, ApiVersion::Beta] {
        let items = f.store.list_items(t, &all, version).await.unwrap().items;
        let stored = partners.iter().map(|p| wire::stored_entity(p, version));
        let expected: Vec<_> = stored.map(ListItem::Stored).collect();
        assert_eq!(items, expected, "{version:?}");
    }
}
