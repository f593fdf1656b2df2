//! `$metadata`: every CSDL element Microsoft publishes for what rapd serves (the partners and the
//! audit trail) appears in rapd's document identically (attributes and children, recursively);
//! the document names no type it does not declare, and `deviceManagement` declares exactly the
//! navigation properties rapd serves.

use rapd_auth::{DEV_TENANT, SCOPE_READ_WRITE};
use reqwest::Method;
use roxmltree::{Document, Node};

use crate::app::TestApp;

pub const AUDIT_READ: &str = "DeviceManagementApps.Read.All";

/// An element as a comparable tree: name, sorted attributes, element children in order.
fn canonical(node: Node<'_, '_>) -> String {
    let mut attributes: Vec<String> = node
        .attributes()
        .map(|a| format!("{}={:?}", a.name(), a.value()))
        .collect();
    attributes.sort();
    let children: Vec<String> = node
        .children()
        .filter(Node::is_element)
        .map(canonical)
        .collect();
    format!(
        "<{} {}>[{}]",
        node.tag_name().name(),
        attributes.join(" "),
        children.join(",")
    )
}

/// What identifies an element of the schema: its kind and its `Name` (or `Target`).
fn key(n: Node<'_, '_>) -> (String, Option<String>) {
    (
        n.tag_name().name().to_owned(),
        n.attribute("Name")
            .or(n.attribute("Target"))
            .map(str::to_owned),
    )
}

fn schema<'a, 'i>(doc: &'a Document<'i>) -> Node<'a, 'i> {
    let schema = doc
        .descendants()
        .find(|n| n.tag_name().name() == "Schema")
        .unwrap();
    assert_eq!(schema.attribute("Namespace"), Some("microsoft.graph"));
    schema
}

fn declared<'a, 'i>(schema: Node<'a, 'i>, kind: &str, name: &str) -> Option<Node<'a, 'i>> {
    schema
        .children()
        .find(|n| n.tag_name().name() == kind && n.attribute("Name") == Some(name))
}

fn find<'a, 'i>(schema: Node<'a, 'i>, wanted: Node<'_, '_>) -> Option<Node<'a, 'i>> {
    if wanted.tag_name().name() == "NavigationProperty" {
        return declared(schema, "EntityType", "deviceManagement")?
            .children()
            .find(|n| n.is_element() && key(*n) == key(wanted));
    }
    schema
        .descendants()
        .find(|n| n.is_element() && key(*n) == key(wanted))
}

