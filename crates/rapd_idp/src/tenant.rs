//! The tenant segment of an authority: a GUID, a domain name, `common`, `organizations`,
//! `consumers` or `adfs`.

use rapd_auth::{CONSUMER_TENANT, DEV_TENANT};
use uuid::Uuid;

use crate::OAuthError;

/// Longest domain name accepted as a tenant (RFC 1035).
pub const MAX_TENANT_NAME: usize = 253;

/// What an authority's tenant segment names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tenant {
    /// A tenant id: tokens carry it as `tid`.
    Id(Uuid),
    /// `common`, `organizations`, `adfs` or a domain name: the development tenant, or a user's
    /// home tenant.
    Named,
}

impl Tenant {
    pub fn parse(segment: &str) -> Result<Tenant, OAuthError> {
        if let Ok(id) = Uuid::try_parse(segment) {
            return match id.is_nil() {
                true => Err(OAuthError::invalid_tenant(segment)),
                false => Ok(Tenant::Id(id)),
            };
        }
        match segment.to_ascii_lowercase().as_str() {
            "common" | "organizations" | "adfs" => Ok(Tenant::Named),
            // Personal Microsoft accounts: their tokens are refused by the founding page.
            "consumers" => Ok(Tenant::Id(CONSUMER_TENANT)),
            _ if is_domain_name(segment) => Ok(Tenant::Named),
            _ => Err(OAuthError::invalid_tenant(truncated(segment))),
        }
    }

    /// The `tid` of a token for `home` (a user's tenant, or none for an app).
    pub fn tid(self, home: Option<Uuid>) -> Uuid {
        match self {
            Tenant::Id(id) => id,
            Tenant::Named => home.unwrap_or(DEV_TENANT),
        }
    }
}

fn is_domain_name(s: &str) -> bool {
    s.len() <= MAX_TENANT_NAME
        && s.contains('.')
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Error messages quote at most this much of what the client sent.
fn truncated(s: &str) -> &str {
    match s.char_indices().nth(64) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ids_and_aliases() {
        let id = Uuid::new_v4();
        assert_eq!(Tenant::parse(&id.to_string()), Ok(Tenant::Id(id)));
        for named in ["common", "organizations", "adfs", "contoso.onmicrosoft.com"] {
            assert_eq!(Tenant::parse(named), Ok(Tenant::Named), "{named}");
        }
        assert_eq!(Tenant::parse("consumers"), Ok(Tenant::Id(CONSUMER_TENANT)));
        let longest = format!("{}com", "a.".repeat((MAX_TENANT_NAME - 3) / 2));
        assert_eq!(longest.len(), MAX_TENANT_NAME);
        assert!(Tenant::parse(&longest).is_ok());
        let too_long = format!("{longest}x");
        assert_eq!(too_long.len(), MAX_TENANT_NAME + 1);
        assert!(Tenant::parse(&too_long).is_err());
        for bad in [
            "nope",
            "",
            "a..b",
            "00000000-0000-0000-0000-000000000000",
            "x y.com",
        ] {
            assert!(Tenant::parse(bad).is_err(), "{bad}");
        }
    }
}
