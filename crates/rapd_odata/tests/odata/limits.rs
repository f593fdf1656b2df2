//! Every limit at the limit and one past it; hostile nesting answered quickly, on a small stack.

use std::time::{Duration, Instant};

use rapd_odata::{
    DEFAULT_PAGE_SIZE, Filter, MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_IN_VALUES,
    MAX_ORDERBY_KEYS, MAX_SKIP, MAX_SKIPTOKEN_LENGTH, MAX_TOP, parse_list_query,
};

use super::{V1, assert_err, encode, filter, filter_err};

/// `displayName eq '…'` exactly `len` characters long, padded with `fill`.
fn name_filter(len: usize, fill: char) -> String {
    let frame = "displayName eq ''".len();
    format!("displayName eq '{}'", fill.to_string().repeat(len - frame))
}

#[test]
fn the_constants() {
    assert_eq!(MAX_FILTER_LENGTH, 2048);
    assert_eq!(MAX_FILTER_DEPTH, 32);
    assert_eq!(MAX_IN_VALUES, 100);
    assert_eq!(DEFAULT_PAGE_SIZE, 100);
    assert_eq!(MAX_TOP, 1000);
    assert_eq!(MAX_SKIP, 1_000_000);
    assert_eq!(MAX_SKIPTOKEN_LENGTH, 1024);
    assert_eq!(MAX_ORDERBY_KEYS, 5);
}

#[test]
fn filter_length_counts_decoded_characters() {
    filter(V1, &name_filter(MAX_FILTER_LENGTH, 'a'));
    let e = filter_err(V1, &name_filter(MAX_FILTER_LENGTH + 1, 'a'));
    assert_err(&e, Some(MAX_FILTER_LENGTH), "longer than 2048");

    let at_limit = name_filter(MAX_FILTER_LENGTH, 'é');
    assert_eq!(at_limit.chars().count(), MAX_FILTER_LENGTH);
    filter(V1, &at_limit);
    let q = format!("$filter={}", encode(&at_limit));
    assert!(parse_list_query(V1, Some(&q)).is_ok());

    let past = name_filter(MAX_FILTER_LENGTH + 1, 'é');
    assert_err(
        &filter_err(V1, &past),
        Some(MAX_FILTER_LENGTH),
        "longer than 2048",
    );
    let q = format!("$filter={}", encode(&past));
    let e = parse_list_query(V1, Some(&q)).unwrap_err();
    assert_eq!(
        (e.option.as_str(), e.position),
        ("$filter", Some(MAX_FILTER_LENGTH))
    );
}

#[test]
fn a_hundred_thousand_open_parentheses_fail_fast() {
    let started = Instant::now();
    let e = filter_err(V1, &"(".repeat(100_000));
    assert_err(&e, Some(MAX_FILTER_LENGTH), "longer than");
    let e = parse_list_query(V1, Some(&format!("$filter={}", "%28".repeat(100_000)))).unwrap_err();
    assert_eq!(e.position, Some(MAX_FILTER_LENGTH));
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// Runs `f` on a thread with a small stack: the parser must not need a deep one.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn nesting_within_the_length_limit_is_refused_without_deep_recursion() {
    on_small_stack(|| {
        let parens = "(".repeat(MAX_FILTER_LENGTH);
        assert_err(
            &filter_err(V1, &parens),
            Some(MAX_FILTER_DEPTH),
            "parentheses nested deeper",
        );
        let nots = "not ".repeat(MAX_FILTER_LENGTH / 4);
        assert_err(
            &filter_err(V1, &nots),
            Some(4 * MAX_FILTER_DEPTH),
            "nested deeper than 32",
        );
        let mixed = "not (".repeat(MAX_FILTER_LENGTH / 5);
        assert!(filter_err(V1, &mixed).reason.contains("deeper than 32"));
    });
}

