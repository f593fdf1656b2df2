//! `$filter`: grammar, precedence, literals, type checking and positioned errors.

use rapd_model::{OnboardingStatus, Timestamp};
use rapd_odata::{CompareOp, Filter, Literal, Property, TextFunction, parse_list_query};
use uuid::Uuid;

use super::{BETA, V1, assert_err, filter, filter_err};

const GUID: &str = "7443c8b9-0c5d-4a6f-9f1e-2f9d7c4b1a00";

fn cmp(property: Property, op: CompareOp, value: Literal) -> Filter {
    Filter::Compare {
        property,
        op,
        value,
    }
}

fn name(s: &str) -> Filter {
    cmp(
        Property::DisplayName,
        CompareOp::Eq,
        Literal::String(s.into()),
    )
}

fn and(a: Filter, b: Filter) -> Filter {
    Filter::And(Box::new(a), Box::new(b))
}

fn or(a: Filter, b: Filter) -> Filter {
    Filter::Or(Box::new(a), Box::new(b))
}

fn not(a: Filter) -> Filter {
    Filter::Not(Box::new(a))
}

fn guid() -> Literal {
    Literal::Guid(Uuid::parse_str(GUID).unwrap())
}

fn at(text: &str) -> Literal {
    Literal::DateTime(Timestamp::parse(text).unwrap())
}

#[test]
fn every_operator_on_every_kind() {
    let ops = [
        ("eq", CompareOp::Eq),
        ("ne", CompareOp::Ne),
        ("gt", CompareOp::Gt),
        ("ge", CompareOp::Ge),
        ("lt", CompareOp::Lt),
        ("le", CompareOp::Le),
    ];
    for (word, op) in ops {
        let cases = [
            (format!("id {word} {GUID}"), Property::Id, guid()),
            (
                format!("onboardingUrl {word} 'https://x'"),
                Property::OnboardingUrl,
                Literal::String("https://x".into()),
            ),
            (
                format!("lastConnectionDateTime {word} 2024-01-01T00:00:00Z"),
                Property::LastConnectionDateTime,
                at("2024-01-01T00:00:00Z"),
            ),
            (
                format!("onboardingStatus {word} 'onboarding'"),
                Property::OnboardingStatus,
                Literal::Status(OnboardingStatus::Onboarding),
            ),
        ];
        for (text, property, value) in cases {
            assert_eq!(filter(V1, &text), cmp(property, op, value));
        }
    }
}

#[test]
fn precedence_or_and_not() {
    let (a, b, c) = (name("a"), name("b"), name("c"));
    assert_eq!(
        filter(
            V1,
            "displayName eq 'a' or displayName eq 'b' and displayName eq 'c'"
        ),
        or(a.clone(), and(b.clone(), c.clone()))
    );
    assert_eq!(
        filter(
            V1,
            "(displayName eq 'a' or displayName eq 'b') and displayName eq 'c'"
        ),
        and(or(a.clone(), b.clone()), c.clone())
    );
    assert_eq!(
        filter(V1, "not displayName eq 'a' and displayName eq 'b'"),
        and(not(a.clone()), b.clone())
    );
    assert_eq!(
        filter(V1, "not (displayName eq 'a' and displayName eq 'b')"),
        not(and(a.clone(), b.clone()))
    );
    assert_eq!(
        filter(
            V1,
            "displayName eq 'a' and displayName eq 'b' and displayName eq 'c'"
        ),
        and(and(a.clone(), b.clone()), c.clone())
    );
    assert_eq!(
        filter(V1, "not not ((displayName eq 'a'))"),
        not(not(a.clone()))
    );
    assert_eq!(
        filter(V1, "not(displayName eq 'a')or(displayName eq 'b')"),
        or(not(a), b)
    );
}

#[test]
fn in_lists() {
    assert_eq!(
        filter(V1, &format!("id in ('{GUID}', {GUID})")),
        Filter::In {
            property: Property::Id,
            values: vec![guid(), guid()]
        }
    );
    assert_eq!(
        filter(V1, "onboardingStatus in ('onboarded','onboarding')"),
        Filter::In {
            property: Property::OnboardingStatus,
            values: vec![
                Literal::Status(OnboardingStatus::Onboarded),
                Literal::Status(OnboardingStatus::Onboarding)
            ]
        }
    );
    assert_eq!(
        filter(V1, "displayName in(null,'x')"),
        Filter::In {
            property: Property::DisplayName,
            values: vec![Literal::Null, Literal::String("x".into())]
        }
    );
    assert_err(
        &filter_err(V1, "displayName in ()"),
        Some(16),
        "at least one value",
    );
    assert_err(
        &filter_err(V1, "displayName in ('a',)"),
        Some(20),
        "expected a value",
    );
    assert_err(
        &filter_err(V1, "displayName in ('a' 'b')"),
        Some(20),
        "expected ',' or ')'",
    );
    assert_err(
        &filter_err(V1, "displayName in 'a'"),
        Some(15),
        "'(' after in",
    );
    assert_err(&filter_err(V1, "id in (null)"), Some(7), "never null");
    assert_err(&filter_err(V1, "id in ('x')"), Some(7), "not a GUID");
    assert_err(
        &filter_err(V1, "displayName in ('a'"),
        Some(19),
        "unexpected end",
    );
}

