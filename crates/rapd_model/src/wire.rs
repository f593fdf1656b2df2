//! The JSON a Graph client reads: entities and collections written straight into a byte buffer
//! (no intermediate `Value`), in the property order of Microsoft's examples.

use crate::{ApiVersion, Partner, Timestamp};

const PARTNER_ODATA_TYPE: &str = "#microsoft.graph.remoteAssistancePartner";

/// Writes one partner as Graph shows it at `now`; `context` becomes `@odata.context` when given.
pub fn write_partner(
    out: &mut Vec<u8>,
    context: Option<&str>,
    p: &Partner,
    version: ApiVersion,
    now: Timestamp,
) {
    out.push(b'{');
    if let Some(context) = context {
        out.extend_from_slice(b"\"@odata.context\":");
        write_str(out, context);
        out.push(b',');
    }
    out.extend_from_slice(b"\"@odata.type\":\"");
    out.extend_from_slice(PARTNER_ODATA_TYPE.as_bytes());
    out.extend_from_slice(b"\",\"id\":\"");
    out.extend_from_slice(p.id.to_string().as_bytes());
    out.extend_from_slice(b"\",\"displayName\":");
    write_opt_str(out, p.display_name.as_deref());
    out.extend_from_slice(b",\"onboardingUrl\":");
    write_opt_str(out, p.onboarding_url.as_deref());
    out.extend_from_slice(b",\"onboardingStatus\":\"");
    out.extend_from_slice(p.status_at(now).as_str().as_bytes());
    out.extend_from_slice(b"\",\"lastConnectionDateTime\":\"");
    out.extend_from_slice(p.last_connection.to_string().as_bytes());
    out.push(b'"');
    if version == ApiVersion::Beta {
        let expiry = if p.status_at(now) == p.onboarding_status {
            p.onboarding_expiry
        } else {
            Timestamp::ZERO
        };
        out.extend_from_slice(b",\"onboardingRequestExpiryDateTime\":\"");
        out.extend_from_slice(expiry.to_string().as_bytes());
        out.push(b'"');
    }
    out.push(b'}');
}

/// Writes a collection response: `{"@odata.context":…,"value":[…]}`.
pub fn write_collection(
    out: &mut Vec<u8>,
    context: &str,
    partners: &[Partner],
    version: ApiVersion,
    now: Timestamp,
) {
    out.extend_from_slice(b"{\"@odata.context\":");
    write_str(out, context);
    out.extend_from_slice(b",\"value\":[");
    for (i, p) in partners.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_partner(out, None, p, version, now);
    }
    out.extend_from_slice(b"]}");
}

fn write_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use uuid::Uuid;

    use super::*;
    use crate::{OnboardingStatus, PartnerId, TenantId};

    fn partner() -> Partner {
        Partner {
            tenant: TenantId(Uuid::nil()),
            id: PartnerId(Uuid::parse_str("7443c8b9-c8b9-7443-b9c8-4374b9c84374").unwrap()),
            display_name: Some("Display \"Name\" value".into()),
            onboarding_url: None,
            onboarding_status: OnboardingStatus::Onboarding,
            last_connection: Timestamp::ZERO,
            onboarding_expiry: Timestamp::from_unix_secs(100),
            partner_domain: None,
            created: Timestamp::ZERO,
            revision: 1,
        }
    }

    #[test]
    fn v1_entity_shape() {
        let mut out = Vec::new();
        write_partner(
            &mut out,
            Some("ctx"),
            &partner(),
            ApiVersion::V1,
            Timestamp::from_unix_secs(1),
        );
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v,
            json!({
                "@odata.context": "ctx",
                "@odata.type": "#microsoft.graph.remoteAssistancePartner",
                "id": "7443c8b9-c8b9-7443-b9c8-4374b9c84374",
                "displayName": "Display \"Name\" value",
                "onboardingUrl": null,
                "onboardingStatus": "onboarding",
                "lastConnectionDateTime": "0001-01-01T00:00:00Z"
            })
        );
    }

    #[test]
    fn beta_adds_expiry_and_hides_a_passed_one() {
        let mut out = Vec::new();
        write_collection(
            &mut out,
            "c",
            &[partner()],
            ApiVersion::Beta,
            Timestamp::from_unix_secs(200),
        );
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["value"][0]["onboardingStatus"], "notOnboarded");
        assert_eq!(
            v["value"][0]["onboardingRequestExpiryDateTime"],
            "0001-01-01T00:00:00Z"
        );
    }
}
