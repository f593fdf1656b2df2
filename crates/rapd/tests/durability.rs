//! The real binary, SIGKILLed right after it acknowledged writes: nothing acknowledged is lost,
//! and each acknowledged change has its audit record.

mod support;

use rapd_model::{OperationKind, TenantId};
use rapd_store::PageQuery;
use serde_json::{Value, json};
use support::{Database, Server, token};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_right_after_a_204_loses_nothing() {
    kill_9_right_after_a_204_loses_nothing_on(Database::Sqlite).await;
}

/// The same crash on PostgreSQL: the process dies, the database keeps what it acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_right_after_a_204_loses_nothing_on_postgres() {
    if let Some(database) = Database::postgres().await {
        kill_9_right_after_a_204_loses_nothing_on(database).await;
    }
}

async fn kill_9_right_after_a_204_loses_nothing_on(database: Database) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_on(&database, dir.path(), &[]).await;
    let token = token(dir.path(), &[]);
    let client = reqwest::Client::new();
    let partners = format!(
        "{}/v1.0/deviceManagement/remoteAssistancePartners",
        server.origin
    );

    let body = json!({"displayName": "to disconnect"});
    let id = support::create_partner(&client, &partners, &token, body).await;
    let begin = client
        .post(format!("{partners}/{id}/beginOnboarding"))
        .bearer_auth(&token);
    assert_eq!(begin.send().await.unwrap().status(), 204);

    // Creates in flight while the disconnect is acknowledged and the process is killed.
    let writers: Vec<_> = (0..40)
        .map(|i| {
            let (client, partners, token) = (client.clone(), partners.clone(), token.clone());
            tokio::spawn(async move {
                let r = client
                    .post(&partners)
                    .bearer_auth(&token)
                    .json(&json!({"displayName": format!("w{i}")}))
                    .send()
                    .await
                    .ok()?;
                if r.status() != 201 {
                    return None;
                }
                let body: Value = r.json().await.ok()?;
                Some(body["id"].as_str()?.to_owned())
            })
        })
        .collect();
    let disconnect = client
        .post(format!("{partners}/{id}/disconnect"))
        .bearer_auth(&token);
    assert_eq!(disconnect.send().await.unwrap().status(), 204);
    server.kill9();
    let mut acknowledged = Vec::new();
    for w in writers {
        if let Some(id) = w.await.unwrap() {
            acknowledged.push(id);
        }
    }

    let server = Server::start_on(&database, dir.path(), &[]).await;
    let read = |id: String| {
        let client = client.clone();
        let url = format!(
            "{}/v1.0/deviceManagement/remoteAssistancePartners/{id}",
            server.origin
        );
        let token = token.clone();
        async move { client.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let p: Value = read(id.clone()).await.json().await.unwrap();
    assert_eq!(p["onboardingStatus"], "notOnboarded");
    for created in &acknowledged {
        assert_eq!(
            read(created.clone()).await.status(),
            200,
            "acknowledged create {created} lost"
        );
    }
    server.kill9();

    // Every acknowledged change has its audit record, committed with it.
    let store = database.open_store(dir.path()).await;
    let audit = store
        .audit_entries(TenantId(rapd_auth::DEV_TENANT))
        .await
        .unwrap();
    let disconnects = audit
        .iter()
        .filter(|e| e.kind == OperationKind::Disconnect && e.resource_id.to_string() == id)
        .count();
    assert_eq!(disconnects, 1);
    for created in &acknowledged {
        assert!(
            audit
                .iter()
                .any(|e| e.kind == OperationKind::Create && &e.resource_id.to_string() == created),
            "no audit record for acknowledged create {created}"
        );
    }
    // Nothing half-applied: every partner row has its create record and vice versa.
    let rows = store
        .list(TenantId(rapd_auth::DEV_TENANT), &PageQuery::all())
        .await
        .unwrap()
        .items;
    for row in &rows {
        assert!(
            audit
                .iter()
                .any(|e| e.kind == OperationKind::Create && e.resource_id == row.id.0)
        );
    }
}