/// rapd's `$metadata` for `version`.
pub async fn metadata(app: &TestApp, version: &str) -> String {
    let response = app
        .client
        .get(app.url(&format!("/{version}/$metadata")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/xml");
    response.text().await.unwrap()
}

/// The properties `version`'s `$metadata` declares for the type `name`, its base types' first;
/// empty when it declares no such type.
pub fn properties(csdl: &str, name: &str) -> Vec<String> {
    let doc = Document::parse(csdl).unwrap();
    let schema = schema(&doc);
    let mut names = Vec::new();
    let mut next = Some(name.to_owned());
    while let Some(name) = next.take() {
        let Some(ty) = declared(schema, "EntityType", &name)
            .or_else(|| declared(schema, "ComplexType", &name))
        else {
            break;
        };
        let own = ty
            .children()
            .filter(|n| n.tag_name().name() == "Property")
            .map(|n| n.attribute("Name").unwrap().to_owned());
        names.splice(0..0, own);
        next = ty
            .attribute("BaseType")
            .map(|b| b.trim_start_matches("graph.").to_owned());
    }
    names
}

/// Compares each of Microsoft's fragments with rapd's element; returns what was compared.
async fn compare(version: &str, fixture: &str) -> Vec<(String, Option<String>)> {
    let app = TestApp::start().await;
    let ours = metadata(&app, version).await;
    let ours = Document::parse(&ours).expect("$metadata is well-formed XML");
    let schema = schema(&ours);
    let microsoft = Document::parse(fixture).unwrap();
    let mut compared = Vec::new();
    for wanted in microsoft.root_element().children().filter(Node::is_element) {
        let found =
            find(schema, wanted).unwrap_or_else(|| panic!("$metadata lacks {}", canonical(wanted)));
        assert_eq!(canonical(found), canonical(wanted));
        compared.push(key(wanted));
    }
    compared
}

/// The audit trail's elements are among those compared, so the fixture cannot lose them quietly.
fn assert_audit_compared(compared: &[(String, Option<String>)], complex: &[&str]) {
    let wanted = complex.iter().map(|name| ("ComplexType", *name)).chain([
        ("EntityType", "auditEvent"),
        ("NavigationProperty", "auditEvents"),
        (
            "Annotations",
            "microsoft.graph.deviceManagement/auditEvents",
        ),
    ]);
    for (kind, name) in wanted {
        assert!(
            compared
                .iter()
                .any(|(k, n)| k == kind && n.as_deref() == Some(name)),
            "{kind} {name} was not compared"
        );
    }
}

#[tokio::test]
async fn v1_metadata_matches_microsofts_csdl() {
    let compared = compare("v1.0", include_str!("../fixtures/csdl/v1.xml")).await;
    assert!(compared.len() >= 5, "the fixture was read");
    assert_audit_compared(&compared, &["auditActor", "auditProperty", "auditResource"]);
}

#[tokio::test]
async fn beta_metadata_matches_microsofts_csdl() {
    let compared = compare("beta", include_str!("../fixtures/csdl/beta.xml")).await;
    assert!(compared.len() >= 5, "the fixture was read");
    assert_audit_compared(
        &compared,
        &[
            "auditActor",
            "auditProperty",
            "auditResource",
            "roleScopeTagInfo",
        ],
    );
}

#[tokio::test]
async fn metadata_declares_every_type_it_names() {
    let app = TestApp::start().await;
    for version in ["v1.0", "beta"] {
        let csdl = metadata(&app, version).await;
        let doc = Document::parse(&csdl).unwrap();
        let schema = schema(&doc);
        let names = doc
            .descendants()
            .flat_map(|n| [n.attribute("Type"), n.attribute("BaseType")])
            .flatten()
            .map(|t| t.trim_start_matches("Collection(").trim_end_matches(')'));
        for name in names.filter(|t| !t.starts_with("Edm.")) {
            let name = name
                .strip_prefix("graph.")
                .or_else(|| name.strip_prefix("microsoft.graph."))
                .unwrap_or_else(|| panic!("{version}: {name} is outside the schema"));
            assert!(
                ["EnumType", "ComplexType", "EntityType"]
                    .iter()
                    .any(|kind| declared(schema, kind, name).is_some()),
                "{version} $metadata names {name} but does not declare it"
            );
        }
    }
}

#[tokio::test]
async fn device_management_metadata_declares_exactly_what_is_served() {
    let app = TestApp::start().await;
    let token = app.token_for(DEV_TENANT, &[SCOPE_READ_WRITE, AUDIT_READ]);
    let candidates = [
        "auditEvents",
        "remoteAssistancePartners",
        "remoteAssistanceSettings",
    ];
    for version in ["v1.0", "beta"] {
        let csdl = metadata(&app, version).await;
        let doc = Document::parse(&csdl).unwrap();
        let device_management = declared(schema(&doc), "EntityType", "deviceManagement").unwrap();
        let mut declared: Vec<&str> = device_management
            .children()
            .filter(|n| n.tag_name().name() == "NavigationProperty")
            .map(|n| n.attribute("Name").unwrap())
            .collect();
        declared.sort_unstable();
        let mut served = Vec::new();
        for name in candidates {
            let url = app.url(&format!("/{version}/deviceManagement/{name}"));
            let response = app
                .client
                .request(Method::GET, url)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            if response.status() == 200 {
                served.push(name);
            }
        }
        assert_eq!(declared, served, "{version}");
    }
}
