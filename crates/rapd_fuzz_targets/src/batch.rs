//! `$batch` envelopes (`rapd_server::batch::parse_envelope`).

use std::collections::HashSet;

use rapd_server::batch::{MAX_BATCH_REQUESTS, parse_envelope};

/// Parses the input as a `$batch` body. An accepted envelope has 1 to 20 requests with unique
/// ids, relative urls that are not a nested batch, and an order that runs every request once,
/// after everything it depends on.
pub fn batch_envelope(data: &[u8]) {
    let Ok(plan) = parse_envelope(data) else {
        return;
    };
    assert!((1..=MAX_BATCH_REQUESTS).contains(&plan.len()));
    let ids: HashSet<&str> = (0..plan.len()).map(|i| plan.id(i)).collect();
    assert_eq!(ids.len(), plan.len(), "duplicate ids accepted");
    let mut ran: HashSet<&str> = HashSet::new();
    let mut positions: Vec<usize> = plan.order().to_vec();
    for &index in plan.order() {
        for dependency in plan.depends_on(index) {
            assert!(
                ran.contains(dependency.as_str()),
                "ran before its dependency"
            );
        }
        let path = plan.path(index).expect("accepted url has a path");
        assert!(path.starts_with('/') && !path.contains("://") && !path.starts_with("/$batch"));
        ran.insert(plan.id(index));
    }
    positions.sort_unstable();
    assert_eq!(
        positions,
        (0..plan.len()).collect::<Vec<_>>(),
        "not a permutation"
    );
}
