//! The list items stored with each row: a page of them copies the bytes where they hold at the
//! page's time and reads the partner where not, and still gives the next page's key.

use rapd_model::{Clock, wire::ListItem};
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
