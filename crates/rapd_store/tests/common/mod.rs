//! What the store's test files share: an audit context and a partner input.

use rapd_model::{Actor, AuditContext, PartnerInput};
use uuid::Uuid;

pub fn ctx() -> AuditContext {
    AuditContext {
        actor: Actor {
            actor_type: "ItPro".into(),
            user_id: Some("u".into()),
            ..Actor::default()
        },
        correlation_id: Uuid::new_v4(),
    }
}

pub fn named(name: &str) -> PartnerInput {
    PartnerInput {
        display_name: Some(Some(name.into())),
        onboarding_url: None,
    }
}
