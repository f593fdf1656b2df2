//! What the clients were told: every write with its unique mark, whether it was acknowledged
//! (2xx), refused, or left in doubt by the kill; and what that allows the server to show after
//! a restart.

use std::collections::HashMap;

/// A write the load sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Create,
    Patch,
    BeginOnboarding,
    Disconnect,
    Delete,
}

impl Kind {
    /// The `activityType` of its audit record.
    pub fn activity(self) -> &'static str {
        match self {
            Kind::Create => "Create RemoteAssistancePartner",
            Kind::Patch => "Patch RemoteAssistancePartner",
            Kind::BeginOnboarding => "BeginOnboarding RemoteAssistancePartner",
            Kind::Disconnect => "Disconnect RemoteAssistancePartner",
            Kind::Delete => "Delete RemoteAssistancePartner",
        }
    }
}

/// A partner as the server must show it: `None` once deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub name: String,
    pub status: &'static str,
}

/// One partner a writer owns (only its writer touches it, so its writes are ordered).
#[derive(Debug, Clone)]
pub struct Tracked {
    pub id: String,
    /// The state after the last acknowledged write.
    pub state: Option<Shown>,
    /// A write sent but never answered: the kill came first. Its mark is the new name.
    pub in_doubt: Option<(Kind, String)>,
}

impl Tracked {
    /// The state after `kind` (with `mark` for a PATCH) on top of the acknowledged one.
    pub fn after(&self, kind: Kind, mark: &str) -> Option<Shown> {
        let current = self.state.clone()?;
        match kind {
            Kind::Create => Some(current),
            Kind::Patch => Some(Shown {
                name: mark.to_owned(),
                ..current
            }),
            Kind::BeginOnboarding => Some(Shown {
                status: "onboarding",
                ..current
            }),
            Kind::Disconnect => Some(Shown {
                status: "notOnboarded",
                ..current
            }),
            Kind::Delete => None,
        }
    }
}

/// Audit records each (partner, activity) must have: at least `min` (acknowledged, or in
/// doubt but visibly applied), at most `max` (plus those in doubt whose effect cannot be seen).
#[derive(Debug, Default, Clone, Copy)]
pub struct Bounds {
    pub min: u64,
    pub max: u64,
}

#[derive(Debug, Default)]
pub struct AuditTally(pub HashMap<(String, &'static str), Bounds>);

impl AuditTally {
    pub fn applied(&mut self, id: &str, kind: Kind) {
        let b = self.0.entry((id.to_owned(), kind.activity())).or_default();
        b.min += 1;
        b.max += 1;
    }

    pub fn maybe(&mut self, id: &str, kind: Kind) {
        self.0
            .entry((id.to_owned(), kind.activity()))
            .or_default()
            .max += 1;
    }
}

/// A writer's partners and the creates it sent without learning the id.
#[derive(Debug, Default)]
pub struct Book {
    pub partners: Vec<Tracked>,
    pub creates_in_doubt: Vec<String>,
    pub acknowledged: u64,
}
