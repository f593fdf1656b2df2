//! A property-based state machine over the HTTP API (reliability research §5.4): random
//! sequences of every operation by two tenants run against a real server and a reference
//! model. After every step the server must agree with the model: status codes, each tenant's
//! partners (read-only properties changed only by the lifecycle), no row seen across tenants,
//! and one audit record per acknowledged change. `PROPTEST_CASES` sets the number of sequences.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rapd_auth::{DEV_TENANT, SCOPE_READ, SCOPE_READ_WRITE};
use rapd_model::{PartnerId, TenantId};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::{TestApp, json};

const TENANT_B: Uuid = Uuid::from_u128(0x5b0e_41c7_2d9a_4f3e_8c61_0a7b_9e2d_4c15);
const AUDIT_READ: &str = "DeviceManagementApps.Read.All";
const ZERO: &str = "0001-01-01T00:00:00Z";
/// `onboarding_ttl_secs` of the test server.
const TTL_SECS: u64 = 600;
const HEARTBEAT_SECS: u64 = 60;

/// Which partner an operation aims at: one the model knows (of either tenant, by position in
/// the model, so other tenants' ids are tried too) or a GUID nobody created.
#[derive(Debug, Clone)]
enum Target {
    Known(usize),
    Fresh,
}

#[derive(Debug, Clone)]
enum Op {
    Create {
        tenant: usize,
        name: Option<String>,
    },
    Get {
        tenant: usize,
        target: Target,
    },
    List {
        tenant: usize,
    },
    Patch {
        tenant: usize,
        target: Target,
        name: Option<String>,
    },
    Delete {
        tenant: usize,
        target: Target,
    },
    BeginOnboarding {
        tenant: usize,
        target: Target,
    },
    Disconnect {
        tenant: usize,
        target: Target,
    },
    /// A write with a read-only token: always 403, never a change.
    ReadOnlyWrite {
        target: Target,
    },
    /// The vendor redeems the last code the model saw for the partner (maybe stale).
    Connect {
        target: Target,
    },
    /// The vendor calls in with the last credential the model saw (maybe revoked).
    Heartbeat {
        target: Target,
    },
    Advance {
        secs: u64,
    },
}

fn tenant() -> impl Strategy<Value = usize> {
    0..2usize
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![4 => (0..8usize).prop_map(Target::Known), 1 => Just(Target::Fresh)]
}

fn name() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[A-Za-z ]{0,12}")
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (tenant(), name()).prop_map(|(tenant, name)| Op::Create { tenant, name }),
        1 => (tenant(), target()).prop_map(|(tenant, target)| Op::Get { tenant, target }),
        1 => tenant().prop_map(|tenant| Op::List { tenant }),
        2 => (tenant(), target(), name())
            .prop_map(|(tenant, target, name)| Op::Patch { tenant, target, name }),
        1 => (tenant(), target()).prop_map(|(tenant, target)| Op::Delete { tenant, target }),
        3 => (tenant(), target())
            .prop_map(|(tenant, target)| Op::BeginOnboarding { tenant, target }),
        2 => (tenant(), target()).prop_map(|(tenant, target)| Op::Disconnect { tenant, target }),
        1 => target().prop_map(|target| Op::ReadOnlyWrite { target }),
        3 => target().prop_map(|target| Op::Connect { target }),
        2 => target().prop_map(|target| Op::Heartbeat { target }),
        1 => prop_oneof![Just(30u64), Just(61), Just(TTL_SECS), Just(TTL_SECS + 1)]
            .prop_map(|secs| Op::Advance { secs }),
    ]
}

/// What the model knows of one partner.
#[derive(Debug, Clone)]
struct Row {
    tenant: usize,
    id: String,
    alive: bool,
    name: Option<String>,
    onboarded: bool,
    /// Model seconds at which an open onboarding request expires.
    expiry: Option<u64>,
    /// The current one-time code, if a request is open.
    code: Option<String>,
    /// The last code ever seen, kept to replay stale codes.
    last_code: Option<String>,
    credential: Option<String>,
    last_credential: Option<String>,
    /// `lastConnectionDateTime` as the server wrote it, and when (model seconds).
    last_connection: String,
    connected_at: Option<u64>,
}

