//! Fixtures: the JSON form of a test state (tenants, their partners in given states, their
//! settings). `POST /_rapd/seed` and `rapd seed FILE` read it; `GET /_rapd/export` writes it, so
//! an export seeds back to the same state.
//!
//! A fixture is checked whole before anything is written: one bad entry refuses all of it.

mod parse;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    OnboardingStatus, Partner, PartnerId, RemoteAssistanceSettings, RemoteAssistanceState, Tenant,
    TenantId, Timestamp,
    input::{MAX_DISPLAY_NAME_CHARS, MAX_URL_CHARS, check_onboarding_url},
};

/// The most tenants one fixture may hold.
pub const MAX_FIXTURE_TENANTS: usize = 1_000;
/// The most partners one fixture may hold, over all its tenants.
pub const MAX_FIXTURE_PARTNERS: usize = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fixture {
    #[serde(default)]
    pub tenants: Vec<TenantFixture>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantFixture {
    pub id: Uuid,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default = "licensed")]
    pub intune_licensed: bool,
    /// Beta's `remoteAssistanceSettings`; absent keeps what the tenant has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<SettingsFixture>,
    #[serde(default)]
    pub partners: Vec<PartnerFixture>,
}

fn licensed() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsFixture {
    pub remote_assistance_state: String,
    pub allow_sessions_to_unenrolled_devices: bool,
    pub block_chat: bool,
}

/// One partner, with Graph's property names. Absent values are those of a new partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartnerFixture {
    /// Absent: a new random id.
    #[serde(default)]
    pub id: Option<Uuid>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub onboarding_url: Option<String>,
    #[serde(default)]
    pub onboarding_status: Option<String>,
    #[serde(default)]
    pub last_connection_date_time: Option<String>,
    #[serde(default)]
    pub onboarding_request_expiry_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_domain: Option<String>,
}

/// One tenant's state: what a seed writes and an export reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantState {
    pub tenant: Tenant,
    pub settings: Option<RemoteAssistanceSettings>,
    pub partners: Vec<Partner>,
}

impl TenantState {
    /// What an export holds for tenant `id`, from its stored rows; `None` when it has none. A
    /// tenant with rows but no registration (removed by an operator) exports unlicensed, so
    /// seeding the export back does not licence it.
    pub fn from_rows(
        id: TenantId,
        registered: Option<Tenant>,
        settings: Option<RemoteAssistanceSettings>,
        partners: Vec<Partner>,
    ) -> Option<TenantState> {
        if registered.is_none() && settings.is_none() && partners.is_empty() {
            return None;
        }
        let tenant = registered.unwrap_or(Tenant {
            id,
            display_name: None,
            intune_licensed: false,
            created: Timestamp::ZERO,
        });
        Some(TenantState {
            tenant,
            settings,
            partners,
        })
    }
}

/// Why a fixture was refused; `at` names the entry, e.g. `tenants[0].partners[3].onboardingUrl`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FixtureError {
    #[error("The fixture is not valid JSON of the fixture format: {0}")]
    Json(String),
    #[error("The fixture holds more than {max} tenants.")]
    TooManyTenants { max: usize },
    #[error("The fixture holds more than {max} partners.")]
    TooManyPartners { max: usize },
    #[error("{at}: the tenant is listed twice.")]
    DuplicateTenant { at: String },
    #[error("{at}: the partner id is listed twice in its tenant.")]
    DuplicatePartner { at: String },
    #[error("{at}: {reason}")]
    Invalid { at: String, reason: String },
}

impl Fixture {
    /// Parses a fixture's JSON text (checks its shape only; [`Fixture::validate`] checks values).
    pub fn parse(text: &[u8]) -> Result<Fixture, FixtureError> {
        parse::parse(text)
    }

    /// Checks every value and builds the state to write at `now`. `new_code` makes the one-time
    /// code of each partner seeded as `onboarding`, so the partner side can redeem it.
    pub fn validate(
        &self,
        now: Timestamp,
        mut new_code: impl FnMut() -> String,
    ) -> Result<Vec<TenantState>, FixtureError> {
        if self.tenants.len() > MAX_FIXTURE_TENANTS {
            return Err(FixtureError::TooManyTenants {
                max: MAX_FIXTURE_TENANTS,
            });
        }
        let partners: usize = self.tenants.iter().map(|t| t.partners.len()).sum();
        if partners > MAX_FIXTURE_PARTNERS {
            return Err(FixtureError::TooManyPartners {
                max: MAX_FIXTURE_PARTNERS,
            });
        }
        let mut seen = HashSet::new();
        let mut states = Vec::with_capacity(self.tenants.len());
        for (i, t) in self.tenants.iter().enumerate() {
            let at = format!("tenants[{i}]");
            if !seen.insert(t.id) {
                return Err(FixtureError::DuplicateTenant { at });
            }
            states.push(t.validate(&at, now, &mut new_code)?);
        }
        Ok(states)
    }

    /// The fixture that seeds `states` back.
    pub fn from_states(states: &[TenantState]) -> Fixture {
        Fixture {
            tenants: states.iter().map(TenantFixture::from_state).collect(),
        }
    }
}