#[test]
fn text_functions() {
    let text = |function, property, value: &str| Filter::Text {
        function,
        property,
        value: value.into(),
    };
    assert_eq!(
        filter(V1, "startswith(displayName,'Team')"),
        text(TextFunction::StartsWith, Property::DisplayName, "Team")
    );
    assert_eq!(
        filter(V1, "endswith( onboardingUrl , '.com' )"),
        text(TextFunction::EndsWith, Property::OnboardingUrl, ".com")
    );
    assert_eq!(
        filter(V1, "contains(id,'7443')"),
        text(TextFunction::Contains, Property::Id, "7443")
    );
    assert_eq!(
        filter(V1, "not startswith(displayName,'it''s')"),
        not(text(
            TextFunction::StartsWith,
            Property::DisplayName,
            "it's"
        ))
    );
    assert_err(
        &filter_err(V1, "startswith(onboardingStatus,'on')"),
        Some(11),
        "only to string properties and id",
    );
    assert_err(
        &filter_err(V1, "contains(lastConnectionDateTime,'2024')"),
        Some(9),
        "only to string properties and id",
    );
    assert_err(
        &filter_err(V1, "startsWith(displayName,'a')"),
        Some(0),
        "lowercase ('startswith')",
    );
    assert_err(
        &filter_err(V1, "tolower(displayName) eq 'a'"),
        Some(0),
        "not supported",
    );
    assert_err(
        &filter_err(V1, "startswith('a',displayName)"),
        Some(11),
        "expected a property name",
    );
    assert_err(
        &filter_err(V1, "startswith(displayName,null)"),
        Some(23),
        "quoted string",
    );
    assert_err(
        &filter_err(V1, "startswith(displayName)"),
        Some(22),
        "expected ','",
    );
    assert_err(
        &filter_err(V1, "startswith displayName"),
        Some(11),
        "'(' after startswith",
    );
    assert_err(
        &filter_err(V1, "startswith(colour,'a')"),
        Some(11),
        "unknown property 'colour'",
    );
    assert_err(
        &filter_err(V1, "startswith(displayName,'a') eq true"),
        Some(28),
        "expected 'and', 'or' or the end",
    );
}

#[test]
fn property_goes_on_the_left() {
    for text in [
        "'a' eq displayName",
        "null eq displayName",
        &format!("{GUID} eq id"),
    ] {
        assert_err(&filter_err(V1, text), Some(0), "must be a property name");
    }
    assert_err(
        &filter_err(V1, "2024-01-01T00:00:00Z lt lastConnectionDateTime"),
        Some(0),
        "must be a property name",
    );
}

#[test]
fn keywords_are_lowercase() {
    assert_err(
        &filter_err(V1, "displayName EQ 'a'"),
        Some(12),
        "lowercase ('eq')",
    );
    assert_err(
        &filter_err(V1, "displayName eq 'a' AND displayName eq 'b'"),
        Some(19),
        "expected 'and', 'or' or the end",
    );
    assert_err(
        &filter_err(V1, "NOT displayName eq 'a'"),
        Some(0),
        "lowercase ('not')",
    );
    assert_err(
        &filter_err(V1, "displayName eq NULL"),
        Some(15),
        "quote the value",
    );
}

#[test]
fn guid_literals() {
    assert_eq!(
        filter(V1, &format!("id eq '{GUID}'")),
        filter(V1, &format!("id eq {GUID}"))
    );
    let upper = GUID.to_uppercase();
    assert_eq!(
        filter(V1, &format!("id eq {upper}")),
        cmp(Property::Id, CompareOp::Eq, guid())
    );
    assert_err(&filter_err(V1, "id eq 'abc'"), Some(6), "not a GUID");
    assert_err(&filter_err(V1, "id eq 42"), Some(6), "not a GUID");
    assert_err(
        &filter_err(V1, "displayName eq 7443c8b9-0c5d-4a6f-9f1e-2f9d7c4b1a00"),
        Some(15),
        "quote",
    );
}

