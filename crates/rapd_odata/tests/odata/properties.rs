//! Properties over generated input: printing round-trips, and nothing panics.

use proptest::prelude::*;
use proptest::sample::select;
use rapd_model::{OnboardingStatus, Timestamp};
use rapd_odata::{
    ApiVersion, CompareOp, Filter, Literal, MAX_FILTER_LENGTH, Property, TextFunction,
    parse_count_query, parse_filter, parse_item_query, parse_list_query,
};
use uuid::Uuid;

use super::{encode, encode_bytes};

/// 9999-12-31T23:59:59.999999Z, the last instant a four-digit year can write.
const LAST_MICROS: i64 = 253_402_300_799_999_999;

/// Any text a string literal may hold: everything but NUL, which the lexer refuses.
fn text() -> impl Strategy<Value = String> {
    "(?s)[^\\x00]{0,12}"
}

fn literal(property: Property, null_allowed: bool) -> BoxedStrategy<Literal> {
    let value = match property.kind() {
        rapd_model::PropertyKind::Guid => any::<u128>()
            .prop_map(|n| Literal::Guid(Uuid::from_u128(n)))
            .boxed(),
        rapd_model::PropertyKind::String => text().prop_map(Literal::String).boxed(),
        rapd_model::PropertyKind::DateTime => (Timestamp::ZERO.as_micros()..=LAST_MICROS)
            .prop_map(|m| Literal::DateTime(Timestamp::from_micros(m)))
            .boxed(),
        rapd_model::PropertyKind::Status => select(OnboardingStatus::ALL.to_vec())
            .prop_map(Literal::Status)
            .boxed(),
    };
    if null_allowed && property.nullable() {
        prop_oneof![1 => Just(Literal::Null), 3 => value].boxed()
    } else {
        value
    }
}

fn leaf(version: ApiVersion) -> BoxedStrategy<Filter> {
    let properties = Property::all(version).to_vec();
    let compare = (select(properties.clone()), select(CompareOp::ALL.to_vec())).prop_flat_map(
        |(property, op)| {
            let null_allowed = matches!(op, CompareOp::Eq | CompareOp::Ne);
            literal(property, null_allowed).prop_map(move |value| Filter::Compare {
                property,
                op,
                value,
            })
        },
    );
    let list = select(properties.clone()).prop_flat_map(|property| {
        prop::collection::vec(literal(property, true), 1..5)
            .prop_map(move |values| Filter::In { property, values })
    });
    let textual: Vec<Property> = properties
        .into_iter()
        .filter(|p| p.kind() != rapd_model::PropertyKind::DateTime)
        .filter(|p| p.kind() != rapd_model::PropertyKind::Status)
        .collect();
    let function = (select(TextFunction::ALL.to_vec()), select(textual), text()).prop_map(
        |(function, property, value)| Filter::Text {
            function,
            property,
            value,
        },
    );
    prop_oneof![3 => compare, 1 => list, 1 => function].boxed()
}

fn tree(version: ApiVersion) -> impl Strategy<Value = Filter> {
    leaf(version).prop_recursive(8, 48, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|a| Filter::Not(Box::new(a))),
        ]
    })
}

fn versioned_tree() -> impl Strategy<Value = (ApiVersion, Filter)> {
    prop_oneof![Just(ApiVersion::V1), Just(ApiVersion::Beta)]
        .prop_flat_map(|version| (Just(version), tree(version)))
}

/// Words and punctuation of the grammar, to reach the parser's deeper paths.
fn token_soup() -> impl Strategy<Value = String> {
    let pieces = select(vec![
        "(",
        ")",
        ",",
        " ",
        " ",
        "and",
        "or",
        "not",
        "eq",
        "ne",
        "gt",
        "in",
        "null",
        "has",
        "displayName",
        "id",
        "onboardingStatus",
        "lastConnectionDateTime",
        "onboardingRequestExpiryDateTime",
        "onboardingUrl",
        "'x'",
        "'",
        "''",
        "startswith",
        "contains",
        "2024-01-01T00:00:00Z",
        "2024-01-01T00:00+01:00",
        "7443c8b9-0c5d-4a6f-9f1e-2f9d7c4b1a00",
        "'7443c8b9-0c5d-4a6f-9f1e-2f9d7c4b1a00'",
        "microsoft.graph.remoteAssistanceOnboardingStatus'onboarded'",
        "'onboarded'",
        "é",
        "%",
        "\t",
        "AND",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|p| p.concat())
}

fn query_soup() -> impl Strategy<Value = String> {
    let name = select(vec![
        "$filter",
        "filter",
        "$top",
        "top",
        "$skip",
        "$select",
        "select",
        "$orderby",
        "$count",
        "$skiptoken",
        "$expand",
        "$search",
        "$format",
        "$foo",
        "x",
        "%24top",
        "%zz",
        "",
    ]);
    let pair = (name, any::<Vec<u8>>(), any::<bool>()).prop_map(|(name, value, eq)| {
        if eq {
            format!("{name}={}", encode_bytes(&value))
        } else {
            name.to_owned()
        }
    });
    prop::collection::vec(pair, 0..6).prop_map(|pairs| pairs.join("&"))
}

fn every_endpoint(raw: &str) {
    for version in [ApiVersion::V1, ApiVersion::Beta] {
        let _ = parse_list_query(version, Some(raw));
        let _ = parse_item_query(version, Some(raw));
        let _ = parse_count_query(version, Some(raw));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn printed_filters_parse_back_to_the_same_tree((version, filter) in versioned_tree()) {
        let printed = filter.to_string();
        prop_assume!(printed.chars().count() <= MAX_FILTER_LENGTH);
        prop_assert_eq!(&parse_filter(version, &printed).unwrap(), &filter, "{}", printed);
        let query = format!("$filter={}", encode(&printed));
        let list = parse_list_query(version, Some(&query)).unwrap();
        prop_assert_eq!(list.filter.as_ref(), Some(&filter));
    }

    #[test]
    fn no_string_panics_as_a_filter(text in any::<String>()) {
        for version in [ApiVersion::V1, ApiVersion::Beta] {
            let _ = parse_filter(version, &text);
        }
    }

    #[test]
    fn no_bytes_panic_as_a_percent_encoded_filter(bytes in any::<Vec<u8>>()) {
        every_endpoint(&format!("$filter={}", encode_bytes(&bytes)));
        every_endpoint(&format!("filter={}&$select={0}&$orderby={0}", encode_bytes(&bytes)));
    }

    #[test]
    fn no_string_panics_as_a_raw_query(raw in any::<String>()) {
        every_endpoint(&raw);
    }

    #[test]
    fn no_assembled_query_panics(raw in query_soup()) {
        every_endpoint(&raw);
    }

    #[test]
    fn token_soup_never_panics_and_what_parses_reprints_stably(text in token_soup()) {
        for version in [ApiVersion::V1, ApiVersion::Beta] {
            if let Ok(filter) = parse_filter(version, &text) {
                let printed = filter.to_string();
                prop_assert_eq!(parse_filter(version, &printed), Ok(filter), "{}", printed);
            }
        }
    }
}