fn invalid(at: String, reason: impl Into<String>) -> FixtureError {
    FixtureError::Invalid {
        at,
        reason: reason.into(),
    }
}

impl TenantFixture {
    fn validate(
        &self,
        at: &str,
        now: Timestamp,
        new_code: &mut impl FnMut() -> String,
    ) -> Result<TenantState, FixtureError> {
        if self.id.is_nil() {
            return Err(invalid(format!("{at}.id"), "the nil GUID is no tenant"));
        }
        check_name(&format!("{at}.displayName"), self.display_name.as_deref())?;
        let tenant = TenantId(self.id);
        let settings = match &self.settings {
            None => None,
            Some(s) => Some(RemoteAssistanceSettings {
                id: self.id,
                remote_assistance_state: RemoteAssistanceState::parse(&s.remote_assistance_state)
                    .ok_or_else(|| {
                    invalid(
                        format!("{at}.settings.remoteAssistanceState"),
                        "must be 'disabled' or 'enabled'",
                    )
                })?,
                allow_sessions_to_unenrolled_devices: s.allow_sessions_to_unenrolled_devices,
                block_chat: s.block_chat,
            }),
        };
        let mut ids = HashSet::new();
        let mut partners = Vec::with_capacity(self.partners.len());
        for (j, p) in self.partners.iter().enumerate() {
            let at = format!("{at}.partners[{j}]");
            let partner = p.validate(&at, tenant, now, new_code)?;
            if !ids.insert(partner.id) {
                return Err(FixtureError::DuplicatePartner { at });
            }
            partners.push(partner);
        }
        Ok(TenantState {
            tenant: Tenant {
                id: tenant,
                display_name: self.display_name.clone(),
                intune_licensed: self.intune_licensed,
                created: now,
            },
            settings,
            partners,
        })
    }

    fn from_state(state: &TenantState) -> TenantFixture {
        TenantFixture {
            id: state.tenant.id.0,
            display_name: state.tenant.display_name.clone(),
            intune_licensed: state.tenant.intune_licensed,
            settings: state.settings.map(|s| SettingsFixture {
                remote_assistance_state: s.remote_assistance_state.as_str().to_owned(),
                allow_sessions_to_unenrolled_devices: s.allow_sessions_to_unenrolled_devices,
                block_chat: s.block_chat,
            }),
            partners: state
                .partners
                .iter()
                .map(PartnerFixture::from_partner)
                .collect(),
        }
    }
}

fn check_name(at: &str, name: Option<&str>) -> Result<(), FixtureError> {
    match name {
        Some(n) if n.chars().count() > MAX_DISPLAY_NAME_CHARS => Err(invalid(
            at.to_owned(),
            format!("longer than {MAX_DISPLAY_NAME_CHARS} characters"),
        )),
        Some(n) if n.contains('\0') => Err(invalid(at.to_owned(), "contains NUL (U+0000)")),
        _ => Ok(()),
    }
}

impl PartnerFixture {
    fn validate(
        &self,
        at: &str,
        tenant: TenantId,
        now: Timestamp,
        new_code: &mut impl FnMut() -> String,
    ) -> Result<Partner, FixtureError> {
        let id = match self.id {
            Some(id) if id.is_nil() => {
                return Err(invalid(format!("{at}.id"), "the nil GUID is no partner id"));
            }
            Some(id) => PartnerId(id),
            None => PartnerId::new_random(),
        };
        check_name(&format!("{at}.displayName"), self.display_name.as_deref())?;
        if let Some(url) = &self.onboarding_url {
            check_onboarding_url(url)
                .map_err(|e| invalid(format!("{at}.onboardingUrl"), e.to_string()))?;
        }
        if let Some(domain) = &self.partner_domain
            && domain.contains('\0')
        {
            return Err(invalid(
                format!("{at}.partnerDomain"),
                "contains NUL (U+0000)",
            ));
        }
        if self
            .partner_domain
            .as_ref()
            .is_some_and(|d| d.chars().count() > MAX_URL_CHARS)
        {
            return Err(invalid(
                format!("{at}.partnerDomain"),
                format!("longer than {MAX_URL_CHARS} characters"),
            ));
        }
        let status = match self.onboarding_status.as_deref() {
            None => OnboardingStatus::NotOnboarded,
            Some(s) => OnboardingStatus::parse(s).ok_or_else(|| {
                invalid(
                    format!("{at}.onboardingStatus"),
                    "must be 'notOnboarded', 'onboarding' or 'onboarded'",
                )
            })?,
        };
        let time = |name: &str, value: &Option<String>| match value {
            None => Ok(Timestamp::ZERO),
            Some(text) => Timestamp::parse(text).ok_or_else(|| {
                invalid(
                    format!("{at}.{name}"),
                    "must be an ISO 8601 date and time with an offset",
                )
            }),
        };
        let last_connection = time("lastConnectionDateTime", &self.last_connection_date_time)?;
        let expiry = time(
            "onboardingRequestExpiryDateTime",
            &self.onboarding_request_expiry_date_time,
        )?;
        if status == OnboardingStatus::Onboarding && expiry == Timestamp::ZERO {
            return Err(invalid(
                format!("{at}.onboardingRequestExpiryDateTime"),
                "an onboarding partner needs the expiry of its onboarding request",
            ));
        }
        Ok(Partner {
            tenant,
            id,
            display_name: self.display_name.clone(),
            onboarding_url: self.onboarding_url.clone(),
            onboarding_status: status,
            last_connection,
            onboarding_expiry: expiry,
            partner_domain: self.partner_domain.clone(),
            // Only its hash is kept: `rapd onboarding-link` issues a code that can be handed out.
            onboarding_code_hash: (status == OnboardingStatus::Onboarding)
                .then(|| crate::code_hash(&new_code())),
            // A seeded partner has no credential: it connects anew through onboarding.
            credential_hash: None,
            created: now,
            revision: 1,
        })
    }

