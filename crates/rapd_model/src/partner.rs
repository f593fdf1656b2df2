//! The `remoteAssistancePartner` entity and its identifiers.

use std::fmt;

use uuid::Uuid;

use crate::timestamp::Timestamp;

/// A tenant: the `tid` of the caller's token. Every stored row is keyed by it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(pub Uuid);

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A partner's `id`: a GUID, as Intune assigns them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartnerId(pub Uuid);

impl PartnerId {
    pub fn new_random() -> PartnerId {
        PartnerId(Uuid::new_v4())
    }

    /// Parses the key segment of a URL. Anything that is not a GUID names no partner, so callers
    /// answer it as not found.
    pub fn parse(text: &str) -> Option<PartnerId> {
        Uuid::try_parse(text).ok().map(PartnerId)
    }
}

impl fmt::Display for PartnerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// `microsoft.graph.remoteAssistanceOnboardingStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OnboardingStatus {
    NotOnboarded,
    Onboarding,
    Onboarded,
}

impl OnboardingStatus {
    pub const ALL: [OnboardingStatus; 3] = [
        OnboardingStatus::NotOnboarded,
        OnboardingStatus::Onboarding,
        OnboardingStatus::Onboarded,
    ];

    /// The member name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            OnboardingStatus::NotOnboarded => "notOnboarded",
            OnboardingStatus::Onboarding => "onboarding",
            OnboardingStatus::Onboarded => "onboarded",
        }
    }

    /// The member's value in the CSDL, also its stored form.
    pub fn value(self) -> i64 {
        match self {
            OnboardingStatus::NotOnboarded => 0,
            OnboardingStatus::Onboarding => 1,
            OnboardingStatus::Onboarded => 2,
        }
    }

    pub fn from_value(value: i64) -> Option<OnboardingStatus> {
        OnboardingStatus::ALL
            .into_iter()
            .find(|s| s.value() == value)
    }

    /// Parses a member name; OData enum members are case-sensitive.
    pub fn parse(name: &str) -> Option<OnboardingStatus> {
        OnboardingStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// One partner as stored: the Graph properties plus what the lifecycle needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    pub tenant: TenantId,
    pub id: PartnerId,
    pub display_name: Option<String>,
    pub onboarding_url: Option<String>,
    pub onboarding_status: OnboardingStatus,
    pub last_connection: Timestamp,
    /// `onboardingRequestExpiryDateTime` (beta); [`Timestamp::ZERO`] until onboarding begins.
    pub onboarding_expiry: Timestamp,
    /// The partner account domain given to beta `beginOnboarding`, if any.
    pub partner_domain: Option<String>,
    /// The SHA-256 (hex) of the open onboarding request's one-time code ([`crate::code_hash`]);
    /// the code itself is handed out when it is issued and never stored.
    pub onboarding_code_hash: Option<String>,
    /// SHA-256 of the partner's credential secret while it is onboarded; the secret itself is
    /// returned once, to the partner, and never stored.
    pub credential_hash: Option<[u8; 32]>,
    pub created: Timestamp,
    /// Bumped by every change; lets engines and tests detect lost updates.
    pub revision: i64,
}

impl Partner {
    /// The status a reader sees at `now`: an onboarding request whose expiry has passed reads
    /// `notOnboarded`, whether or not a write has recorded the expiry yet.
    pub fn status_at(&self, now: Timestamp) -> OnboardingStatus {
        match self.onboarding_status {
            OnboardingStatus::Onboarding if self.onboarding_expiry <= now => {
                OnboardingStatus::NotOnboarded
            }
            status => status,
        }
    }
}
