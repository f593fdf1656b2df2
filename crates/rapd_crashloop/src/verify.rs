//! After each restart: what the Graph API shows must be explained by the ledger. An
//! acknowledged write that is not visible is a loss; a write in doubt must be either wholly
//! applied or not at all; a partner nobody asked for is a phantom. At the end, the audit API
//! must hold one record per applied write and none for a write that was not applied.

use std::collections::HashMap;

use anyhow::Context;
use serde_json::Value;

use crate::ledger::{AuditTally, Book, Kind, Shown, Tracked};

#[derive(Debug, Default)]
pub struct Findings {
    /// Acknowledged writes the server no longer shows.
    pub lost: u64,
    /// Writes in doubt the server shows half done, partners nobody created, audit mismatches.
    pub violations: Vec<String>,
    /// Writes left unanswered by a kill, and how many of those had committed.
    pub in_doubt: u64,
    pub in_doubt_applied: u64,
}

/// Every page of a collection, following `@odata.nextLink`.
pub async fn collect(
    client: &reqwest::Client,
    url: String,
    token: &str,
) -> anyhow::Result<Vec<Value>> {
    let mut items = Vec::new();
    let mut next = Some(url);
    while let Some(link) = next {
        let page: Value = client
            .get(&link)
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        items.extend(
            page["value"]
                .as_array()
                .context("no value")?
                .iter()
                .cloned(),
        );
        next = page["@odata.nextLink"].as_str().map(str::to_owned);
    }
    Ok(items)
}

/// Compares the partners the server shows with every writer's book, settles each write in
/// doubt as applied or not (recording its audit bounds), and adopts creates in doubt that landed.
pub fn reconcile(
    shown: &[Value],
    books: &mut [Book],
    tally: &mut AuditTally,
    findings: &mut Findings,
) {
    let mut server: HashMap<String, Shown> = shown
        .iter()
        .map(|p| {
            let id = p["id"].as_str().unwrap_or_default().to_owned();
            let status = match p["onboardingStatus"].as_str() {
                Some("onboarding") => "onboarding",
                Some("onboarded") => "onboarded",
                _ => "notOnboarded",
            };
            let name = p["displayName"].as_str().unwrap_or_default().to_owned();
            (id, Shown { name, status })
        })
        .collect();
    for book in books.iter_mut() {
        for tracked in &mut book.partners {
            let seen = server.remove(&tracked.id);
            settle(tracked, seen, tally, findings);
        }
    }
    // What is left was not created by an acknowledged write: only a create in doubt may explain it.
    for (id, partner) in server {
        let owner = books
            .iter_mut()
            .find(|b| b.creates_in_doubt.contains(&partner.name));
        match owner {
            Some(book) if partner.status == "notOnboarded" => {
                book.creates_in_doubt.retain(|m| m != &partner.name);
                findings.in_doubt += 1;
                findings.in_doubt_applied += 1;
                tally.applied(&id, Kind::Create);
                book.partners.push(Tracked {
                    id,
                    state: Some(partner),
                    in_doubt: None,
                });
            }
            _ => findings
                .violations
                .push(format!("phantom partner {id} {partner:?}")),
        }
    }
    for book in books.iter_mut() {
        findings.in_doubt += book.creates_in_doubt.len() as u64;
        book.creates_in_doubt.clear();
    }
}

fn settle(
    tracked: &mut Tracked,
    seen: Option<Shown>,
    tally: &mut AuditTally,
    findings: &mut Findings,
) {
    let Some((kind, mark)) = tracked.in_doubt.take() else {
        if seen != tracked.state {
            findings.lost += 1;
            findings.violations.push(format!(
                "lost: {} should be {:?}, is {seen:?}",
                tracked.id, tracked.state
            ));
        }
        return;
    };
    findings.in_doubt += 1;
    let after = tracked.after(kind, &mark);
    if seen == tracked.state && seen == after {
        // Applied or not, nothing visible tells: its audit record may or may not exist.
        tally.maybe(&tracked.id, kind);
    } else if seen == after {
        findings.in_doubt_applied += 1;
        tally.applied(&tracked.id, kind);
        tracked.state = after;
    } else if seen != tracked.state {
        findings.lost += 1;
        findings.violations.push(format!(
            "{} after {kind:?} in doubt should be {:?} or {after:?}, is {seen:?}",
            tracked.id, tracked.state
        ));
    }
}

