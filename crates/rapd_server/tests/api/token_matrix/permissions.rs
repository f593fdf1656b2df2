//! Valid tokens that may not do what they ask: J36 and J43–J47 (403), under both permission
//! profiles.

use rapd_auth::testing::Principal;
use rapd_auth::{
    CONSUMER_TENANT, DEV_APP, PermissionProfile, SCOPE_READ, SCOPE_READ_WRITE, Subject,
};
use rapd_model::TenantId;
use serde_json::{Value, json};

use super::expect::*;
use super::fixture::*;
use crate::app::intune_text;

/// TA's partner, created with a delegated read-write token; returns its id.
async fn partner_of_ta(m: &Matrix) -> String {
    m.create(&m.token(V2, Alg::Es256), "TA's partner").await
}

/// TA's partners as a reader sees them, and TA's audit records: a refused call changes neither.
async fn snapshot(m: &Matrix) -> (Value, usize) {
    let reader = m.dev_token(TA, &[SCOPE_READ]);
    let partners: Value = m.list(&reader).await.json().await.unwrap();
    let audit = m.app.store.audit_entries(TenantId(TA)).await.unwrap().len();
    (partners, audit)
}

#[tokio::test]
async fn j36_personal_account_is_403() {
    for profile in [PermissionProfile::FoundingPage, PermissionProfile::Graph] {
        let m = Matrix::with(|s| s.server.permissions = profile).await;
        let user = |version| {
            m.claims_of(
                version,
                CONSUMER_TENANT,
                Principal::User(&[SCOPE_READ_WRITE]),
            )
        };
        let app = m.claims_of(V2, CONSUMER_TENANT, Principal::App(&[SCOPE_READ_WRITE]));
        let tokens = [
            // The MSA key, bound to the consumer tenant's issuer, as Entra signs them.
            m.consumer.sign(
                &Matrix::header(&m.consumer, CONSUMER_KID),
                &user(V2).to_string(),
            ),
            m.sign(Alg::Rs256, &user(V2)),
            m.sign(Alg::Es256, &user(V1)),
            m.sign(Alg::Rs256, &app),
            m.dev_token(CONSUMER_TENANT, &[SCOPE_READ_WRITE]),
        ];
        for token in &tokens {
            for op in [Op::List, Op::Create] {
                let r = forbidden(m.send(op, "", token).await, token).await;
                assert!(
                    intune_text(&r.message).contains("Personal Microsoft accounts"),
                    "{profile:?} {op:?}: {}",
                    r.message
                );
            }
        }
        // Every change writes its audit record in the same transaction: none, so nothing changed.
        let consumer = TenantId(CONSUMER_TENANT);
        assert!(
            m.app
                .store
                .audit_entries(consumer)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn j43_no_intune_scope_is_403_insufficient_scope() {
    let m = Matrix::start().await;
    let id = partner_of_ta(&m).await;
    let before = snapshot(&m).await;
    let mut tokens = vec![m.dev_token(TA, &["User.Read"]), m.dev_token(TA, &[])];
    for version in VERSIONS {
        for scopes in [
            &["User.Read"][..],
            &["DeviceManagementApps.Read.All"],
            &[""],
        ] {
            let claims = m.claims_of(version, TA, Principal::User(scopes));
            tokens.push(m.sign(Alg::Es256, &claims));
        }
        // A beta-only permission of Graph's table does not do on v1.0.
        let claims = m.claims_of(
            version,
            TA,
            Principal::User(&["DeviceManagementConfiguration.ReadWrite.All"]),
        );
        tokens.push(m.sign(Alg::Rs256, &claims));
    }
    for token in &tokens {
        for op in Op::ALL {
            let r = insufficient_scope(m.send(op, &id, token).await, token).await;
            let challenge = r.challenge.unwrap();
            let wanted = if Op::READS.contains(&op) {
                format!("scope=\"{SCOPE_READ} {SCOPE_READ_WRITE}\"")
            } else {
                format!("scope=\"{SCOPE_READ_WRITE}\"")
            };
            assert!(challenge.contains(&wanted), "{op:?}: {challenge}");
        }
    }
    assert_eq!(snapshot(&m).await, before, "refused calls change nothing");
}

#[tokio::test]
async fn j44_read_scope_reads_but_cannot_write() {
    let m = Matrix::start().await;
    let id = partner_of_ta(&m).await;
    let before = snapshot(&m).await;
    let mut readers = vec![m.dev_token(TA, &[SCOPE_READ])];
    for version in VERSIONS {
        for alg in ALGS {
            let claims = m.claims_of(version, TA, Principal::User(&["User.Read", SCOPE_READ]));
            readers.push(m.sign(alg, &claims));
        }
    }
    for token in &readers {
        for op in Op::READS {
            assert_eq!(
                m.send(op, &id, token).await.status(),
                op.success(),
                "{op:?}"
            );
        }
        for op in Op::WRITES {
            let r = insufficient_scope(m.send(op, &id, token).await, token).await;
            assert!(intune_text(&r.message).contains(SCOPE_READ_WRITE));
        }
    }
    assert_eq!(snapshot(&m).await, before, "refused writes change nothing");
}

/// An application token of TA with `roles` (and `idtyp: app` unless `idtyp` is false).
fn app_token(m: &Matrix, version: EntraVersion, alg: Alg, roles: &[&str], idtyp: bool) -> String {
    let mut claims = m.claims_of(version, TA, Principal::App(roles));
    if !idtyp {
        claims.as_object_mut().unwrap().remove("idtyp");
    }
    m.sign(alg, &claims)
}

#[tokio::test]
async fn j45_app_token_is_403_under_the_founding_page() {
    let m = Matrix::start().await;
    let id = partner_of_ta(&m).await;
    let before = snapshot(&m).await;
    let now = m.now();
    let mut tokens = vec![
        m.app
            .mint(TA, Subject::App(DEV_APP), &[SCOPE_READ_WRITE], now),
    ];
    for version in VERSIONS {
        tokens.push(app_token(
            &m,
            version,
            Alg::Rs256,
            &[SCOPE_READ_WRITE],
            true,
        ));
        // Entra leaves `idtyp` out unless the app registration asks for it: roles and no scp.
        tokens.push(app_token(
            &m,
            version,
            Alg::Es256,
            &[SCOPE_READ_WRITE],
            false,
        ));
    }
    for token in &tokens {
        for op in Op::ALL {
            let r = forbidden(m.send(op, &id, token).await, token).await;
            let text = intune_text(&r.message);
            assert!(text.contains("app only context"), "{op:?}: {text}");
            // The message names the exact switch to today's Graph behaviour.
            assert!(text.contains("RAPD_PERMISSIONS=graph"), "{op:?}: {text}");
        }
    }
    assert_eq!(snapshot(&m).await, before, "refused calls change nothing");
}

#[tokio::test]
async fn j45_app_token_does_everything_under_graph() {
    let m = Matrix::with(|s| s.server.permissions = PermissionProfile::Graph).await;
    let now = m.now();
    let mut tokens = vec![
        m.app
            .mint(TA, Subject::App(DEV_APP), &[SCOPE_READ_WRITE], now),
    ];
    for version in VERSIONS {
        tokens.push(app_token(
            &m,
            version,
            Alg::Rs256,
            &[SCOPE_READ_WRITE],
            true,
        ));
        tokens.push(app_token(
            &m,
            version,
            Alg::Es256,
            &[SCOPE_READ_WRITE],
            false,
        ));
    }
    for token in &tokens {
        let id = partner_of_ta(&m).await;
        for op in Op::ALL {
            let response = m.send(op, &id, token).await;
            let status = response.status();
            let body = response.text().await.unwrap();
            assert_eq!(status, op.success(), "{op:?}: {body}");
        }
    }
    let audit = m.app.store.audit_entries(TenantId(TA)).await.unwrap();
    let by_apps = audit
        .iter()
        .filter(|e| e.actor.actor_type == "Application")
        .count();
    assert_eq!(
        by_apps,
        tokens.len() * Op::WRITES.len(),
        "every app write is audited"
    );
}

#[tokio::test]
async fn j46_app_token_with_read_role_cannot_write() {
    let m = Matrix::with(|s| s.server.permissions = PermissionProfile::Graph).await;
    let id = partner_of_ta(&m).await;
    let before = snapshot(&m).await;
    let now = m.now();
    let mut tokens = vec![m.app.mint(TA, Subject::App(DEV_APP), &[SCOPE_READ], now)];
    for version in VERSIONS {
        tokens.push(app_token(&m, version, Alg::Rs256, &[SCOPE_READ], true));
        tokens.push(app_token(&m, version, Alg::Es256, &[SCOPE_READ], false));
    }
    for token in &tokens {
        for op in Op::READS {
            assert_eq!(
                m.send(op, &id, token).await.status(),
                op.success(),
                "{op:?}"
            );
        }
        for op in Op::WRITES {
            insufficient_scope(m.send(op, &id, token).await, token).await;
        }
    }
    assert_eq!(snapshot(&m).await, before, "refused writes change nothing");
}

#[tokio::test]
async fn j47_scopes_match_whole_words_only() {
    for profile in [PermissionProfile::FoundingPage, PermissionProfile::Graph] {
        let m = Matrix::with(|s| s.server.permissions = profile).await;
        let id = partner_of_ta(&m).await;
        let near_misses = [
            "XDeviceManagementServiceConfig.ReadWrite.All",
            "DeviceManagementServiceConfig.ReadWrite.AllX",
            "DeviceManagementServiceConfig.ReadWrite",
            "devicemanagementserviceconfig.readwrite.all",
            "DeviceManagementServiceConfig.*",
            "DeviceManagementServiceConfig.ReadWrite.All,User.Read",
            "User.Read\tDeviceManagementServiceConfig.ReadWrite.All",
        ];
        let mut tokens = vec![m.dev_token(TA, &[near_misses[0]])];
        for scp in near_misses {
            let mut claims = m.claims(V2);
            claims["scp"] = json!(scp);
            tokens.push(m.sign(Alg::Es256, &claims));
        }
        if profile == PermissionProfile::Graph {
            let claims = m.claims_of(V1, TA, Principal::App(&near_misses));
            tokens.push(m.sign(Alg::Rs256, &claims));
        }
        for token in &tokens {
            insufficient_scope(m.send(Op::Get, &id, token).await, token).await;
            insufficient_scope(m.send(Op::Disconnect, &id, token).await, token).await;
        }
        // Whole words separated by spaces do match.
        let mut claims = m.claims(V2);
        claims["scp"] = json!(format!("User.Read  {SCOPE_READ_WRITE} openid"));
        let token = m.sign(Alg::Rs256, &claims);
        assert_eq!(m.send(Op::Disconnect, &id, &token).await.status(), 204);
    }
}
