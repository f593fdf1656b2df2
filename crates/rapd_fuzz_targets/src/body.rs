//! Partner request bodies (`rapd_model::input`).

use rapd_model::input::{MAX_DISPLAY_NAME_CHARS, MAX_URL_CHARS};
use rapd_model::{ApiVersion, BeginOnboardingInput, PartnerInput};
use serde_json::{Map, Value};

/// Parses the input as a POST/PATCH body and as a `beginOnboarding` body, in both versions.
/// An accepted body keeps its values within the limits, and writing back only the writable
/// properties it carried parses to the same input (read-only properties never leak into it).
pub fn partner_body(data: &[u8]) {
    for version in [ApiVersion::V1, ApiVersion::Beta] {
        if let Ok(input) = PartnerInput::parse(version, data) {
            if let Some(Some(name)) = &input.display_name {
                assert!(name.chars().count() <= MAX_DISPLAY_NAME_CHARS);
            }
            if let Some(Some(url)) = &input.onboarding_url {
                assert!(url.chars().count() <= MAX_URL_CHARS);
            }
            let again = PartnerInput::parse(version, &write_back(&input))
                .unwrap_or_else(|e| panic!("re-serialised input refused: {e}"));
            assert_eq!(again, input, "round trip changed the input");
        }
        if let Ok(input) = BeginOnboardingInput::parse(version, data) {
            assert!(version == ApiVersion::Beta || input.partner_domain.is_none());
            assert!(
                input
                    .partner_domain
                    .is_none_or(|d| !d.is_empty() && d.chars().count() <= MAX_URL_CHARS)
            );
        }
    }
}

fn write_back(input: &PartnerInput) -> Vec<u8> {
    let mut object = Map::new();
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    if let Some(name) = &input.display_name {
        object.insert("displayName".into(), text(name));
    }
    if let Some(url) = &input.onboarding_url {
        object.insert("onboardingUrl".into(), text(url));
    }
    serde_json::to_vec(&Value::Object(object)).expect("a map of strings serialises")
}