#[test]
fn parentheses_at_the_depth_limit_and_one_past() {
    let nest = |n: usize| format!("{}displayName eq 'a'{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(filter(V1, &nest(MAX_FILTER_DEPTH)).depth(), 0);
    let e = filter_err(V1, &nest(MAX_FILTER_DEPTH + 1));
    assert_err(
        &e,
        Some(MAX_FILTER_DEPTH),
        "parentheses nested deeper than 32",
    );
}

#[test]
fn nots_at_the_depth_limit_and_one_past() {
    let nots = |n: usize| format!("{}displayName eq 'a'", "not ".repeat(n));
    assert_eq!(
        filter(V1, &nots(MAX_FILTER_DEPTH)).depth(),
        MAX_FILTER_DEPTH
    );
    let e = filter_err(V1, &nots(MAX_FILTER_DEPTH + 1));
    assert_err(
        &e,
        Some(4 * MAX_FILTER_DEPTH),
        "nested deeper than 32 levels",
    );
}

#[test]
fn and_chains_at_the_depth_limit_and_one_past() {
    // n comparisons joined by n - 1 `and`s make a tree n - 1 high.
    let one = "id ne '7443c8b9-0c5d-4a6f-9f1e-2f9d7c4b1a00'";
    let chain = |n: usize| vec![one; n].join(" and ");
    let ok = chain(MAX_FILTER_DEPTH + 1);
    assert!(ok.chars().count() <= MAX_FILTER_LENGTH);
    assert_eq!(filter(V1, &ok).depth(), MAX_FILTER_DEPTH);
    let e = filter_err(V1, &chain(MAX_FILTER_DEPTH + 2));
    let link = one.len() + " and ".len();
    assert_err(
        &e,
        Some(link * (MAX_FILTER_DEPTH + 1) - 4),
        "nested deeper than 32 levels",
    );
}

#[test]
fn mixed_nesting_at_the_depth_limit_and_one_past() {
    // Each level: `not (x or (...))` adds a `not` and an `or`; 16 levels are 32 high.
    fn build(levels: usize) -> String {
        let mut text = "displayName eq 'a'".to_owned();
        for _ in 0..levels {
            text = format!("not (displayName eq 'b' or {text})");
        }
        text
    }
    let ok = filter(V1, &build(MAX_FILTER_DEPTH / 2));
    assert_eq!(ok.depth(), MAX_FILTER_DEPTH);
    let e = filter_err(
        V1,
        &format!("{} and displayName eq 'c'", build(MAX_FILTER_DEPTH / 2)),
    );
    assert!(e.reason.contains("deeper than 32"), "{e}");
}

#[test]
fn in_list_at_the_limit_and_one_past() {
    let list = |n: usize| format!("displayName in ({})", vec!["'a'"; n].join(","));
    let Filter::In { values, .. } = filter(V1, &list(MAX_IN_VALUES)) else {
        panic!()
    };
    assert_eq!(values.len(), MAX_IN_VALUES);
    let e = filter_err(V1, &list(MAX_IN_VALUES + 1));
    assert_err(&e, Some(16 + 4 * MAX_IN_VALUES), "at most 100 values");
}

#[test]
fn top_skip_skiptoken_and_orderby_at_the_limit_and_one_past() {
    let q = |s: &str| parse_list_query(V1, Some(s));
    assert_eq!(q(&format!("$top={MAX_TOP}")).unwrap().top, Some(MAX_TOP));
    assert!(
        q(&format!("$top={}", MAX_TOP + 1))
            .unwrap_err()
            .reason
            .contains("1000")
    );
    assert_eq!(
        q(&format!("$skip={MAX_SKIP}")).unwrap().skip,
        Some(MAX_SKIP)
    );
    assert!(
        q(&format!("$skip={}", MAX_SKIP + 1))
            .unwrap_err()
            .reason
            .contains("1000000")
    );

    let token = "é".repeat(MAX_SKIPTOKEN_LENGTH);
    let got = q(&format!("$skiptoken={}", encode(&token))).unwrap();
    assert_eq!(got.skip_token, Some(token.clone()));
    let e = q(&format!("$skiptoken={}", encode(&format!("{token}x")))).unwrap_err();
    assert_err(&e, Some(MAX_SKIPTOKEN_LENGTH), "longer than 1024");

    let five = "id,displayName,onboardingUrl,onboardingStatus,lastConnectionDateTime";
    assert_eq!(
        q(&format!("$orderby={five}")).unwrap().order_by.len(),
        MAX_ORDERBY_KEYS
    );
    let beta = rapd_odata::ApiVersion::Beta;
    let six = format!("{five},onboardingRequestExpiryDateTime");
    let e = parse_list_query(beta, Some(&format!("$orderby={six}"))).unwrap_err();
    assert_err(&e, Some(five.len() + 1), "at most 5 keys");
}
