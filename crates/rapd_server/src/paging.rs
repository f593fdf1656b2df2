//! Server-driven paging: the opaque `$skiptoken` (the seek key of the last row a page returned,
//! with the sort order it belongs to) and the absolute `@odata.nextLink` that carries it.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rapd_model::PartnerId;
use rapd_odata::{Filter, OrderBy};
use rapd_store::{Page, PageQuery, SeekKey, SortValue};
use serde_json::{Value, json};

use crate::error::ApiError;

/// The sort order a token was made for, so a token cannot be replayed under another `$orderby`.
fn order_signature(order_by: &[OrderBy]) -> String {
    order_by
        .iter()
        .map(|o| {
            format!(
                "{}{}",
                o.property.name(),
                if o.descending { " desc" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The store's query for one page: a `$skiptoken` resumes after the row it names (`$skip` was
/// spent on the first page); without one, `$skip` applies.
pub fn page_query(
    filter: Option<Filter>,
    order_by: Vec<OrderBy>,
    top: Option<u32>,
    skip: Option<u32>,
    skip_token: Option<&str>,
) -> Result<PageQuery, ApiError> {
    let after = match skip_token {
        Some(token) => Some(decode(token, &order_by)?),
        None => None,
    };
    Ok(PageQuery {
        skip: if after.is_some() {
            0
        } else {
            skip.unwrap_or(0)
        },
        limit: top.unwrap_or(rapd_odata::DEFAULT_PAGE_SIZE),
        filter,
        order_by,
        after,
    })
}

/// `@odata.nextLink` of a page that has more after it: `{root}/{entity_set}` with the request's
/// options and a token resuming after the page's last row.
pub fn link_after<T>(
    page: &Page<T>,
    query: &PageQuery,
    (root, entity_set): (&str, &str),
    raw_query: Option<&str>,
) -> Option<String> {
    let token = encode(page.next.as_ref()?, &query.order_by);
    Some(next_link(
        &format!("{root}/{entity_set}"),
        raw_query,
        &token,
    ))
}

pub fn encode(key: &SeekKey, order_by: &[OrderBy]) -> String {
    let values: Vec<Value> = key
        .values
        .iter()
        .map(|v| match v {
            SortValue::Text(s) => json!({ "s": s }),
            SortValue::Integer(i) => json!({ "i": i }),
            SortValue::Id(id) => json!({ "g": id.to_string() }),
        })
        .collect();
    let token = json!({ "o": order_signature(order_by), "v": values, "id": key.id.to_string() });
    URL_SAFE_NO_PAD.encode(token.to_string())
}

pub fn decode(token: &str, order_by: &[OrderBy]) -> Result<SeekKey, ApiError> {
    let invalid = || ApiError::InvalidSkipToken;
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let token: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if token["o"].as_str() != Some(order_signature(order_by).as_str()) {
        return Err(invalid());
    }
    let id = token["id"]
        .as_str()
        .and_then(PartnerId::parse)
        .ok_or_else(invalid)?;
    let values = token["v"]
        .as_array()
        .ok_or_else(invalid)?
        .iter()
        .map(|v| {
            if let Some(s) = v["s"].as_str() {
                Some(SortValue::Text(s.to_owned()))
            } else if let Some(i) = v["i"].as_i64() {
                Some(SortValue::Integer(i))
            } else {
                v["g"]
                    .as_str()
                    .and_then(PartnerId::parse)
                    .map(SortValue::Id)
            }
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(invalid)?;
    if values.len() != order_by.len() {
        return Err(invalid());
    }
    Ok(SeekKey { values, id })
}

/// The next page's absolute URL: this request's query with `$skip` and any old `$skiptoken`
/// dropped and the new `$skiptoken` added, every other option kept as the client sent it.
pub fn next_link(base: &str, raw_query: Option<&str>, token: &str) -> String {
    let kept: Vec<&str> = raw_query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            let name = name
                .strip_prefix("%24")
                .or_else(|| name.strip_prefix('$'))
                .unwrap_or(name);
            !matches!(name, "skip" | "skiptoken")
        })
        .collect();
    let mut link = format!("{base}?");
    for pair in kept {
        link.push_str(pair);
        link.push('&');
    }
    link.push_str("$skiptoken=");
    link.push_str(token);
    link
}

#[cfg(test)]
mod tests {
    use rapd_model::Property;

    use super::*;

    #[test]
    fn tokens_round_trip_and_belong_to_their_order() {
        let order = [OrderBy {
            property: Property::DisplayName,
            descending: true,
        }];
        let key = SeekKey {
            values: vec![SortValue::Text("b".into())],
            id: PartnerId::new_random(),
        };
        let token = encode(&key, &order);
        assert_eq!(decode(&token, &order).unwrap(), key);
        assert!(decode(&token, &[]).is_err(), "another $orderby");
        assert!(decode("not-a-token", &order).is_err());
    }

    #[test]
    fn next_links_keep_other_options() {
        let link = next_link(
            "http://h/v1.0/x",
            Some("$top=7&%24skip=3&$filter=a&$skiptoken=old"),
            "new",
        );
        assert_eq!(link, "http://h/v1.0/x?$top=7&$filter=a&$skiptoken=new");
    }
}
