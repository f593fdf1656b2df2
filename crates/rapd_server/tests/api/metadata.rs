//! `$metadata`: every CSDL element Microsoft publishes for this resource appears in rapd's
//! document identically (attributes and children, recursively).

use roxmltree::{Document, Node};

use crate::app::TestApp;

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

fn find<'a, 'i>(schema: Node<'a, 'i>, wanted: Node<'_, '_>) -> Option<Node<'a, 'i>> {
    let key = |n: Node<'_, '_>| {
        (
            n.tag_name().name().to_owned(),
            n.attribute("Name")
                .or(n.attribute("Target"))
                .map(str::to_owned),
        )
    };
    if wanted.tag_name().name() == "NavigationProperty" {
        let device_management = schema.children().find(|n| {
            n.tag_name().name() == "EntityType" && n.attribute("Name") == Some("deviceManagement")
        })?;
        return device_management
            .children()
            .find(|n| n.is_element() && key(*n) == key(wanted));
    }
    schema
        .descendants()
        .find(|n| n.is_element() && key(*n) == key(wanted))
}

async fn compare(version: &str, fixture: &str) {
    let app = TestApp::start().await;
    let response = app
        .client
        .get(app.url(&format!("/{version}/$metadata")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/xml");
    let ours = response.text().await.unwrap();
    let ours = Document::parse(&ours).expect("$metadata is well-formed XML");
    let schema = ours
        .descendants()
        .find(|n| n.tag_name().name() == "Schema")
        .unwrap();
    assert_eq!(schema.attribute("Namespace"), Some("microsoft.graph"));
    let microsoft = Document::parse(fixture).unwrap();
    let mut compared = 0;
    for wanted in microsoft.root_element().children().filter(Node::is_element) {
        let found =
            find(schema, wanted).unwrap_or_else(|| panic!("$metadata lacks {}", canonical(wanted)));
        assert_eq!(canonical(found), canonical(wanted));
        compared += 1;
    }
    assert!(compared >= 5, "the fixture was read");
}

#[tokio::test]
async fn v1_metadata_matches_microsofts_csdl() {
    compare("v1.0", include_str!("../fixtures/csdl/v1.xml")).await;
}

#[tokio::test]
async fn beta_metadata_matches_microsofts_csdl() {
    compare("beta", include_str!("../fixtures/csdl/beta.xml")).await;
}
