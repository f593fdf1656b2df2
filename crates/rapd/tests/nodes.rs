//! Two rapd processes over one PostgreSQL database, as behind a load balancer: a write on one
//! node is read on the other at once, and concurrent actions on one partner through both nodes
//! end in a state that some serial order of the acknowledged requests explains, each with its
//! audit record (reliability research §5.4). Needs `RAPD_TEST_DATABASE_URL`; skipped without it
//! (and failed under `CI=true`). Throttling is shared through Redis when `RAPD_TEST_REDIS_URL`
//! is given, and per node without it.

mod support;

use std::collections::HashMap;

use rand::{Rng, SeedableRng, rngs::StdRng};
use rapd_model::{AuditEntry, OperationKind, TenantId};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::{Database, Server, token};
use uuid::Uuid;

/// Rounds of concurrent requests on a fresh partner.
const ROUNDS: usize = 200;
/// The most requests in flight at once in a round.
const MAX_CONCURRENT: usize = 6;

async fn two_nodes(database: &Database, dir: &std::path::Path) -> [Server; 2] {
    // Both nodes share the data dir only for the development issuer's key, so one token works
    // on either; the partners live in PostgreSQL.
    let env = [("RAPD_THROTTLING", "off")];
    let a = Server::start_on(database, dir, &env).await;
    let b = Server::start_on(database, dir, &env).await;
    [a, b]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_one_node_is_read_on_the_other_at_once() {
    let Some(database) = Database::postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let [a, b] = two_nodes(&database, dir.path()).await;
    let token = token(dir.path(), &[]);
    let client = Client::new();
    for i in 0..20 {
        let created: Value = client
            .post(a.partners())
            .bearer_auth(&token)
            .json(&json!({ "displayName": format!("made on A {i}") }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["id"].as_str().unwrap();
        let on_b = client
            .get(format!("{}/{id}", b.partners()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(on_b.status(), 200, "B sees A's create at once");
        let mut on_b: Value = on_b.json().await.unwrap();
        let mut created = created.clone();
        // Each node names itself in the context URL; the entity is the same.
        on_b.as_object_mut().unwrap().remove("@odata.context");
        created.as_object_mut().unwrap().remove("@odata.context");
        assert_eq!(on_b, created);
        let patch = client
            .patch(format!("{}/{id}", b.partners()))
            .bearer_auth(&token)
            .json(&json!({ "displayName": format!("renamed on B {i}") }))
            .send()
            .await
            .unwrap();
        assert!(patch.status().is_success());
        let on_a: Value =
            support::get_json(&client, &format!("{}/{id}", a.partners()), &token).await;
        assert_eq!(on_a["displayName"], format!("renamed on B {i}"));
        let begin = client.post(format!("{}/{id}/beginOnboarding", a.partners()));
        assert_eq!(support::status(begin, &token).await, 204);
        let delete = client.delete(format!("{}/{id}", b.partners()));
        assert_eq!(support::status(delete, &token).await, 204);
        let gone = client.get(format!("{}/{id}", a.partners()));
        assert_eq!(
            support::status(gone, &token).await,
            404,
            "A sees B's delete at once"
        );
    }
}

/// One request of a round.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Begin,
    Disconnect,
    Rename(String),
    Delete,
}

impl Op {
    fn kind(&self) -> OperationKind {
        match self {
            Op::Begin => OperationKind::BeginOnboarding,
            Op::Disconnect => OperationKind::Disconnect,
            Op::Rename(_) => OperationKind::Patch,
            Op::Delete => OperationKind::Delete,
        }
    }
}

/// The model of one partner: `None` once deleted, else its status and name.
type State = Option<(&'static str, String)>;

/// Applies `op` to `state`; `None` when the op is refused (404: the partner is gone).
fn apply(state: &State, op: &Op) -> Option<State> {
    let (status, name) = state.clone()?;
    Some(match op {
        Op::Begin => Some(("onboarding", name)),
        Op::Disconnect => Some(("notOnboarded", name)),
        Op::Rename(new) => Some((status, new.clone())),
        Op::Delete => None,
    })
}

/// What a request came back with.
struct Outcome {
    op: Op,
    status: StatusCode,
    request_id: Uuid,
}

async fn send(client: Client, partners: String, token: String, id: String, op: Op) -> Outcome {
    let partner = format!("{partners}/{id}");
    let request = match &op {
        Op::Begin => client.post(format!("{partner}/beginOnboarding")),
        Op::Disconnect => client.post(format!("{partner}/disconnect")),
        Op::Rename(name) => client.patch(&partner).json(&json!({ "displayName": name })),
        Op::Delete => client.delete(&partner),
    };
    let response = request.bearer_auth(&token).send().await.unwrap();
    let request_id = response.headers()["request-id"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    Outcome {
        op,
        status: response.status(),
        request_id,
    }
}

fn random_op(rng: &mut StdRng, round: usize, i: usize) -> Op {
    match rng.gen_range(0..7) {
        0 | 1 => Op::Begin,
        2 | 3 => Op::Disconnect,
        4 | 5 => Op::Rename(format!("r{round}-{i}")),
        _ => Op::Delete,
    }
}

/// Checks one round: the audit records of the partner (in commit order) are exactly the
/// acknowledged requests; replaying them on the model from the fresh partner explains every
/// response and the final state read back.
fn check_round(
    round: usize,
    outcomes: &[Outcome],
    trail: &[&AuditEntry],
    name: &str,
    final_state: &State,
) {
    let by_request: HashMap<Uuid, &Outcome> = outcomes.iter().map(|o| (o.request_id, o)).collect();
    let acknowledged: Vec<&Outcome> = outcomes.iter().filter(|o| o.status.is_success()).collect();
    for o in outcomes {
        assert!(
            o.status.is_success() || o.status == StatusCode::NOT_FOUND,
            "round {round}: {:?} answered {}",
            o.op,
            o.status
        );
    }
    assert_eq!(
        trail.len(),
        acknowledged.len(),
        "round {round}: one audit record per acknowledged request"
    );
    // The serial order is the audit order (records are numbered in commit order).
    let mut state: State = Some(("notOnboarded", name.to_owned()));
    for record in trail {
        let outcome = by_request.get(&record.correlation_id).unwrap_or_else(|| {
            panic!("round {round}: an audit record for no acknowledged request")
        });
        assert!(
            outcome.status.is_success(),
            "round {round}: audit of a refused request"
        );
        assert_eq!(record.kind, outcome.op.kind(), "round {round}");
        state = apply(&state, &outcome.op)
            .unwrap_or_else(|| panic!("round {round}: {:?} acknowledged after delete", outcome.op));
    }
    assert_eq!(
        &state, final_state,
        "round {round}: final state is the serial order's"
    );
    // A refused request fits anywhere after the delete, so one must have been acknowledged.
    if outcomes.iter().any(|o| o.status == StatusCode::NOT_FOUND) {
        assert!(
            acknowledged.iter().any(|o| o.op == Op::Delete),
            "round {round}: 404 without an acknowledged delete"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_actions_through_both_nodes_are_serializable_with_their_audit() {
    let Some(database) = Database::postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let nodes = two_nodes(&database, dir.path()).await;
    let token = token(dir.path(), &[]);
    let client = Client::new();
    let seed = rand::thread_rng().r#gen::<u64>();
    eprintln!("seed {seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut rounds = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let name = format!("round {round}");
        let body = json!({ "displayName": name });
        let id = support::create_partner(&client, &nodes[round % 2].partners(), &token, body).await;
        let k = rng.gen_range(2..=MAX_CONCURRENT);
        let ops: Vec<Op> = (0..k).map(|i| random_op(&mut rng, round, i)).collect();
        let requests = ops.into_iter().enumerate().map(|(i, op)| {
            let partners = nodes[i % 2].partners();
            send(client.clone(), partners, token.clone(), id.clone(), op)
        });
        let outcomes = spawn_all(requests).await;
        let read = client
            .get(format!("{}/{id}", nodes[(round + 1) % 2].partners()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let final_state: State = match read.status() {
            StatusCode::NOT_FOUND => None,
            StatusCode::OK => {
                let p: Value = read.json().await.unwrap();
                let status = match p["onboardingStatus"].as_str().unwrap() {
                    "notOnboarded" => "notOnboarded",
                    "onboarding" => "onboarding",
                    other => panic!("round {round}: status {other}"),
                };
                Some((status, p["displayName"].as_str().unwrap().to_owned()))
            }
            other => panic!("round {round}: GET answered {other}"),
        };
        rounds.push((id, name, outcomes, final_state));
    }

    let store = database.open_store(dir.path()).await;
    let audit = store
        .audit_entries(TenantId(rapd_auth::DEV_TENANT))
        .await
        .unwrap();
    for (round, (id, name, outcomes, final_state)) in rounds.iter().enumerate() {
        let trail: Vec<&AuditEntry> = audit
            .iter()
            .filter(|e| e.resource_id.to_string() == *id && e.kind != OperationKind::Create)
            .collect();
        check_round(round, outcomes, &trail, name, final_state);
    }
}

/// Runs every future at once and collects their outputs in order.
async fn spawn_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(tasks.len());
    for task in tasks {
        outputs.push(task.await.unwrap());
    }
    outputs
}

/// The Redis tests may use: `RAPD_TEST_REDIS_URL` (under `CI=true` it must be set).
fn redis_url() -> Option<String> {
    let url = std::env::var("RAPD_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() && std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true: set RAPD_TEST_REDIS_URL; shared throttling never skips in CI");
    }
    url
}

/// Sends `n` creates through `node`; returns how many were throttled, and the last answer.
async fn creates(
    client: &Client,
    node: &Server,
    token: &str,
    n: usize,
) -> (usize, reqwest::Response) {
    let mut throttled = 0;
    let mut last = None;
    for i in 0..n {
        let response = client
            .post(node.partners())
            .bearer_auth(token)
            .json(&json!({ "displayName": format!("w{i}") }))
            .send()
            .await
            .unwrap();
        match response.status() {
            StatusCode::CREATED => {}
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            other => panic!("create answered {other}"),
        }
        last = Some(response);
    }
    (throttled, last.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_an_apps_write_limit_holds_across_both_nodes() {
    let (Some(database), Some(redis)) = (Database::postgres().await, redis_url()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("rapd-test-{}", Uuid::new_v4().simple());
    let env = [
        ("RAPD_REDIS_URL", redis.as_str()),
        ("RAPD_REDIS_KEY_PREFIX", prefix.as_str()),
    ];
    let a = Server::start_on(&database, dir.path(), &env).await;
    let b = Server::start_on(&database, dir.path(), &env).await;
    let token = token(dir.path(), &[]);
    let client = Client::new();
    // Intune's limit: 100 writes per app per tenant in 20 s, counted once for the fleet.
    assert_eq!(creates(&client, &a, &token, 50).await.0, 0);
    assert_eq!(creates(&client, &b, &token, 50).await.0, 0, "at the limit");
    let (throttled, refused) = creates(&client, &a, &token, 1).await;
    assert_eq!(throttled, 1, "the 101st write, on either node, is refused");
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    assert_eq!(creates(&client, &b, &token, 1).await.0, 1);
    // Reads have their own, larger budget.
    let read = client
        .get(b.partners())
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_each_node_counts_alone() {
    let Some(database) = Database::postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let a = Server::start_on(&database, dir.path(), &[]).await;
    let b = Server::start_on(&database, dir.path(), &[]).await;
    let token = token(dir.path(), &[]);
    let client = Client::new();
    assert_eq!(creates(&client, &a, &token, 100).await.0, 0);
    assert_eq!(creates(&client, &a, &token, 1).await.0, 1, "A's own limit");
    assert_eq!(
        creates(&client, &b, &token, 100).await.0,
        0,
        "B counts its own 100: the documented per-node behaviour"
    );
}
