//! The property catalogue of `remoteAssistancePartner`: every property's wire name, EDM kind,
//! nullability and the API versions that have it (graph-spec §1.1–§1.2). Query parsing, `$select`
//! projection and `$metadata` all read this one table.

use std::fmt;

use crate::version::ApiVersion;

/// One property of `microsoft.graph.remoteAssistancePartner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Property {
    Id,
    DisplayName,
    OnboardingUrl,
    OnboardingStatus,
    LastConnectionDateTime,
    /// Beta only.
    OnboardingRequestExpiryDateTime,
}

/// What a property holds, as far as queries are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropertyKind {
    /// `id`: an `Edm.String` key whose values rapd always makes GUIDs.
    Guid,
    /// `Edm.String`.
    String,
    /// `Edm.DateTimeOffset`.
    DateTime,
    /// `graph.remoteAssistanceOnboardingStatus`.
    Status,
}

/// Every property in wire order (the order of Microsoft's examples, which `wire` writes); the
/// beta-only property comes last so that v1.0's list is a prefix.
const ALL: [Property; 6] = [
    Property::Id,
    Property::DisplayName,
    Property::OnboardingUrl,
    Property::OnboardingStatus,
    Property::LastConnectionDateTime,
    Property::OnboardingRequestExpiryDateTime,
];

impl Property {
    /// The properties `version` has, in wire order.
    pub fn all(version: ApiVersion) -> &'static [Property] {
        match version {
            ApiVersion::V1 => &ALL[..5],
            ApiVersion::Beta => &ALL,
        }
    }

    /// The property named `name` in `version`. Case-sensitive, as Graph's property names are.
    pub fn parse(version: ApiVersion, name: &str) -> Option<Property> {
        Property::all(version)
            .iter()
            .copied()
            .find(|p| p.name() == name)
    }

    /// The name on the wire and in query options.
    pub fn name(self) -> &'static str {
        match self {
            Property::Id => "id",
            Property::DisplayName => "displayName",
            Property::OnboardingUrl => "onboardingUrl",
            Property::OnboardingStatus => "onboardingStatus",
            Property::LastConnectionDateTime => "lastConnectionDateTime",
            Property::OnboardingRequestExpiryDateTime => "onboardingRequestExpiryDateTime",
        }
    }

    pub fn kind(self) -> PropertyKind {
        match self {
            Property::Id => PropertyKind::Guid,
            Property::DisplayName | Property::OnboardingUrl => PropertyKind::String,
            Property::OnboardingStatus => PropertyKind::Status,
            Property::LastConnectionDateTime | Property::OnboardingRequestExpiryDateTime => {
                PropertyKind::DateTime
            }
        }
    }

    /// Whether the CSDL lets the property be `null` (only the two free-text strings).
    pub fn nullable(self) -> bool {
        matches!(self, Property::DisplayName | Property::OnboardingUrl)
    }

    pub fn in_version(self, version: ApiVersion) -> bool {
        match self {
            Property::OnboardingRequestExpiryDateTime => version == ApiVersion::Beta,
            _ => true,
        }
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_order_per_version() {
        let names = |v| {
            Property::all(v)
                .iter()
                .map(|p| p.name())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(ApiVersion::V1),
            [
                "id",
                "displayName",
                "onboardingUrl",
                "onboardingStatus",
                "lastConnectionDateTime"
            ]
        );
        assert_eq!(
            names(ApiVersion::Beta),
            [
                "id",
                "displayName",
                "onboardingUrl",
                "onboardingStatus",
                "lastConnectionDateTime",
                "onboardingRequestExpiryDateTime"
            ]
        );
    }

    #[test]
    fn all_agrees_with_in_version() {
        for version in [ApiVersion::V1, ApiVersion::Beta] {
            for p in ALL {
                assert_eq!(Property::all(version).contains(&p), p.in_version(version));
            }
        }
    }

    #[test]
    fn parse_is_case_sensitive_and_versioned() {
        assert_eq!(
            Property::parse(ApiVersion::V1, "displayName"),
            Some(Property::DisplayName)
        );
        assert_eq!(Property::parse(ApiVersion::V1, "DisplayName"), None);
        assert_eq!(Property::parse(ApiVersion::V1, "displayname"), None);
        assert_eq!(
            Property::parse(ApiVersion::V1, "onboardingRequestExpiryDateTime"),
            None
        );
        assert_eq!(
            Property::parse(ApiVersion::Beta, "onboardingRequestExpiryDateTime"),
            Some(Property::OnboardingRequestExpiryDateTime)
        );
        for p in ALL {
            assert_eq!(Property::parse(ApiVersion::Beta, p.name()), Some(p));
            assert_eq!(p.to_string(), p.name());
        }
    }

    #[test]
    fn kinds_and_nullability_follow_the_csdl() {
        let table: Vec<_> = ALL.iter().map(|p| (p.kind(), p.nullable())).collect();
        assert_eq!(
            table,
            [
                (PropertyKind::Guid, false),
                (PropertyKind::String, true),
                (PropertyKind::String, true),
                (PropertyKind::Status, false),
                (PropertyKind::DateTime, false),
                (PropertyKind::DateTime, false),
            ]
        );
    }
}
