//! Raw query strings: splitting, decoding, the `$` prefix, duplicates, per-endpoint options and
//! the values of every option but `$filter`.

use rapd_odata::{
    CompareOp, CountQuery, Filter, ItemQuery, ListQuery, Literal, OrderBy, Property,
    parse_count_query, parse_item_query, parse_list_query,
};

use super::{BETA, V1, assert_err, encode};

fn list(version: rapd_odata::ApiVersion, q: &str) -> ListQuery {
    parse_list_query(version, Some(q)).unwrap_or_else(|e| panic!("{q:?}: {e}"))
}

fn list_err(version: rapd_odata::ApiVersion, q: &str, option: &str) -> rapd_odata::QueryError {
    let e = parse_list_query(version, Some(q)).expect_err(q);
    assert_eq!(e.option, option, "{e}");
    e
}

fn name_eq(s: &str) -> Filter {
    Filter::Compare {
        property: Property::DisplayName,
        op: CompareOp::Eq,
        value: Literal::String(s.into()),
    }
}

#[test]
fn no_query_and_empty_query_are_the_defaults() {
    for version in [V1, BETA] {
        for raw in [None, Some(""), Some("&"), Some("&&")] {
            assert_eq!(parse_list_query(version, raw), Ok(ListQuery::default()));
            assert_eq!(parse_item_query(version, raw), Ok(ItemQuery::default()));
            assert_eq!(parse_count_query(version, raw), Ok(CountQuery::default()));
        }
    }
}

#[test]
fn every_list_option_at_once() {
    let q = format!(
        "$filter={}&$orderby={}&$top=5&$skip=10&$select=id,displayName&$count=true&$skiptoken=abc%3D&$format=json",
        encode("displayName eq 'a'"),
        encode("displayName desc,id"),
    );
    assert_eq!(
        list(V1, &q),
        ListQuery {
            filter: Some(name_eq("a")),
            order_by: vec![
                OrderBy {
                    property: Property::DisplayName,
                    descending: true
                },
                OrderBy {
                    property: Property::Id,
                    descending: false
                },
            ],
            top: Some(5),
            skip: Some(10),
            select: Some(vec![Property::Id, Property::DisplayName]),
            count: true,
            skip_token: Some("abc=".into()),
        }
    );
}

#[test]
fn dollar_is_optional_on_beta_only() {
    let q = "top=5&filter=displayName%20eq%20'a'&select=id&orderby=id&skip=1&count=true";
    assert_eq!(list(V1, q), ListQuery::default());
    let beta = list(BETA, q);
    assert_eq!(beta.top, Some(5));
    assert_eq!(beta.filter, Some(name_eq("a")));
    assert_eq!(beta.select, Some(vec![Property::Id]));
    assert_eq!(beta.order_by.len(), 1);
    assert_eq!((beta.skip, beta.count), (Some(1), true));
    // On v1.0 a bare name is a custom parameter, so even a broken value is ignored.
    assert_eq!(list(V1, "filter=((("), ListQuery::default());
    list_err(BETA, "filter=(((", "$filter");
    list_err(BETA, "expand=x", "$expand");
    assert_eq!(list(V1, "expand=x&search=y"), ListQuery::default());
}

#[test]
fn each_option_at_most_once() {
    for (version, q, option) in [
        (V1, "$top=1&$top=1", "$top"),
        (V1, "$top=1&%24top=1", "$top"),
        (BETA, "$top=1&top=2", "$top"),
        (V1, "$filter=id%20eq%20null&$filter=x", "$filter"),
        (V1, "$count=true&$count=true", "$count"),
        (V1, "$select=id&$select=id", "$select"),
    ] {
        let e = list_err(version, q, option);
        assert_err(&e, None, "more than once");
    }
    let e = parse_item_query(V1, Some("$select=id&$select=id")).unwrap_err();
    assert_eq!(e.option, "$select");
    let e = parse_count_query(BETA, Some("$filter=x&filter=y")).unwrap_err();
    assert_eq!(e.option, "$filter");
}

#[test]
fn names_are_case_sensitive() {
    list_err(V1, "$Top=1", "$Top");
    list_err(V1, "$FILTER=x", "$FILTER");
    // Without the `$`, a name that is no option is a custom parameter.
    assert_eq!(list(BETA, "Top=1&TOP=2"), ListQuery::default());
}

