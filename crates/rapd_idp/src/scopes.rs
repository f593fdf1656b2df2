//! What a `scope` parameter asks for. Only Microsoft Graph is a resource here; a loopback URL
//! counts as Graph, because msgraph-sdk derives `http://127.0.0.1/.default` from a local base URL.

use rapd_auth::{GRAPH_APP_ID, GRAPH_AUDIENCE};

use crate::OAuthError;

/// OpenID Connect scopes: they shape the response, never the access token.
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "offline_access", "email"];

#[derive(Debug, Default, PartialEq, Eq)]
pub struct RequestedScopes {
    /// `{resource}/.default` was asked for.
    pub default: bool,
    /// Delegated permissions by their short names.
    pub permissions: Vec<String>,
    /// The resource scopes as sent, echoed in the response so client caches find the token.
    pub echo: Vec<String>,
}

impl RequestedScopes {
    pub fn parse(scope: &str) -> Result<RequestedScopes, OAuthError> {
        let mut requested = RequestedScopes::default();
        for item in scope.split_ascii_whitespace() {
            if OIDC_SCOPES.iter().any(|s| s.eq_ignore_ascii_case(item)) {
                continue;
            }
            let permission = match item.rsplit_once('/') {
                Some((resource, permission)) => {
                    if !is_graph(resource) {
                        return Err(OAuthError::unknown_resource(resource));
                    }
                    permission
                }
                None => item,
            };
            requested.echo.push(item.to_owned());
            if permission.eq_ignore_ascii_case(".default") {
                requested.default = true;
            } else if !permission.is_empty() {
                requested.permissions.push(permission.to_owned());
            }
        }
        Ok(requested)
    }
}

/// A resource (application ID URI) the identity provider issues tokens for.
pub fn is_graph(resource: &str) -> bool {
    let resource = resource.trim_end_matches('/');
    if resource.eq_ignore_ascii_case(GRAPH_AUDIENCE) || resource.eq_ignore_ascii_case(GRAPH_APP_ID)
    {
        return true;
    }
    let Some(rest) = resource
        .strip_prefix("http://")
        .or_else(|| resource.strip_prefix("https://"))
    else {
        return false;
    };
    let host = match rest.strip_prefix('[') {
        Some(v6) => v6.split(']').next().map(|h| format!("[{h}]")),
        None => rest.split(':').next().map(str::to_owned),
    };
    matches!(
        host.as_deref(),
        Some("localhost" | "127.0.0.1" | "[::1]" | "::1")
    ) && !rest.contains('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_and_loopback_resources_only() {
        for ok in [
            "https://graph.microsoft.com",
            "https://graph.microsoft.com/",
            GRAPH_APP_ID,
            "http://127.0.0.1",
            "https://localhost:8443",
            "http://[::1]:8080",
        ] {
            assert!(is_graph(ok), "{ok}");
        }
        for bad in [
            "https://management.azure.com",
            "https://graph.microsoft.com.evil.example",
            "http://127.0.0.1.evil.example",
            "http://localhost/x",
        ] {
            assert!(!is_graph(bad), "{bad}");
        }
    }

    #[test]
    fn splits_default_permissions_and_oidc() {
        let r = RequestedScopes::parse(
            "https://graph.microsoft.com/DeviceManagementServiceConfig.ReadWrite.All openid profile offline_access",
        )
        .unwrap();
        assert!(!r.default);
        assert_eq!(
            r.permissions,
            ["DeviceManagementServiceConfig.ReadWrite.All"]
        );
        assert_eq!(r.echo.len(), 1);
        let r = RequestedScopes::parse("http://127.0.0.1/.default").unwrap();
        assert!(r.default);
        assert!(RequestedScopes::parse("https://vault.azure.net/.default").is_err());
    }
}
