//! Tenants and their Intune licence: provisioned on first use in development, by an operator in
//! production; an unknown or unlicensed tenant is refused with 403.

use rapd_auth::SCOPE_READ_WRITE;
use rapd_model::{Tenant, TenantId};
use rapd_server::Provisioning;
use uuid::Uuid;

use crate::app::{TestApp, graph_error, intune_text};

#[tokio::test]
async fn development_provisions_and_licenses_on_first_use() {
    let app = TestApp::start().await;
    let tenant = Uuid::new_v4();
    assert!(app.store.tenant(TenantId(tenant)).await.unwrap().is_none());
    let token = app.token_for(tenant, &[SCOPE_READ_WRITE]);
    let r = app
        .client
        .get(app.url(&app.partners("v1.0")))
        .bearer_auth(token)
        .send()
        .await;
    assert_eq!(r.unwrap().status(), 200);
    let stored = app.store.tenant(TenantId(tenant)).await.unwrap().unwrap();
    assert!(stored.intune_licensed);
}

#[tokio::test]
async fn production_refuses_unknown_and_unlicensed_tenants() {
    let app = TestApp::with(|s| s.server.provisioning = Provisioning::ByOperator).await;
    let tenant = Uuid::new_v4();
    let token = app.token_for(tenant, &[SCOPE_READ_WRITE]);
    let list = || {
        app.client
            .get(app.url(&app.partners("v1.0")))
            .bearer_auth(&token)
            .send()
    };

    let message = graph_error(list().await.unwrap(), 403, "Forbidden").await;
    assert!(intune_text(&message).contains("license"), "{message}");
    assert!(
        app.store.tenant(TenantId(tenant)).await.unwrap().is_none(),
        "not provisioned by a call"
    );

    let record = Tenant {
        id: TenantId(tenant),
        display_name: None,
        intune_licensed: false,
        created: app.now(),
    };
    app.store.put_tenant(record.clone()).await.unwrap();
    app.clock.advance_secs(6); // past the licence cache
    let message = graph_error(list().await.unwrap(), 403, "Forbidden").await;
    assert!(intune_text(&message).contains("does not have a valid Microsoft Intune license"));
    let create = app
        .client
        .post(app.url(&app.partners("v1.0")))
        .bearer_auth(&token)
        .json(&serde_json::json!({}));
    graph_error(create.send().await.unwrap(), 403, "Forbidden").await;

    app.store
        .put_tenant(Tenant {
            intune_licensed: true,
            ..record
        })
        .await
        .unwrap();
    app.clock.advance_secs(6);
    assert_eq!(list().await.unwrap().status(), 200);
}