#[test]
fn unknown_dollar_options_are_refused_custom_parameters_ignored() {
    let e = list_err(V1, "$foo=1", "$foo");
    assert_err(&e, None, "not a supported query option");
    list_err(V1, "$=1", "$");
    list_err(V1, "$apply=groupby((id))", "$apply");
    list_err(BETA, "$deltatoken=x", "$deltatoken");
    let ignored = "foo=bar&api-version=2&x&=y&foo=%zz&%C3%A9=1&top%20=3";
    assert_eq!(list(V1, ignored), ListQuery::default());
    assert_eq!(
        parse_item_query(V1, Some(ignored)),
        Ok(ItemQuery::default())
    );
    assert_eq!(
        parse_count_query(V1, Some(ignored)),
        Ok(CountQuery::default())
    );
}

#[test]
fn a_malformed_name_or_value_is_refused() {
    let e = parse_list_query(V1, Some("%zz=1")).unwrap_err();
    assert_eq!(e.option, "%zz");
    let e = list_err(V1, "$top=%2", "$top");
    assert_err(&e, None, "percent-encoding");
    let e = list_err(V1, "$filter=%FF", "$filter");
    assert_err(&e, None, "UTF-8");
}

#[test]
fn expand_search_and_format() {
    for version in [V1, BETA] {
        // No navigation properties: `*` expands nothing, as OData defines it.
        assert_eq!(list(version, "$expand=*"), ListQuery::default());
        assert_eq!(list(version, "$expand=%2A,%20*"), ListQuery::default());
        assert!(parse_item_query(version, Some("$expand=*")).is_ok());
        let e = parse_item_query(version, Some("$expand=x")).unwrap_err();
        assert_err(&e, Some(0), "Could not find a property named 'x'");
        let e = list_err(version, "$expand=*,displayName", "$expand");
        assert_err(
            &e,
            Some(2),
            "'displayName' on type 'microsoft.graph.remoteAssistancePartner' is not a navigation property",
        );
        let e = list_err(version, "$expand=", "$expand");
        assert_err(&e, Some(0), "expected '*'");
        let e = parse_count_query(version, Some("$expand=*")).unwrap_err();
        assert_eq!(e.option, "$expand");
        let e = list_err(version, "$search=%22x%22", "$search");
        assert_err(&e, None, "Query option 'Search' is not allowed");
        let e = parse_count_query(version, Some("$search=x")).unwrap_err();
        assert_eq!(e.option, "$search");
    }
    assert_eq!(list(V1, "$format=json"), ListQuery::default());
    assert_eq!(list(V1, "$format=application%2Fjson"), ListQuery::default());
    assert!(parse_item_query(V1, Some("$format=json")).is_ok());
    let e = list_err(V1, "$format=xml", "$format");
    assert_err(&e, None, "json");
    let e = parse_count_query(V1, Some("$format=json")).unwrap_err();
    assert_eq!(e.option, "$format");
}

#[test]
fn the_item_takes_select_only() {
    assert_eq!(
        parse_item_query(BETA, Some("select=displayName")),
        Ok(ItemQuery {
            select: Some(vec![Property::DisplayName])
        })
    );
    for option in [
        "$filter=x",
        "$top=1",
        "$skip=1",
        "$orderby=id",
        "$count=true",
        "$skiptoken=x",
    ] {
        let e = parse_item_query(V1, Some(option)).unwrap_err();
        assert_err(
            &e,
            None,
            "not supported on a single remoteAssistancePartner",
        );
    }
}

#[test]
fn count_takes_filter_only() {
    assert_eq!(
        parse_count_query(V1, Some("$filter=displayName%20eq%20'a'")),
        Ok(CountQuery {
            filter: Some(name_eq("a"))
        })
    );
    for option in [
        "$top=1",
        "$skip=1",
        "$orderby=id",
        "$count=true",
        "$select=id",
        "$skiptoken=x",
    ] {
        let e = parse_count_query(V1, Some(option)).unwrap_err();
        assert_err(&e, None, "not supported on /$count");
    }
}

#[test]
fn plus_is_a_space_and_percent_2b_a_plus() {
    // As Graph's front end reads a query string: `+` is a space, `%2B` a plus.
    let q = list(
        V1,
        "$filter=lastConnectionDateTime+gt+2024-01-01T02:00:00%2B02:00",
    );
    let Some(Filter::Compare { value, .. }) = q.filter else {
        panic!("{q:?}")
    };
    assert_eq!(value.to_string(), "2024-01-01T00:00:00Z");
    assert!(list(V1, "$filter=displayName+eq+'a+b'").filter.is_some());
    assert_eq!(
        list(V1, "$skiptoken=a%2Bb").skip_token.as_deref(),
        Some("a+b")
    );
}

