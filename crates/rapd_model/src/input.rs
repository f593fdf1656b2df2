//! Request bodies: parsed and validated here, so raw JSON stops at the edge (DESIGN §2).

use serde_json::{Map, Value};

use crate::{OnboardingStatus, Timestamp, version::ApiVersion};

/// The longest `displayName` accepted, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 1024;
/// The longest `onboardingUrl` or `partnerDomain` accepted, in characters.
pub const MAX_URL_CHARS: usize = 2048;

const PARTNER_ODATA_TYPE: &str = "#microsoft.graph.remoteAssistancePartner";

/// Why a body was refused; the message names the property so a script's author can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("The request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("The request body must be a JSON object.")]
    NotAnObject,
    #[error("The property '{0}' does not exist on type 'microsoft.graph.{1}'.")]
    UnknownProperty(String, &'static str),
    #[error("The property '{property}' must be {expected}.")]
    WrongType {
        property: String,
        expected: &'static str,
    },
    #[error("The property '{0}' cannot be null.")]
    NullNotAllowed(String),
    #[error(
        "'{value}' is not a valid value of 'microsoft.graph.remoteAssistanceOnboardingStatus' for the property '{property}'."
    )]
    InvalidEnum { property: String, value: String },
    #[error("The property '{0}' must be an ISO 8601 date and time with an offset.")]
    InvalidDateTime(String),
    #[error(
        "The @odata.type '{0}' does not match the entity type '#microsoft.graph.remoteAssistancePartner'."
    )]
    WrongODataType(String),
    #[error("The property '{property}' is longer than {max} characters.")]
    TooLong { property: &'static str, max: usize },
    #[error("This action does not take a request body.")]
    BodyNotAllowed,
    #[error("The property '{0}' cannot contain the NUL character (U+0000).")]
    Nul(String),
}

/// The writable properties of a partner in a POST or PATCH body. The outer `Option` says whether
/// the property was sent at all; the inner one is JSON `null`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PartnerInput {
    pub display_name: Option<Option<String>>,
    pub onboarding_url: Option<Option<String>>,
}

impl PartnerInput {
    /// Parses a create or update body. Server-managed properties are accepted and ignored, but
    /// their values are still type-checked.
    pub fn parse(version: ApiVersion, body: &[u8]) -> Result<PartnerInput, InputError> {
        let object = parse_object(body)?;
        let mut input = PartnerInput::default();
        for (key, value) in &object {
            match key.as_str() {
                "@odata.type" => match value {
                    Value::String(t) if t == PARTNER_ODATA_TYPE => {}
                    Value::String(t) => return Err(InputError::WrongODataType(t.clone())),
                    _ => return Err(wrong_type(key, "a string")),
                },
                // Instance annotations a client may echo back from a GET; they carry no data.
                "@odata.context" | "@odata.id" | "@odata.etag" | "@odata.editLink" => {}
                "displayName" => {
                    let name = nullable_string(key, value)?;
                    if let Some(n) = &name
                        && n.chars().count() > MAX_DISPLAY_NAME_CHARS
                    {
                        return Err(InputError::TooLong {
                            property: "displayName",
                            max: MAX_DISPLAY_NAME_CHARS,
                        });
                    }
                    input.display_name = Some(name);
                }
                "onboardingUrl" => {
                    let url = nullable_string(key, value)?;
                    if let Some(u) = &url {
                        check_onboarding_url(u)?;
                    }
                    input.onboarding_url = Some(url);
                }
                "id" => {
                    nullable_string(key, value)?;
                }
                "onboardingStatus" => match value {
                    Value::String(s) if OnboardingStatus::parse(s).is_some() => {}
                    Value::String(s) => {
                        return Err(InputError::InvalidEnum {
                            property: key.clone(),
                            value: s.clone(),
                        });
                    }
                    Value::Null => return Err(InputError::NullNotAllowed(key.clone())),
                    _ => return Err(wrong_type(key, "a string")),
                },
                "lastConnectionDateTime" => check_datetime(key, value)?,
                "onboardingRequestExpiryDateTime" if version == ApiVersion::Beta => {
                    check_datetime(key, value)?
                }
                _ => {
                    return Err(InputError::UnknownProperty(
                        key.clone(),
                        "remoteAssistancePartner",
                    ));
                }
            }
        }
        Ok(input)
    }
}

