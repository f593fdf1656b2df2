//! OData query options on the collection, `/$count` and one entity; server-driven paging.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::app::{TestApp, graph_error, json};

async fn list(app: &TestApp, query: &str) -> Value {
    let r = app
        .request(Method::GET, &format!("{}?{query}", app.partners("v1.0")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{query}");
    json(r).await
}

fn names(body: &Value) -> Vec<String> {
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["displayName"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn seed(app: &TestApp) -> Vec<String> {
    let mut ids = Vec::new();
    for name in ["Contoso", "Fabrikam", "Northwind", "Contoso East", "Adatum"] {
        ids.push(app.create("v1.0", name).await);
    }
    let url = format!("{}/{}/beginOnboarding", app.partners("v1.0"), ids[1]);
    assert_eq!(
        app.request(Method::POST, &url)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    ids
}

#[tokio::test]
async fn filter_orderby_select_top_and_count() {
    let app = TestApp::start().await;
    let ids = seed(&app).await;

    let body = list(
        &app,
        "$filter=startswith(displayName,'Contoso')&$orderby=displayName%20desc",
    )
    .await;
    assert_eq!(names(&body), ["Contoso East", "Contoso"]);
    let body = list(&app, "$filter=onboardingStatus%20eq%20'onboarding'").await;
    assert_eq!(names(&body), ["Fabrikam"]);
    let body = list(
        &app,
        "$filter=not%20(displayName%20in%20('Contoso','Adatum'))&$orderby=displayName",
    )
    .await;
    assert_eq!(names(&body), ["Contoso East", "Fabrikam", "Northwind"]);
    let body = list(&app, &format!("$filter=id%20eq%20{}", ids[2])).await;
    assert_eq!(names(&body), ["Northwind"]);
    let body = list(&app, "$filter=contains(displayName,'o')%20and%20onboardingStatus%20ne%20'onboarding'&$count=true&$top=2&$orderby=displayName").await;
    assert_eq!(body["@odata.count"], 3, "the count ignores $top");
    assert_eq!(names(&body), ["Contoso", "Contoso East"]);
    assert!(body["@odata.nextLink"].is_string());

    let body = list(
        &app,
        "$select=displayName,onboardingStatus&$orderby=displayName&$top=1",
    )
    .await;
    assert_eq!(
        body["value"][0],
        json!({"displayName": "Adatum", "onboardingStatus": "notOnboarded"})
    );
    assert!(body["@odata.context"].as_str().unwrap().ends_with(
        "$metadata#deviceManagement/remoteAssistancePartners(displayName,onboardingStatus)"
    ));

    let one = app.request(
        Method::GET,
        &format!("{}/{}?$select=displayName", app.partners("v1.0"), ids[0]),
    );
    let one = json(one.send().await.unwrap()).await;
    assert_eq!(one["displayName"], "Contoso");
    assert!(one.get("id").is_none());
    assert!(
        one["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("remoteAssistancePartners(displayName)/$entity")
    );

    let count = app.request(
        Method::GET,
        &format!(
            "{}/$count?$filter=startswith(displayName,'C')",
            app.partners("v1.0")
        ),
    );
    assert_eq!(count.send().await.unwrap().text().await.unwrap(), "2");
}

#[tokio::test]
async fn bad_options_are_400_naming_the_option() {
    let app = TestApp::start().await;
    for (query, option) in [
        ("$filter=colour%20eq%20'x'", "$filter"),
        ("$filter=displayName%20eq", "$filter"),
        ("$top=1001", "$top"),
        ("$top=-1", "$top"),
        ("$orderby=nothing", "$orderby"),
        ("$select=x", "$select"),
        ("$expand=anything", "$expand"),
        ("$skiptoken=forged", "$skiptoken"),
        (
            "$filter=onboardingRequestExpiryDateTime%20eq%20null",
            "$filter",
        ),
    ] {
        let r = app
            .request(Method::GET, &format!("{}?{query}", app.partners("v1.0")))
            .send()
            .await
            .unwrap();
        let message = graph_error(r, 400, "BadRequest").await;
        assert!(message.contains(option), "{query}: {message}");
    }
    let long = format!("$filter=displayName%20eq%20'{}'", "x".repeat(3000));
    let r = app
        .request(Method::GET, &format!("{}?{long}", app.partners("v1.0")))
        .send()
        .await
        .unwrap();
    graph_error(r, 400, "BadRequest").await;
}

#[tokio::test]
async fn a_paging_walk_returns_each_partner_exactly_once_while_others_come_and_go() {
    let app = TestApp::start().await;
    let mut original = HashSet::new();
    for i in 0..1000 {
        original.insert(app.create("v1.0", &format!("p{i:04}")).await);
    }
    let mut seen = Vec::new();
    let mut churn = 0;
    let mut next = Some(app.url(&format!(
        "{}?$top=7&$orderby=displayName",
        app.partners("v1.0")
    )));
    while let Some(url) = next {
        let page = json(
            app.client
                .get(&url)
                .bearer_auth(&app.token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(page["value"].as_array().unwrap().len() <= 7);
        for p in page["value"].as_array().unwrap() {
            seen.push(p["id"].as_str().unwrap().to_owned());
        }
        next = page["@odata.nextLink"].as_str().map(str::to_owned);
        // Others insert and delete while the walk goes on.
        let added = app.create("v1.0", &format!("churn{churn}")).await;
        let url = format!("{}/{added}", app.partners("v1.0"));
        if churn % 2 == 0 {
            assert_eq!(
                app.request(Method::DELETE, &url)
                    .send()
                    .await
                    .unwrap()
                    .status(),
                204
            );
        }
        churn += 1;
    }
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no partner twice");
    assert!(
        original.is_subset(&unique),
        "every partner present from start to end was returned"
    );
    assert!(churn >= 143);
}

/// A2: tenant B's queries never see tenant A's partner, whatever the options.
#[tokio::test]
async fn queries_never_cross_tenants() {
    let app = TestApp::start().await;
    let x = app.create("v1.0", "Tenant A secret").await;
    let other = app.token_for(uuid::Uuid::new_v4(), &[rapd_auth::SCOPE_READ_WRITE]);
    for i in 0..3 {
        let r = app
            .client
            .post(app.url(&app.partners("v1.0")))
            .bearer_auth(&other);
        let r = r
            .json(&json!({"displayName": format!("b{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    for query in [
        format!("$filter=id%20eq%20{x}"),
        "$filter=displayName%20eq%20'Tenant%20A%20secret'".to_owned(),
        "$filter=startswith(displayName,'Tenant')&$count=true".to_owned(),
        "$count=true&$top=1".to_owned(),
        "$skip=0&$top=100&$orderby=displayName%20desc".to_owned(),
    ] {
        let first = app.url(&format!("{}?{query}", app.partners("v1.0")));
        for page in app.pages(first, &other).await {
            let text = page.to_string();
            assert!(
                !text.contains(&x) && !text.contains("Tenant A secret"),
                "{query}: {text}"
            );
            if let Some(count) = page["@odata.count"].as_u64() {
                assert!(count <= 3, "{query}: only tenant B's rows are counted");
            }
        }
    }
    let count = app.client.get(app.url(&format!(
        "{}/$count?$filter=id%20eq%20{x}",
        app.partners("v1.0")
    )));
    assert_eq!(
        count
            .bearer_auth(&other)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "0"
    );
}
