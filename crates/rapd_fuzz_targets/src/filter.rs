//! `$filter` and the other query options (`rapd_odata`).

use rapd_odata::{
    ApiVersion, MAX_FILTER_DEPTH, MAX_ORDERBY_KEYS, MAX_SKIP, MAX_SKIPTOKEN_LENGTH, MAX_TOP,
    parse_count_query, parse_filter, parse_item_query, parse_list_query,
};

/// Parses the input as a `$filter` value and as a whole raw query string, in both versions.
/// A parsed filter is within the depth limit and prints to OData that parses back to itself;
/// a parsed list query is within every documented limit.
pub fn odata_query(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for version in [ApiVersion::V1, ApiVersion::Beta] {
        if let Ok(filter) = parse_filter(version, text) {
            assert!(filter.depth() <= MAX_FILTER_DEPTH, "depth limit broken");
            let printed = filter.to_string();
            let again = parse_filter(version, &printed)
                .unwrap_or_else(|e| panic!("printed filter {printed:?} does not parse: {e}"));
            assert_eq!(again, filter, "round trip changed the filter {printed:?}");
        }
        if let Ok(query) = parse_list_query(version, Some(text)) {
            assert!(query.top.is_none_or(|t| t <= MAX_TOP));
            assert!(query.skip.is_none_or(|s| s <= MAX_SKIP));
            assert!(query.order_by.len() <= MAX_ORDERBY_KEYS);
            assert!(
                query
                    .skip_token
                    .as_ref()
                    .is_none_or(|t| !t.is_empty() && t.chars().count() <= MAX_SKIPTOKEN_LENGTH)
            );
            if let Some(select) = &query.select {
                let mut unique = select.clone();
                unique.sort_by_key(|p| p.name());
                unique.dedup();
                assert_eq!(unique.len(), select.len(), "duplicate in $select");
            }
        }
        let _ = parse_item_query(version, Some(text));
        let _ = parse_count_query(version, Some(text));
    }
}