#[test]
fn date_time_literals() {
    for (text, utc) in [
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
        ("2024-01-01T05:30:00+05:30", "2024-01-01T00:00:00Z"),
        (
            "2023-12-31T19:00:00.1234567-05:00",
            "2024-01-01T00:00:00.123456Z",
        ),
        ("2024-01-01T00:00Z", "2024-01-01T00:00:00Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
    ] {
        assert_eq!(
            filter(V1, &format!("lastConnectionDateTime ge {text}")),
            cmp(Property::LastConnectionDateTime, CompareOp::Ge, at(utc)),
            "{text}"
        );
    }
    let quoted = filter_err(V1, "lastConnectionDateTime eq '2024-01-01T00:00:00Z'");
    assert_err(&quoted, Some(26), "without quotes");
    assert_err(
        &filter_err(V1, "lastConnectionDateTime eq 2024-01-01"),
        Some(26),
        "not a DateTimeOffset",
    );
    assert_err(
        &filter_err(V1, "lastConnectionDateTime eq now()"),
        Some(26),
        "not a DateTimeOffset",
    );
}

#[test]
fn enum_literals() {
    let onboarded = cmp(
        Property::OnboardingStatus,
        CompareOp::Eq,
        Literal::Status(OnboardingStatus::Onboarded),
    );
    assert_eq!(filter(V1, "onboardingStatus eq 'onboarded'"), onboarded);
    assert_eq!(
        filter(
            V1,
            "onboardingStatus eq microsoft.graph.remoteAssistanceOnboardingStatus'onboarded'"
        ),
        onboarded
    );
    // Members order by value, so ranges are allowed.
    assert_eq!(
        filter(V1, "onboardingStatus gt 'notOnboarded'"),
        cmp(
            Property::OnboardingStatus,
            CompareOp::Gt,
            Literal::Status(OnboardingStatus::NotOnboarded)
        )
    );
    assert_err(
        &filter_err(V1, "onboardingStatus eq 'connected'"),
        Some(20),
        "not a member",
    );
    assert_err(
        &filter_err(V1, "onboardingStatus eq 'Onboarded'"),
        Some(20),
        "not a member",
    );
    assert_err(
        &filter_err(V1, "onboardingStatus eq onboarded"),
        Some(20),
        "quote the member",
    );
    assert_err(
        &filter_err(V1, "onboardingStatus eq 2"),
        Some(20),
        "quote the member",
    );
    assert_err(
        &filter_err(
            V1,
            "onboardingStatus eq microsoft.graph.remoteAssistanceState'enabled'",
        ),
        Some(20),
        "unknown type",
    );
}

#[test]
fn null_only_with_eq_ne_on_nullable_properties() {
    assert_eq!(
        filter(V1, "displayName eq null"),
        cmp(Property::DisplayName, CompareOp::Eq, Literal::Null)
    );
    assert_eq!(
        filter(V1, "onboardingUrl ne null"),
        cmp(Property::OnboardingUrl, CompareOp::Ne, Literal::Null)
    );
    assert_err(
        &filter_err(V1, "displayName gt null"),
        Some(15),
        "only be compared with eq or ne",
    );
    for (text, at) in [
        ("id eq null", 6),
        ("onboardingStatus eq null", 20),
        ("lastConnectionDateTime ne null", 26),
    ] {
        assert_err(&filter_err(V1, text), Some(at), "is never null");
    }
    assert_err(
        &filter_err(BETA, "onboardingRequestExpiryDateTime eq null"),
        Some(35),
        "never null",
    );
}

#[test]
fn properties_of_the_other_version_are_unknown() {
    let text = "onboardingRequestExpiryDateTime lt 2024-01-01T00:00:00Z";
    assert_eq!(
        filter(BETA, text),
        cmp(
            Property::OnboardingRequestExpiryDateTime,
            CompareOp::Lt,
            at("2024-01-01T00:00:00Z")
        )
    );
    assert_err(
        &filter_err(V1, text),
        Some(0),
        "unknown property 'onboardingRequestExpiryDateTime'",
    );
    assert_err(
        &filter_err(V1, "displayname eq 'a'"),
        Some(0),
        "did you mean 'displayName'",
    );
}

#[test]
fn errors_point_at_the_offending_token() {
    let e = filter_err(V1, "displayName eq 'x' or colour eq 'y'");
    assert_eq!(
        e.to_string(),
        "Invalid $filter at position 22: unknown property 'colour'"
    );
    // Positions count characters of the decoded value, not bytes.
    let e = filter_err(V1, "displayName eq 'éé' and colour eq 'y'");
    assert_eq!(e.position, Some(24));
    let q = "$filter=displayName%20eq%20%27%C3%A9%C3%A9%27%20and%20colour%20eq%20%27y%27";
    assert_eq!(
        parse_list_query(V1, Some(q)).unwrap_err().position,
        Some(24)
    );
}

#[test]
fn malformed_expressions() {
    for (text, position, needle) in [
        ("", 0, "unexpected end"),
        ("   ", 3, "unexpected end"),
        ("(displayName eq 'a'", 19, "to close the '(' at position 0"),
        ("displayName eq 'a')", 18, "without a matching '('"),
        (
            "displayName eq 'a' displayName",
            19,
            "expected 'and', 'or' or the end",
        ),
        ("displayName eq 'abc", 15, "not closed"),
        ("displayName", 11, "unexpected end"),
        ("displayName eq", 14, "unexpected end"),
        ("displayName has 'a'", 12, "'has' is not supported"),
        ("displayName like 'a'", 12, "expected an operator"),
        ("displayName eq 'a' and", 22, "unexpected end"),
        (
            "and displayName eq 'a'",
            0,
            "expected an expression, found 'and'",
        ),
        ("()", 1, "expected an expression"),
        ("displayName eq ,", 15, "expected a value"),
        ("displayName eq 'a'\n", 18, "unexpected character"),
        ("displayName, eq 'a'", 11, "expected an operator"),
    ] {
        let e = filter_err(V1, text);
        assert_err(&e, Some(position), needle);
    }
}