impl Row {
    fn status(&self, now: u64) -> &'static str {
        match (self.onboarded, self.expiry) {
            (true, _) => "onboarded",
            (false, Some(expiry)) if expiry > now => "onboarding",
            _ => "notOnboarded",
        }
    }
}

struct Model {
    rows: Vec<Row>,
    /// The activity types of each tenant's audit trail, sorted.
    audit: [Vec<String>; 2],
    now: u64,
}

impl Model {
    fn row(&self, target: &Target) -> Option<usize> {
        match target {
            Target::Known(i) if !self.rows.is_empty() => Some(i % self.rows.len()),
            _ => None,
        }
    }

    /// The row `tenant` reaches through `target`: only its own, living partners.
    fn own(&self, tenant: usize, target: &Target) -> Option<usize> {
        self.row(target)
            .filter(|&i| self.rows[i].tenant == tenant && self.rows[i].alive)
    }

    fn audit(&mut self, tenant: usize, activity: &str) {
        self.audit[tenant].push(format!("{activity} RemoteAssistancePartner"));
        self.audit[tenant].sort();
    }
}

struct Harness {
    app: TestApp,
    tenants: [Uuid; 2],
    tokens: [String; 2],
    read_only: String,
    auditors: [String; 2],
}

impl Harness {
    fn mint(&mut self) {
        for (i, tenant) in self.tenants.into_iter().enumerate() {
            self.tokens[i] = self.app.token_for(tenant, &[SCOPE_READ_WRITE]);
            self.auditors[i] = self.app.token_for(tenant, &[AUDIT_READ]);
        }
        self.read_only = self.app.token_for(DEV_TENANT, &[SCOPE_READ]);
    }

    fn path(&self, model: &Model, target: &Target) -> String {
        let id = match model.row(target) {
            Some(i) => model.rows[i].id.clone(),
            None => Uuid::new_v4().to_string(),
        };
        format!("{}/{id}", self.app.partners("v1.0"))
    }

