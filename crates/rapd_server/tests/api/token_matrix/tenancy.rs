//! J48 (and reliability.md A1): a valid token of one tenant on another tenant's partner is 404,
//! exactly as for a partner that does not exist; nothing changes and nothing is audited.

use rapd_auth::testing::Principal;
use rapd_auth::{DEV_TENANT, SCOPE_READ_WRITE};
use rapd_model::TenantId;
use serde_json::Value;
use uuid::Uuid;

use super::expect::*;
use super::fixture::*;
use crate::app::intune_text;

#[tokio::test]
async fn j48_another_tenants_partner_is_404_and_untouched() {
    let m = Matrix::start().await;
    // TB's partner, onboarding, so every action would change it.
    let tb = m.sign(
        Alg::Rs256,
        &m.claims_of(V2, TB, Principal::User(&[SCOPE_READ_WRITE])),
    );
    let id = m.create(&tb, "TB's partner").await;
    assert_eq!(m.send(Op::BeginOnboarding, &id, &tb).await.status(), 204);
    let item = format!("{}/{id}", m.app.partners("v1.0"));
    let read = |token: String| {
        let request = m.app.client.get(m.app.url(&item)).bearer_auth(token);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let before = read(tb.clone()).await;
    let audit_before = m.app.store.audit_entries(TenantId(TB)).await.unwrap();

    // TA with full permission, through each issuer; and the development tenant.
    let intruders = [
        m.token(V1, Alg::Es256),
        m.token(V2, Alg::Rs256),
        m.dev_token(TA, &[SCOPE_READ_WRITE]),
        m.dev_token(DEV_TENANT, &[SCOPE_READ_WRITE]),
    ];
    let missing = Uuid::new_v4().to_string();
    for token in &intruders {
        for op in Op::ON_ONE {
            not_found(m.send(op, &id, token).await, token).await;
            // Indistinguishable from a partner that does not exist.
            let theirs = refusal(m.send(op, &id, token).await, &[token]).await;
            let nobodys = refusal(m.send(op, &missing, token).await, &[token]).await;
            let text = |r: &Refusal| {
                let t = intune_text(&r.message);
                t.split(" - ").next().unwrap().to_owned()
            };
            assert_eq!(
                (theirs.status, &theirs.code),
                (nobodys.status, &nobodys.code)
            );
            assert_eq!(text(&theirs), text(&nobodys), "{op:?}");
        }
        // Lists and counts hold only the caller's own partners.
        let list: Value = m.send(Op::List, "", token).await.json().await.unwrap();
        assert!(
            list["value"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["id"] != id.as_str()),
            "{list}"
        );
        let count = m.send(Op::Count, "", token).await.text().await.unwrap();
        assert_eq!(count, "0");
    }

    assert_eq!(read(tb.clone()).await, before, "TB's partner is unchanged");
    let audit_after = m.app.store.audit_entries(TenantId(TB)).await.unwrap();
    assert_eq!(
        audit_after, audit_before,
        "no audit record for the intruders"
    );
    for tenant in [TA, DEV_TENANT] {
        let theirs = m.app.store.audit_entries(TenantId(tenant)).await.unwrap();
        assert!(theirs.is_empty(), "{tenant}: {theirs:?}");
    }
    // TB still can.
    assert_eq!(m.send(Op::Disconnect, &id, &tb).await.status(), 204);
}