/// The body of `beginOnboarding`: none in v1.0; beta's optional `{"partnerDomain": "…"}`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BeginOnboardingInput {
    pub partner_domain: Option<String>,
}

impl BeginOnboardingInput {
    pub fn parse(version: ApiVersion, body: &[u8]) -> Result<BeginOnboardingInput, InputError> {
        if body.is_empty() {
            return Ok(BeginOnboardingInput::default());
        }
        if version == ApiVersion::V1 {
            return Err(InputError::BodyNotAllowed);
        }
        let object = parse_object(body)?;
        let mut input = BeginOnboardingInput::default();
        for (key, value) in &object {
            match key.as_str() {
                "partnerDomain" => {
                    let domain = nullable_string(key, value)?;
                    if domain
                        .as_ref()
                        .is_some_and(|d| d.chars().count() > MAX_URL_CHARS)
                    {
                        return Err(InputError::TooLong {
                            property: "partnerDomain",
                            max: MAX_URL_CHARS,
                        });
                    }
                    input.partner_domain = domain.filter(|d| !d.is_empty());
                }
                _ => return Err(InputError::UnknownProperty(key.clone(), "beginOnboarding")),
            }
        }
        Ok(input)
    }
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, InputError> {
    match crate::strict_json::parse(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(InputError::NotAnObject),
        Err(e) => Err(InputError::InvalidJson(e.to_string())),
    }
}

fn wrong_type(key: &str, expected: &'static str) -> InputError {
    InputError::WrongType {
        property: key.to_owned(),
        expected,
    }
}

fn nullable_string(key: &str, value: &Value) -> Result<Option<String>, InputError> {
    match value {
        // Refused on every engine alike: PostgreSQL's text cannot hold NUL.
        Value::String(s) if s.contains('\0') => Err(InputError::Nul(key.to_owned())),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Null => Ok(None),
        _ => Err(wrong_type(key, "a string or null")),
    }
}

fn check_datetime(key: &str, value: &Value) -> Result<(), InputError> {
    match value {
        Value::String(s) if Timestamp::parse(s).is_some() => Ok(()),
        Value::Null => Err(InputError::NullNotAllowed(key.to_owned())),
        _ => Err(InputError::InvalidDateTime(key.to_owned())),
    }
}

/// `onboardingUrl` is a plain `Edm.String` in Microsoft's CSDL, so any string is taken (rapd
/// stores it and never fetches it); only its length is limited.
pub(crate) fn check_onboarding_url(text: &str) -> Result<(), InputError> {
    if text.contains('\0') {
        return Err(InputError::Nul("onboardingUrl".into()));
    }
    if text.chars().count() > MAX_URL_CHARS {
        return Err(InputError::TooLong {
            property: "onboardingUrl",
            max: MAX_URL_CHARS,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<PartnerInput, InputError> {
        PartnerInput::parse(ApiVersion::V1, body.as_bytes())
    }

    #[test]
    fn accepts_the_docs_create_body() {
        let body = r##"{"@odata.type":"#microsoft.graph.remoteAssistancePartner","displayName":"Display Name value","onboardingUrl":"https://example.com/onboardingUrl/","onboardingStatus":"onboarding","lastConnectionDateTime":"2016-12-31T23:58:36.6670033-08:00"}"##;
        let input = parse(body).unwrap();
        assert_eq!(input.display_name, Some(Some("Display Name value".into())));
        assert_eq!(
            input.onboarding_url,
            Some(Some("https://example.com/onboardingUrl/".into()))
        );
    }

    #[test]
    fn refuses_bad_values_of_ignored_properties() {
        assert!(matches!(
            parse(r#"{"onboardingStatus":"connected"}"#),
            Err(InputError::InvalidEnum { .. })
        ));
        assert!(matches!(
            parse(r#"{"onboardingStatus":null}"#),
            Err(InputError::NullNotAllowed(_))
        ));
        assert!(matches!(
            parse(r#"{"lastConnectionDateTime":"yesterday"}"#),
            Err(InputError::InvalidDateTime(_))
        ));
        assert!(matches!(
            parse(r#"{"id":5}"#),
            Err(InputError::WrongType { .. })
        ));
    }

    #[test]
    fn refuses_unknown_and_version_specific_properties() {
        assert!(matches!(
            parse(r#"{"colour":"blue"}"#),
            Err(InputError::UnknownProperty(..))
        ));
        let beta_only =
            r#"{"onboardingRequestExpiryDateTime":"2017-01-01T00:02:07.7573274-08:00"}"#;
        assert!(parse(beta_only).is_err());
        assert!(PartnerInput::parse(ApiVersion::Beta, beta_only.as_bytes()).is_ok());
    }

    #[test]
    fn checks_types_and_urls() {
        assert!(matches!(parse("[]"), Err(InputError::NotAnObject)));
        assert!(matches!(parse("{"), Err(InputError::InvalidJson(_))));
        assert!(matches!(
            parse(r#"{"displayName":7}"#),
            Err(InputError::WrongType { .. })
        ));
        assert_eq!(
            parse(r#"{"displayName":null}"#).unwrap().display_name,
            Some(None)
        );
        assert!(matches!(
            parse(r##"{"@odata.type":"#microsoft.graph.user"}"##),
            Err(InputError::WrongODataType(_))
        ));
        // Any string, as the CSDL's Edm.String: http on any host, other schemes, no URL at all.
        for any in [
            "https://example.com/x",
            "http://example.com/",
            "ftp://example.com/",
            "example.com",
            "/relative",
            "",
        ] {
            let body = format!(r#"{{"onboardingUrl":"{any}"}}"#);
            assert!(parse(&body).is_ok(), "{any}");
        }
    }

    #[test]
    fn nul_is_refused_in_every_string() {
        for body in [
            r#"{"displayName":"a\u0000b"}"#,
            r#"{"onboardingUrl":"https://x/\u0000"}"#,
        ] {
            assert!(matches!(parse(body), Err(InputError::Nul(_))), "{body}");
        }
        let beta = BeginOnboardingInput::parse(ApiVersion::Beta, br#"{"partnerDomain":"\u0000"}"#);
        assert_eq!(beta, Err(InputError::Nul("partnerDomain".into())));
    }

    #[test]
    fn onboarding_url_limit() {
        // Characters, not bytes: 2048 two-byte characters are at the limit.
        let at = "é".repeat(MAX_URL_CHARS);
        let past = format!("{at}x");
        assert!(parse(&format!(r#"{{"onboardingUrl":"{at}"}}"#)).is_ok());
        assert_eq!(
            parse(&format!(r#"{{"onboardingUrl":"{past}"}}"#)),
            Err(InputError::TooLong {
                property: "onboardingUrl",
                max: MAX_URL_CHARS
            })
        );
    }

    #[test]
    fn display_name_limit() {
        let at = "x".repeat(MAX_DISPLAY_NAME_CHARS);
        let past = "x".repeat(MAX_DISPLAY_NAME_CHARS + 1);
        assert!(parse(&format!(r#"{{"displayName":"{at}"}}"#)).is_ok());
        assert!(matches!(
            parse(&format!(r#"{{"displayName":"{past}"}}"#)),
            Err(InputError::TooLong { .. })
        ));
    }

    #[test]
    fn begin_onboarding_bodies() {
        assert!(BeginOnboardingInput::parse(ApiVersion::V1, b"").is_ok());
        assert_eq!(
            BeginOnboardingInput::parse(ApiVersion::V1, b"{}"),
            Err(InputError::BodyNotAllowed)
        );
        let beta = BeginOnboardingInput::parse(
            ApiVersion::Beta,
            br#"{"partnerDomain":"contoso.example"}"#,
        );
        assert_eq!(
            beta.unwrap().partner_domain.as_deref(),
            Some("contoso.example")
        );
        assert!(BeginOnboardingInput::parse(ApiVersion::Beta, b"{}").is_ok());
        assert!(BeginOnboardingInput::parse(ApiVersion::Beta, br#"{"x":1}"#).is_err());
    }
}