    async fn send(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .app
            .client
            .request(method, self.app.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn code_of(&self, model: &Model, row: usize) -> String {
        let row = &model.rows[row];
        let (tenant, partner) = (
            TenantId(self.tenants[row.tenant]),
            PartnerId::parse(&row.id).unwrap(),
        );
        self.app.issued_code(tenant, partner)
    }
}

fn expect(actual: StatusCode, expected: u16, op: &Op) -> Result<(), TestCaseError> {
    prop_assert_eq!(actual.as_u16(), expected, "status of {:?}", op);
    Ok(())
}

/// Runs one operation on the server and the model, comparing the status codes.
async fn step(h: &mut Harness, m: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    match op {
        Op::Create { tenant, name } => {
            // Read-only properties in the body are accepted and ignored.
            let body = json!({ "displayName": name, "onboardingStatus": "onboarded",
                "lastConnectionDateTime": "2024-01-01T00:00:00Z", "id": Uuid::new_v4() });
            let path = h.app.partners("v1.0");
            let (status, body) = h
                .send(&h.tokens[*tenant], Method::POST, &path, Some(body))
                .await;
            expect(status, 201, op)?;
            m.rows.push(Row {
                tenant: *tenant,
                id: body["id"].as_str().unwrap().to_owned(),
                alive: true,
                name: name.clone(),
                onboarded: false,
                expiry: None,
                code: None,
                last_code: None,
                credential: None,
                last_credential: None,
                last_connection: ZERO.to_owned(),
                connected_at: None,
            });
            m.audit(*tenant, "Create");
        }
        Op::Get { tenant, target } => {
            let path = h.path(m, target);
            let (status, body) = h.send(&h.tokens[*tenant], Method::GET, &path, None).await;
            match m.own(*tenant, target) {
                Some(i) => {
                    expect(status, 200, op)?;
                    same_partner(&body, &m.rows[i], m.now)?;
                }
                None => expect(status, 404, op)?,
            }
        }
        Op::List { tenant } => {
            list_matches(h, m, *tenant).await?;
        }
        Op::Patch {
            tenant,
            target,
            name,
        } => {
            let body = json!({ "displayName": name, "onboardingStatus": "onboarded",
                "lastConnectionDateTime": "2030-01-01T00:00:00Z", "id": Uuid::new_v4() });
            let path = h.path(m, target);
            let (status, _) = h
                .send(&h.tokens[*tenant], Method::PATCH, &path, Some(body))
                .await;
            match m.own(*tenant, target) {
                Some(i) => {
                    prop_assert!(status.is_success(), "PATCH answered {}", status);
                    m.rows[i].name = name.clone();
                    m.audit(*tenant, "Patch");
                }
                None => expect(status, 404, op)?,
            }
        }
        Op::Delete { tenant, target } => {
            let path = h.path(m, target);
            let (status, _) = h
                .send(&h.tokens[*tenant], Method::DELETE, &path, None)
                .await;
            match m.own(*tenant, target) {
                Some(i) => {
                    expect(status, 204, op)?;
                    let row = &mut m.rows[i];
                    row.alive = false;
                    row.code = None;
                    row.credential = None;
                    m.audit(*tenant, "Delete");
                }
                None => expect(status, 404, op)?,
            }
        }
        Op::BeginOnboarding { tenant, target } => {
            let path = format!("{}/beginOnboarding", h.path(m, target));
            let (status, _) = h.send(&h.tokens[*tenant], Method::POST, &path, None).await;
            match m.own(*tenant, target) {
                Some(i) => {
                    expect(status, 204, op)?;
                    if !m.rows[i].onboarded {
                        let code = h.code_of(m, i).await;
                        let row = &mut m.rows[i];
                        row.expiry = Some(m.now + TTL_SECS);
                        row.code = Some(code.clone());
                        row.last_code = Some(code);
                    }
                    m.audit(*tenant, "BeginOnboarding");
                }
                None => expect(status, 404, op)?,
            }
        }
        Op::Disconnect { tenant, target } => {
            let path = format!("{}/disconnect", h.path(m, target));
            let (status, _) = h.send(&h.tokens[*tenant], Method::POST, &path, None).await;
            match m.own(*tenant, target) {
                Some(i) => {
                    expect(status, 204, op)?;
                    let row = &mut m.rows[i];
                    row.onboarded = false;
                    row.expiry = None;
                    row.code = None;
                    row.credential = None;
                    m.audit(*tenant, "Disconnect");
                }
                None => expect(status, 404, op)?,
            }
        }
        Op::ReadOnlyWrite { target } => {
            let path = h.path(m, target);
            let body = json!({ "displayName": "read-only caller" });
            let (status, _) = h.send(&h.read_only, Method::PATCH, &path, Some(body)).await;
            expect(status, 403, op)?;
            let path = format!("{path}/disconnect");
            let (status, _) = h.send(&h.read_only, Method::POST, &path, None).await;
            expect(status, 403, op)?;
        }
        Op::Connect { target } => {
            let Some(i) = m.row(target) else {
                return Ok(());
            };
            let Some(code) = m.rows[i].last_code.clone() else {
                return Ok(());
            };
            let response = h
                .app
                .client
                .post(h.app.url("/partner/v1/onboarding"))
                .json(&json!({ "code": code }))
                .send()
                .await
                .unwrap();
            let row = &m.rows[i];
            let open = row.alive
                && row.status(m.now) == "onboarding"
                && row.code.as_deref() == Some(code.as_str());
            if open {
                expect(response.status(), 200, op)?;
                let body = json(response).await;
                let row = &mut m.rows[i];
                row.onboarded = true;
                row.expiry = None;
                row.code = None;
                row.credential = Some(body["credential"].as_str().unwrap().to_owned());
                row.last_credential = row.credential.clone();
                row.last_connection = body["lastConnectionDateTime"].as_str().unwrap().to_owned();
                prop_assert_ne!(row.last_connection.as_str(), ZERO);
                row.connected_at = Some(m.now);
                let tenant = row.tenant;
                m.audit(tenant, "Connect");
            } else {
                expect(response.status(), 401, op)?;
            }
        }
        Op::Heartbeat { target } => {
            let Some(i) = m.row(target) else {
                return Ok(());
            };
            let Some(credential) = m.rows[i].last_credential.clone() else {
                return Ok(());
            };
            let response = h
                .app
                .client
                .get(h.app.url("/partner/v1/connection"))
                .bearer_auth(&credential)
                .send()
                .await
                .unwrap();
            let row = &m.rows[i];
            if row.alive && row.onboarded && row.credential.as_deref() == Some(credential.as_str())
            {
                expect(response.status(), 200, op)?;
                let body = json(response).await;
                let due = row
                    .connected_at
                    .is_some_and(|at| m.now >= at + HEARTBEAT_SECS);
                if due {
                    let row = &mut m.rows[i];
                    row.last_connection =
                        body["lastConnectionDateTime"].as_str().unwrap().to_owned();
                    row.connected_at = Some(m.now);
                    let tenant = row.tenant;
                    m.audit(tenant, "Heartbeat");
                } else {
                    prop_assert_eq!(
                        &body["lastConnectionDateTime"],
                        row.last_connection.as_str()
                    );
                }
            } else {
                expect(response.status(), 401, op)?;
            }
        }
        Op::Advance { secs } => {
            h.app.clock.advance_secs(*secs as i64);
            m.now += secs;
            h.mint();
        }
    }
    Ok(())
}

fn same_partner(body: &Value, row: &Row, now: u64) -> Result<(), TestCaseError> {
    prop_assert_eq!(body["id"].as_str(), Some(row.id.as_str()));
    prop_assert_eq!(body["displayName"].as_str(), row.name.as_deref());
    prop_assert_eq!(
        body["onboardingStatus"].as_str(),
        Some(row.status(now)),
        "{}",
        body
    );
    prop_assert_eq!(
        body["lastConnectionDateTime"].as_str(),
        Some(row.last_connection.as_str())
    );
    Ok(())
}

/// The tenant's collection holds exactly its living partners, as the model has them.
async fn list_matches(h: &Harness, m: &Model, tenant: usize) -> Result<(), TestCaseError> {
    let url = h.app.url(&h.app.partners("v1.0"));
    let mut seen = BTreeMap::new();
    for page in h.app.pages(url, &h.tokens[tenant]).await {
        for partner in page["value"].as_array().unwrap() {
            seen.insert(partner["id"].as_str().unwrap().to_owned(), partner.clone());
        }
    }
    let expected: Vec<&Row> = m
        .rows
        .iter()
        .filter(|r| r.alive && r.tenant == tenant)
        .collect();
    prop_assert_eq!(
        seen.len(),
        expected.len(),
        "tenant {} sees {:?}",
        tenant,
        seen.keys()
    );
    for row in expected {
        let body = seen.get(&row.id);
        prop_assert!(body.is_some(), "tenant {} misses {}", tenant, row.id);
        same_partner(body.unwrap(), row, m.now)?;
    }
    Ok(())
}

/// Each tenant's audit trail holds one record per acknowledged change, and only its own.
async fn audit_matches(h: &Harness, m: &Model, tenant: usize) -> Result<(), TestCaseError> {
    let url = h.app.url("/v1.0/deviceManagement/auditEvents");
    let mut activities = Vec::new();
    for page in h.app.pages(url, &h.auditors[tenant]).await {
        for event in page["value"].as_array().unwrap() {
            let resource = event["resources"][0]["resourceId"].as_str().unwrap();
            let owner = m.rows.iter().find(|r| r.id == resource).map(|r| r.tenant);
            prop_assert_eq!(
                owner,
                Some(tenant),
                "audit of another tenant's {}",
                resource
            );
            activities.push(event["activityType"].as_str().unwrap().to_owned());
        }
    }
    activities.sort();
    prop_assert_eq!(&activities, &m.audit[tenant]);
    Ok(())
}

async fn run_sequence(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let app = TestApp::start().await;
    let mut h = Harness {
        app,
        tenants: [DEV_TENANT, TENANT_B],
        tokens: [String::new(), String::new()],
        read_only: String::new(),
        auditors: [String::new(), String::new()],
    };
    h.mint();
    let mut m = Model {
        rows: Vec::new(),
        audit: [Vec::new(), Vec::new()],
        now: 0,
    };
    for op in &ops {
        step(&mut h, &mut m, op).await?;
        for tenant in 0..2 {
            list_matches(&h, &m, tenant).await?;
        }
    }
    for tenant in 0..2 {
        audit_matches(&h, &m, tenant).await?;
    }
    Ok(())
}

#[test]
fn the_api_agrees_with_its_model_over_random_sequences_of_two_tenants() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(24);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&proptest::collection::vec(op(), 1..40), |ops| {
        runtime.block_on(run_sequence(ops))
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
