//! `application/x-www-form-urlencoded` bodies of the token and device-code endpoints.
//! Unknown fields (telemetry, `claims`, `client_info`) are ignored, as Entra ignores them.

use std::borrow::Cow;

use crate::OAuthError;

pub struct Form<'a> {
    fields: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Form<'a> {
    /// Parses `body`, refusing one longer than `limit` bytes.
    pub fn parse(body: &'a [u8], limit: usize) -> Result<Form<'a>, OAuthError> {
        if body.len() > limit {
            return Err(OAuthError::body_too_large(limit));
        }
        Ok(Form {
            fields: form_urlencoded::parse(body).collect(),
        })
    }

    /// The first value of `name`, if present and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_ref())
            .filter(|v| !v.is_empty())
    }

    pub fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name)
            .ok_or_else(|| OAuthError::missing_parameter(name))
    }
}
