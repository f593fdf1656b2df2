//! Looking up the names a client writes in query options, with errors that say what went wrong.

use rapd_model::{ApiVersion, Property};

/// The property `name` in `version`, or the reason it names none.
pub(crate) fn property(version: ApiVersion, name: &str) -> Result<Property, String> {
    if let Some(property) = Property::parse(version, name) {
        return Ok(property);
    }
    if Property::parse(ApiVersion::Beta, name).is_some() {
        return Err(format!(
            "unknown property '{name}': it exists only on the beta endpoint"
        ));
    }
    let near = Property::all(version)
        .iter()
        .find(|p| p.name().eq_ignore_ascii_case(name));
    Err(match near {
        Some(p) => format!(
            "unknown property '{name}': property names are case-sensitive, did you mean '{p}'?"
        ),
        None => format!("unknown property '{name}'"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons() {
        assert_eq!(
            property(ApiVersion::V1, "colour").unwrap_err(),
            "unknown property 'colour'"
        );
        assert!(
            property(ApiVersion::V1, "DisplayName")
                .unwrap_err()
                .contains("did you mean 'displayName'")
        );
        assert!(
            property(ApiVersion::V1, "onboardingRequestExpiryDateTime")
                .unwrap_err()
                .starts_with("unknown property 'onboardingRequestExpiryDateTime'")
        );
        assert_eq!(
            property(ApiVersion::Beta, "onboardingRequestExpiryDateTime"),
            Ok(Property::OnboardingRequestExpiryDateTime)
        );
    }
}