    fn from_partner(p: &Partner) -> PartnerFixture {
        PartnerFixture {
            id: Some(p.id.0),
            display_name: p.display_name.clone(),
            onboarding_url: p.onboarding_url.clone(),
            onboarding_status: Some(p.onboarding_status.as_str().to_owned()),
            last_connection_date_time: Some(p.last_connection.to_string()),
            onboarding_request_expiry_date_time: Some(p.onboarding_expiry.to_string()),
            partner_domain: p.partner_domain.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> String {
        "code".into()
    }

    #[test]
    fn a_fixture_round_trips_through_its_state() {
        let text = br#"{"tenants":[{"id":"6babcaad-604b-40ac-a9d7-9fd97c0b779f","displayName":"Contoso",
            "settings":{"remoteAssistanceState":"enabled","allowSessionsToUnenrolledDevices":true,"blockChat":false},
            "partners":[{"id":"0a0c1e8f-4d4a-4b57-9d2c-3e0f9fd2a001","displayName":"A","onboardingStatus":"onboarding",
            "onboardingUrl":"https://a.example/on","onboardingRequestExpiryDateTime":"2030-01-01T00:00:00Z"},
            {"id":"0a0c1e8f-4d4a-4b57-9d2c-3e0f9fd2a002","onboardingStatus":"onboarded",
            "lastConnectionDateTime":"2026-01-02T03:04:05.5Z"}]}]}"#;
        let fixture = Fixture::parse(text).unwrap();
        let states = fixture.validate(Timestamp::ZERO, code).unwrap();
        assert_eq!(
            states[0].partners[0].onboarding_code_hash,
            Some(crate::code_hash("code"))
        );
        assert_eq!(states[0].partners[1].onboarding_code_hash, None);
        let again = Fixture::from_states(&states);
        let states_again = again.validate(Timestamp::ZERO, code).unwrap();
        assert_eq!(states, states_again);
    }

    #[test]
    fn bad_entries_are_named() {
        let long_url = format!(
            r#"{{"tenants":[{{"id":"6babcaad-604b-40ac-a9d7-9fd97c0b779f","partners":[{{"onboardingUrl":"{}"}}]}}]}}"#,
            "x".repeat(crate::input::MAX_URL_CHARS + 1)
        );
        let cases = [
            (r#"{"tenants":[{"id":"x"}]"#, "not valid JSON"),
            (r#"{"tenants":[{"id":"x"}]}"#, "tenants[0]: "),
            (r#"{"tenant":[]}"#, "tenant: unknown field"),
            (r#"{"tenants":{}}"#, "tenants: must be an array"),
            (
                r#"{"tenants":[{"id":"6babcaad-604b-40ac-a9d7-9fd97c0b779f","partners":[{},{"colour":"red"}]}]}"#,
                "tenants[0].partners[1].colour: unknown field",
            ),
            (
                r#"{"tenants":[{"id":"6babcaad-604b-40ac-a9d7-9fd97c0b779f","colour":"red"}]}"#,
                "tenants[0].colour: unknown field",
            ),
            (
                r#"{"tenants":[{"id":"6babcaad-604b-40ac-a9d7-9fd97c0b779f","settings":{"blockChat":1}}]}"#,
                "tenants[0].settings: ",
            ),
            (
                r#"{"tenants":[{"id":"6babcaad-604b-40ac-a9d7-9fd97c0b779f","partners":[{"onboardingStatus":"gone"}]}]}"#,
                "tenants[0].partners[0].onboardingStatus",
            ),
            (long_url.as_str(), "tenants[0].partners[0].onboardingUrl"),
            (
                r#"{"tenants":[{"id":"6babcaad-604b-40ac-a9d7-9fd97c0b779f","partners":[{"onboardingStatus":"onboarding"}]}]}"#,
                "onboardingRequestExpiryDateTime",
            ),
            (
                r#"{"tenants":[{"id":"6babcaad-604b-40ac-a9d7-9fd97c0b779f"},{"id":"6babcaad-604b-40ac-a9d7-9fd97c0b779f"}]}"#,
                "tenants[1]: the tenant is listed twice",
            ),
        ];
        for (text, expected) in cases {
            let error = Fixture::parse(text.as_bytes())
                .and_then(|f| f.validate(Timestamp::ZERO, code))
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