/// Every audit record is explained by an applied write, and every applied write has one.
pub fn check_audit(events: &[Value], tally: &AuditTally, findings: &mut Findings) {
    let mut counts: HashMap<(String, String), u64> = HashMap::new();
    for event in events {
        let id = event["resources"][0]["resourceId"]
            .as_str()
            .unwrap_or_default();
        let activity = event["activityType"].as_str().unwrap_or_default();
        *counts
            .entry((id.to_owned(), activity.to_owned()))
            .or_default() += 1;
    }
    for ((id, activity), bounds) in &tally.0 {
        let found = counts
            .remove(&(id.clone(), (*activity).to_owned()))
            .unwrap_or(0);
        if found < bounds.min || found > bounds.max {
            findings.violations.push(format!(
                "audit of {activity} on {id}: {found} records, expected {}..={}",
                bounds.min, bounds.max
            ));
        }
    }
    for ((id, activity), found) in counts {
        findings.violations.push(format!(
            "audit of {activity} on {id}: {found} records for no write"
        ));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn book_with(state: Option<Shown>, in_doubt: Option<(Kind, String)>) -> Book {
        Book {
            partners: vec![Tracked {
                id: "p1".into(),
                state,
                in_doubt,
            }],
            ..Book::default()
        }
    }

    fn shown(name: &str, status: &'static str) -> Shown {
        Shown {
            name: name.into(),
            status,
        }
    }

    #[test]
    fn a_missing_acknowledged_partner_is_a_loss_and_a_stranger_a_phantom() {
        let mut books = vec![book_with(Some(shown("a", "notOnboarded")), None)];
        let mut findings = Findings::default();
        let server = [json!({"id": "p2", "displayName": "x", "onboardingStatus": "notOnboarded"})];
        reconcile(
            &server,
            &mut books,
            &mut AuditTally::default(),
            &mut findings,
        );
        assert_eq!(findings.lost, 1);
        assert_eq!(findings.violations.len(), 2, "{:?}", findings.violations);
    }

    #[test]
    fn a_write_in_doubt_is_settled_either_way_but_never_half() {
        let server = |name: &str| {
            [json!({"id": "p1", "displayName": name, "onboardingStatus": "notOnboarded"})]
        };
        for (name, applied) in [("old", false), ("new", true)] {
            let mut books = vec![book_with(
                Some(shown("old", "notOnboarded")),
                Some((Kind::Patch, "new".into())),
            )];
            let (mut tally, mut findings) = (AuditTally::default(), Findings::default());
            reconcile(&server(name), &mut books, &mut tally, &mut findings);
            assert!(findings.violations.is_empty());
            assert_eq!(findings.in_doubt_applied, u64::from(applied));
            assert_eq!(
                books[0].partners[0].state,
                Some(shown(name, "notOnboarded"))
            );
        }
        let mut books = vec![book_with(
            Some(shown("old", "notOnboarded")),
            Some((Kind::Patch, "new".into())),
        )];
        let mut findings = Findings::default();
        reconcile(
            &server("other"),
            &mut books,
            &mut AuditTally::default(),
            &mut findings,
        );
        assert_eq!(findings.lost, 1);
    }

    #[test]
    fn audit_records_must_match_the_applied_writes() {
        let mut tally = AuditTally::default();
        tally.applied("p1", Kind::Create);
        tally.maybe("p1", Kind::Disconnect);
        let event =
            |activity: &str| json!({"activityType": activity, "resources": [{"resourceId": "p1"}]});
        let mut findings = Findings::default();
        check_audit(&[event(Kind::Create.activity())], &tally, &mut findings);
        assert!(findings.violations.is_empty());
        check_audit(&[], &tally, &mut findings);
        assert_eq!(findings.violations.len(), 1, "a missing record");
        let extra = [
            event(Kind::Create.activity()),
            event(Kind::Delete.activity()),
        ];
        check_audit(&extra, &tally, &mut findings);
        assert_eq!(findings.violations.len(), 2, "a record for no write");
    }
}
