//! The two Graph API versions rapd serves.

/// A Graph version segment: `/v1.0` or `/beta`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    V1,
    Beta,
}

impl ApiVersion {
    /// The path segment, exactly as Graph spells it.
    pub fn segment(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }

    /// Parses a path segment; Graph matches version segments case-sensitively.
    pub fn parse(segment: &str) -> Option<ApiVersion> {
        match segment {
            "v1.0" => Some(ApiVersion::V1),
            "beta" => Some(ApiVersion::Beta),
            _ => None,
        }
    }
}
