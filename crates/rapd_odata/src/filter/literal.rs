//! Turning a literal token into a [`Literal`] of its property's type.

use rapd_model::{OnboardingStatus, Property, PropertyKind, Timestamp};
use uuid::Uuid;

use super::Literal;
use super::lexer::TokenKind;

/// The enum's qualified name, and the same name under the CSDL's `graph` alias.
const STATUS_TYPE: &str = "microsoft.graph.remoteAssistanceOnboardingStatus";
const STATUS_TYPE_ALIAS: &str = "graph.remoteAssistanceOnboardingStatus";

/// Converts `token` to a value of `property`'s type. `null` converts for every property; whether
/// it is allowed where it stands is the parser's decision.
pub(super) fn convert(property: Property, token: &TokenKind) -> Result<Literal, String> {
    let kind = property.kind();
    match token {
        TokenKind::Word(w) if w == "null" => Ok(Literal::Null),
        TokenKind::Str(s) => match kind {
            PropertyKind::String => Ok(Literal::String(s.clone())),
            PropertyKind::Guid => guid(s)
                .map(Literal::Guid)
                .ok_or_else(|| format!("'{s}' is not a GUID, and every '{property}' is one")),
            PropertyKind::Status => status(s).map(Literal::Status),
            PropertyKind::DateTime => Err(format!(
                "'{property}' is a DateTimeOffset, written without quotes (e.g. 2024-01-01T00:00:00Z)"
            )),
        },
        TokenKind::Typed(prefix, s) => {
            if prefix != STATUS_TYPE && prefix != STATUS_TYPE_ALIAS {
                Err(format!("unknown type '{prefix}'"))
            } else if kind != PropertyKind::Status {
                Err(format!(
                    "'{property}' cannot be compared with a remoteAssistanceOnboardingStatus"
                ))
            } else {
                status(s).map(Literal::Status)
            }
        }
        TokenKind::Word(w) => match kind {
            PropertyKind::Guid => guid(w)
                .map(Literal::Guid)
                .ok_or_else(|| format!("'{w}' is not a GUID")),
            PropertyKind::DateTime => date_time(w).map(Literal::DateTime).ok_or_else(|| {
                format!("'{w}' is not a DateTimeOffset (write e.g. 2024-01-01T00:00:00Z)")
            }),
            PropertyKind::String => Err(format!(
                "'{property}' is a string: quote the value ('{w}' is not a string literal)"
            )),
            PropertyKind::Status => Err(format!(
                "'{property}' is an enum: quote the member (e.g. 'onboarded'), '{w}' is not one"
            )),
        },
        TokenKind::Open | TokenKind::Close | TokenKind::Comma => {
            Err(format!("expected a value for '{property}'"))
        }
    }
}

/// A GUID in OData's one form, 8-4-4-4-12 hex digits (either case).
fn guid(text: &str) -> Option<Uuid> {
    if text.len() != 36 {
        return None;
    }
    Uuid::try_parse(text).ok()
}

fn status(member: &str) -> Result<OnboardingStatus, String> {
    OnboardingStatus::parse(member).ok_or_else(|| {
        format!(
            "'{member}' is not a member of remoteAssistanceOnboardingStatus \
             (notOnboarded, onboarding, onboarded)"
        )
    })
}

/// An OData `dateTimeOffsetValue`: RFC 3339, where OData also lets the seconds be left out.
fn date_time(text: &str) -> Option<Timestamp> {
    if let Some(t) = Timestamp::parse(text) {
        return Some(t);
    }
    // `2024-01-01T10:30Z` / `2024-01-01T10:30+02:00`: supply the seconds.
    let (head, zone) = (text.get(..16)?, text.get(16..)?);
    let bytes = head.as_bytes();
    let shaped = bytes[10] == b'T' && bytes[13] == b':';
    if shaped && zone.starts_with(['Z', '+', '-']) {
        Timestamp::parse(&format!("{head}:00{zone}"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> TokenKind {
        TokenKind::Word(w.to_owned())
    }

    #[test]
    fn date_times_with_offsets_fractions_and_no_seconds() {
        let at = |w| convert(Property::LastConnectionDateTime, &word(w));
        let utc = Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
        assert_eq!(at("2024-01-01T00:00:00Z"), Ok(Literal::DateTime(utc)));
        assert_eq!(at("2024-01-01T02:00:00+02:00"), Ok(Literal::DateTime(utc)));
        assert_eq!(at("2024-01-01T00:00Z"), Ok(Literal::DateTime(utc)));
        assert_eq!(at("2024-01-01T02:00+02:00"), Ok(Literal::DateTime(utc)));
        assert_eq!(
            at("2023-12-31T23:59:59.9999999-00:00"),
            Ok(Literal::DateTime(
                Timestamp::parse("2023-12-31T23:59:59.999999Z").unwrap()
            ))
        );
        assert!(at("2024-01-01").is_err());
        assert!(at("2024-01-01T00:00").is_err());
        assert!(at("2024-13-01T00:00:00Z").is_err());
        assert!(at("ééééééééééééééééé").is_err());
    }

    #[test]
    fn guids_quoted_or_not_in_the_hyphenated_form_only() {
        let g = "7443c8b9-0c5d-4a6f-9f1e-2f9d7c4b1a00";
        let want = Ok(Literal::Guid(Uuid::parse_str(g).unwrap()));
        assert_eq!(convert(Property::Id, &word(g)), want);
        assert_eq!(convert(Property::Id, &TokenKind::Str(g.into())), want);
        let upper = g.to_uppercase();
        assert_eq!(convert(Property::Id, &word(&upper)), want);
        assert!(convert(Property::Id, &word("7443c8b90c5d4a6f9f1e2f9d7c4b1a00")).is_err());
        assert!(convert(Property::Id, &TokenKind::Str(format!("{{{g}}}"))).is_err());
        assert!(convert(Property::Id, &TokenKind::Str("abc".into())).is_err());
    }

    #[test]
    fn status_members_plain_or_qualified() {
        let want = Ok(Literal::Status(OnboardingStatus::Onboarded));
        let p = Property::OnboardingStatus;
        assert_eq!(convert(p, &TokenKind::Str("onboarded".into())), want);
        for prefix in [STATUS_TYPE, STATUS_TYPE_ALIAS] {
            let t = TokenKind::Typed(prefix.into(), "onboarded".into());
            assert_eq!(convert(p, &t), want);
        }
        assert!(convert(p, &TokenKind::Str("Onboarded".into())).is_err());
        assert!(convert(p, &TokenKind::Str("unknownFutureValue".into())).is_err());
        assert!(convert(p, &word("onboarded")).is_err());
        assert!(convert(p, &word("2")).is_err());
        let other = TokenKind::Typed("microsoft.graph.remoteAssistanceState".into(), "x".into());
        assert_eq!(
            convert(p, &other),
            Err("unknown type 'microsoft.graph.remoteAssistanceState'".into())
        );
        let typed = TokenKind::Typed(STATUS_TYPE.into(), "onboarded".into());
        assert!(convert(Property::DisplayName, &typed).is_err());
    }

    #[test]
    fn strings_are_quoted() {
        let p = Property::DisplayName;
        assert_eq!(
            convert(p, &TokenKind::Str("x".into())),
            Ok(Literal::String("x".into()))
        );
        assert!(convert(p, &word("x")).is_err());
        assert!(convert(p, &word("42")).is_err());
        assert_eq!(convert(p, &word("null")), Ok(Literal::Null));
        assert!(
            convert(
                Property::LastConnectionDateTime,
                &TokenKind::Str("x".into())
            )
            .is_err()
        );
    }
}