#[test]
fn top_values() {
    assert_eq!(list(V1, "$top=0").top, Some(0));
    assert_eq!(list(V1, "$top=007").top, Some(7));
    assert_eq!(list(V1, "$top=1000").top, Some(1000));
    for bad in [
        "1001",
        "-1",
        "1.5",
        "",
        "abc",
        "+5",
        "%205",
        "1e3",
        "99999999999999999999999",
    ] {
        let e = list_err(V1, &format!("$top={bad}"), "$top");
        assert_err(&e, None, "1000");
    }
    let e = list_err(V1, "$top", "$top");
    assert_err(&e, None, "not an integer from 0 to 1000");
}

#[test]
fn skip_values() {
    assert_eq!(list(V1, "$skip=0").skip, Some(0));
    assert_eq!(list(V1, "$skip=1000000").skip, Some(1_000_000));
    for bad in ["1000001", "-1", "x", ""] {
        let e = list_err(V1, &format!("$skip={bad}"), "$skip");
        assert_err(&e, None, "1000000");
    }
}

#[test]
fn count_values() {
    assert!(list(V1, "$count=true").count);
    assert!(!list(V1, "$count=false").count);
    for bad in ["True", "1", "", "yes", "TRUE"] {
        list_err(V1, &format!("$count={bad}"), "$count");
    }
}

#[test]
fn skip_token_is_opaque() {
    let token = "LastId%3D%277443c8b9%27%2C%20x";
    assert_eq!(
        list(V1, &format!("$skiptoken={token}"))
            .skip_token
            .as_deref(),
        Some("LastId='7443c8b9', x")
    );
    list_err(V1, "$skiptoken=", "$skiptoken");
}

#[test]
fn select_values() {
    let select = |v, q: &str| list(v, &format!("$select={q}")).select;
    assert_eq!(
        select(V1, "onboardingStatus,id"),
        Some(vec![Property::OnboardingStatus, Property::Id])
    );
    assert_eq!(
        select(V1, "id,%20displayName%09,id"),
        Some(vec![Property::Id, Property::DisplayName])
    );
    assert_eq!(select(V1, "*"), None);
    assert_eq!(select(V1, "id,*"), None);
    assert_eq!(
        select(BETA, "onboardingRequestExpiryDateTime"),
        Some(vec![Property::OnboardingRequestExpiryDateTime])
    );
    let e = list_err(V1, "$select=id,colour", "$select");
    assert_err(&e, Some(3), "unknown property 'colour'");
    let e = list_err(V1, "$select=id,onboardingRequestExpiryDateTime", "$select");
    assert_err(&e, Some(3), "unknown property");
    let e = list_err(V1, "$select=%C3%A9,DisplayName", "$select");
    assert_err(&e, Some(0), "unknown property 'é'");
    let e = list_err(V1, "$select=id,%20DisplayName", "$select");
    assert_err(&e, Some(4), "did you mean 'displayName'");
    let e = list_err(V1, "$select=id,,displayName", "$select");
    assert_err(&e, Some(3), "expected a property name");
    list_err(V1, "$select=", "$select");
    list_err(V1, "$select=id/displayName", "$select");
}

#[test]
fn order_by_values() {
    let keys = |q: &str| {
        list(BETA, &format!("$orderby={}", encode(q)))
            .order_by
            .into_iter()
            .map(|k| (k.property, k.descending))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys("lastConnectionDateTime desc, displayName asc,id"),
        vec![
            (Property::LastConnectionDateTime, true),
            (Property::DisplayName, false),
            (Property::Id, false),
        ]
    );
    assert_eq!(
        keys("onboardingRequestExpiryDateTime\tdesc"),
        vec![(Property::OnboardingRequestExpiryDateTime, true)]
    );
    let err = |v, q: &str| list_err(v, &format!("$orderby={}", encode(q)), "$orderby");
    assert_err(
        &err(V1, "id, displayName DESC"),
        Some(16),
        "expected asc or desc",
    );
    assert_err(&err(V1, "id desc x"), Some(8), "unexpected 'x'");
    assert_err(&err(V1, "id,colour"), Some(3), "unknown property 'colour'");
    assert_err(
        &err(V1, "onboardingRequestExpiryDateTime"),
        Some(0),
        "unknown property",
    );
    assert_err(
        &err(V1, "id,displayName,id desc"),
        Some(15),
        "more than once",
    );
    assert_err(
        &err(V1, "id,,displayName"),
        Some(3),
        "expected a property name",
    );
    assert_err(&err(V1, ""), Some(0), "expected a property name");
}
