//! OData filters, sort keys and seek positions as SQL with bound parameters, for both engines.
//! The AST was validated against the property catalogue, so no name from a request reaches SQL
//! text. The engines differ only in what [`Dialect`] holds: placeholders and three functions.

use std::fmt::Write;

use rapd_model::{ApiVersion, OnboardingStatus, Property, TenantId, Timestamp};
use rapd_odata::{AuditCondition, CompareOp, Filter, Literal, OrderBy, TextFunction};
use uuid::Uuid;

use crate::paging::{AuditPageQuery, PageQuery, SeekKey, SortValue};

/// A bound parameter, before an engine converts it to its own type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Text(String),
    Integer(i64),
    Uuid(Uuid),
}

/// The SQL an engine speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// `?N` placeholders; ids are 16-byte BLOBs.
    Sqlite,
    /// `$N::type` placeholders (typed, so PostgreSQL never has to guess); ids are `uuid`.
    Postgres,
}

/// SQL text with its parameters, built left to right.
pub(crate) struct Sql {
    pub text: String,
    pub params: Vec<Value>,
    dialect: Dialect,
}

impl Sql {
    fn new(dialect: Dialect) -> Sql {
        Sql {
            text: String::new(),
            params: Vec::new(),
            dialect,
        }
    }

    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn bind(&mut self, value: Value) {
        let n = self.params.len() + 1;
        let _ = match (self.dialect, &value) {
            (Dialect::Sqlite, _) => write!(self.text, "?{n}"),
            (Dialect::Postgres, Value::Text(_)) => write!(self.text, "${n}::text"),
            (Dialect::Postgres, Value::Integer(_)) => write!(self.text, "${n}::bigint"),
            (Dialect::Postgres, Value::Uuid(_)) => write!(self.text, "${n}::uuid"),
            (Dialect::Postgres, Value::Null) => write!(self.text, "${n}"),
        };
        self.params.push(value);
    }
}

/// A partner row's columns, in the order both engines' row readers expect.
pub(crate) const SELECT_PARTNER_COLUMNS: &str = "SELECT tenant_id, id, display_name, \
     onboarding_url, onboarding_status, last_connection, onboarding_expiry, partner_domain, \
     created, revision, onboarding_code_hash, credential_hash FROM partners";

/// [`SELECT_PARTNER_COLUMNS`], then (column 12), with `json`, the row's stored list item in that
/// version where it holds at `now` ([`rapd_model::wire::stored_entity_holds`]): written at the
/// row's revision (a node of an earlier release updates the row without it), and no onboarding
/// request expired since. Deciding it here spares the reader decoding such a row.
fn select_page_columns(sql: &mut Sql, json: Option<ApiVersion>, now: Timestamp) {
    let Some(version) = json else {
        return sql.push(SELECT_PARTNER_COLUMNS);
    };
    let (columns, from) = SELECT_PARTNER_COLUMNS
        .split_once(" FROM ")
        .expect("a SELECT … FROM");
    sql.push(columns);
    sql.push(", CASE WHEN json_revision = revision AND NOT ");
    expired(sql, now);
    sql.push(match version {
        ApiVersion::V1 => " THEN json_v1 END FROM ",
        ApiVersion::Beta => " THEN json_beta END FROM ",
    });
    sql.push(from);
}

/// An audit row's columns, then its position: `seq` (column 9) and `xact` (column 10, always 0
/// on SQLite).
const SELECT_AUDIT_COLUMNS: &str = "SELECT tenant_id, activity_date_time, id, \
     operation_kind, actor_json, resource_id, resource_display_name, modified_properties_json, \
     correlation_id, seq, ";

/// Whether the row's onboarding request has expired at `now` (`Partner::status_at`).
fn expired(sql: &mut Sql, now: Timestamp) {
    sql.push("(onboarding_status = 1 AND onboarding_expiry <= ");
    sql.bind(Value::Integer(now.as_micros()));
    sql.push(")");
}

/// The expression a property reads as at `now`: an onboarding request past its expiry reads
/// `notOnboarded` with no expiry, as the wire format shows it.
fn column(sql: &mut Sql, property: Property, now: Timestamp) {
    match property {
        Property::Id => sql.push("id"),
        Property::DisplayName => sql.push("display_name"),
        Property::OnboardingUrl => sql.push("onboarding_url"),
        Property::LastConnectionDateTime => sql.push("last_connection"),
        Property::OnboardingStatus => {
            sql.push("(CASE WHEN ");
            expired(sql, now);
            sql.push(" THEN 0 ELSE onboarding_status END)");
        }
        Property::OnboardingRequestExpiryDateTime => {
            sql.push("(CASE WHEN ");
            expired(sql, now);
            sql.push(" THEN ");
            sql.bind(Value::Integer(Timestamp::ZERO.as_micros()));
            sql.push(" ELSE onboarding_expiry END)");
        }
    }
}

/// The id as Graph writes it (lowercase, hyphenated), for text functions on `id`.
fn id_text(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "lower(substr(hex(id),1,8)||'-'||substr(hex(id),9,4)||'-'||substr(hex(id),13,4)||'-'||substr(hex(id),17,4)||'-'||substr(hex(id),21))"
        }
        Dialect::Postgres => "id::text",
    }
}

fn literal(value: &Literal) -> Value {
    match value {
        Literal::Null => Value::Null,
        Literal::String(s) => Value::Text(s.clone()),
        Literal::Guid(g) => Value::Uuid(*g),
        Literal::DateTime(t) => Value::Integer(t.as_micros()),
        Literal::Status(s) => Value::Integer(status_value(*s)),
    }
}

fn status_value(s: OnboardingStatus) -> i64 {
    s.value()
}

fn filter(sql: &mut Sql, f: &Filter, now: Timestamp) {
    match f {
        Filter::And(a, b) | Filter::Or(a, b) => {
            sql.push("(");
            filter(sql, a, now);
            sql.push(if matches!(f, Filter::And(..)) {
                " AND "
            } else {
                " OR "
            });
            filter(sql, b, now);
            sql.push(")");
        }
        Filter::Not(inner) => {
            // OData `not` of an unknown (null) comparison is false, as SQL's NOT NULL is NULL.
            sql.push("(NOT coalesce(");
            filter(sql, inner, now);
            sql.push(", false))");
        }
        Filter::Compare {
            property,
            op,
            value: Literal::Null,
        } => {
            column(sql, *property, now);
            sql.push(if *op == CompareOp::Eq {
                " IS NULL"
            } else {
                " IS NOT NULL"
            });
        }
        Filter::Compare {
            property,
            op,
            value,
        } => {
            // `ne` is true for a null column, as OData's `displayName ne 'x'` includes nulls.
            if *op == CompareOp::Ne {
                sql.push("(");
                column(sql, *property, now);
                sql.push(" IS NULL OR ");
            }
            column(sql, *property, now);
            sql.push(operator(*op));
            sql.bind(literal(value));
            if *op == CompareOp::Ne {
                sql.push(")");
            }
        }
        Filter::In { property, values } => {
            let (nulls, values): (Vec<_>, Vec<_>) =
                values.iter().partition(|v| **v == Literal::Null);
            sql.push("(");
            if values.is_empty() {
                // PostgreSQL refuses an empty `IN ()`; it is false in SQLite.
                sql.push("false");
            } else {
                column(sql, *property, now);
                sql.push(" IN (");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.bind(literal(v));
                }
                sql.push(")");
            }
            if !nulls.is_empty() {
                sql.push(" OR ");
                column(sql, *property, now);
                sql.push(" IS NULL");
            }
            sql.push(")");
        }
        Filter::Text {
            function,
            property,
            value,
        } => {
            let text = |sql: &mut Sql| match property {
                Property::Id => sql.push(id_text(sql.dialect)),
                p => column(sql, *p, now),
            };
            let needle = Value::Text(value.clone());
            // Case-sensitive, as OData's string functions; LIKE would fold ASCII case.
            match function {
                TextFunction::StartsWith => {
                    sql.push("substr(");
                    text(sql);
                    sql.push(", 1, length(");
                    sql.bind(needle.clone());
                    sql.push(")) = ");
                    sql.bind(needle);
                }
                TextFunction::EndsWith => {
                    // SQLite takes the tail with a negative start; PostgreSQL has right().
                    let postgres = sql.dialect == Dialect::Postgres;
                    sql.push("(length(");
                    sql.bind(needle.clone());
                    sql.push(if postgres {
                        ") = 0 OR right("
                    } else {
                        ") = 0 OR substr("
                    });
                    text(sql);
                    sql.push(if postgres { ", length(" } else { ", -length(" });
                    sql.bind(needle.clone());
                    sql.push(")) = ");
                    sql.bind(needle);
                    sql.push(")");
                }
                TextFunction::Contains => {
                    sql.push(match sql.dialect {
                        Dialect::Sqlite => "instr(",
                        Dialect::Postgres => "strpos(",
                    });
                    text(sql);
                    sql.push(", ");
                    sql.bind(needle);
                    sql.push(") > 0");
                }
            }
        }
    }
}

/// The sort expression of a key: null strings sort as the empty string.
fn sort_expression(sql: &mut Sql, property: Property, now: Timestamp) {
    match property {
        Property::DisplayName | Property::OnboardingUrl => {
            sql.push("coalesce(");
            column(sql, property, now);
            sql.push(", '')");
        }
        p => column(sql, p, now),
    }
}

fn sort_value(v: &SortValue) -> Value {
    match v {
        SortValue::Text(s) => Value::Text(s.clone()),
        SortValue::Integer(i) => Value::Integer(*i),
        SortValue::Id(id) => Value::Uuid(id.0),
    }
}

/// `(k1 > v1) OR (k1 = v1 AND k2 > v2) OR … OR (k… = v… AND id > last_id)`, `<` for descending keys.
fn seek(sql: &mut Sql, order_by: &[OrderBy], key: &SeekKey, now: Timestamp) {
    sql.push("(");
    for i in 0..=order_by.len() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push("(");
        for (j, o) in order_by.iter().take(i).enumerate() {
            sort_expression(sql, o.property, now);
            sql.push(" = ");
            sql.bind(sort_value(&key.values[j]));
            sql.push(" AND ");
        }
        match order_by.get(i) {
            Some(o) => {
                sort_expression(sql, o.property, now);
                sql.push(if o.descending { " < " } else { " > " });
                sql.bind(sort_value(&key.values[i]));
            }
            None => {
                sql.push("id > ");
                sql.bind(Value::Uuid(key.id.0));
            }
        }
        sql.push(")");
    }
    sql.push(")");
}

/// `WHERE tenant_id = ? [AND filter]` for the count and the page.
fn where_clause(sql: &mut Sql, tenant: TenantId, filter_ast: Option<&Filter>, now: Timestamp) {
    sql.push(" WHERE tenant_id = ");
    sql.bind(Value::Uuid(tenant.0));
    if let Some(f) = filter_ast {
        sql.push(" AND ");
        filter(sql, f, now);
    }
}

pub(crate) fn count(
    dialect: Dialect,
    tenant: TenantId,
    filter_ast: Option<&Filter>,
    now: Timestamp,
) -> Sql {
    let mut sql = Sql::new(dialect);
    sql.push("SELECT count(*) FROM partners");
    where_clause(&mut sql, tenant, filter_ast, now);
    sql
}

/// The page's SELECT, with each row's stored list item in `json`'s version where it holds; it
/// asks for one row more than `limit` to learn whether more follow.
pub(crate) fn page(
    dialect: Dialect,
    tenant: TenantId,
    query: &PageQuery,
    json: Option<ApiVersion>,
    now: Timestamp,
) -> Sql {
    let mut sql = Sql::new(dialect);
    select_page_columns(&mut sql, json, now);
    where_clause(&mut sql, tenant, query.filter.as_ref(), now);
    if query
        .after
        .as_ref()
        .is_some_and(|k| k.values.len() == query.order_by.len())
    {
        sql.push(" AND ");
        seek(
            &mut sql,
            &query.order_by,
            query.after.as_ref().expect("checked"),
            now,
        );
    }
    sql.push(" ORDER BY ");
    for o in &query.order_by {
        sort_expression(&mut sql, o.property, now);
        sql.push(if o.descending { " DESC, " } else { " ASC, " });
    }
    sql.push("id ASC LIMIT ");
    sql.bind(Value::Integer(i64::from(query.limit) + 1));
    sql.push(" OFFSET ");
    sql.bind(Value::Integer(i64::from(query.skip)));
    sql
}

/// The SQL of a comparison operator, with the spaces around it.
fn operator(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => " = ",
        CompareOp::Ne => " <> ",
        CompareOp::Gt => " > ",
        CompareOp::Ge => " >= ",
        CompareOp::Lt => " < ",
        CompareOp::Le => " <= ",
    }
}

/// A page of one tenant's audit trail, in the order of [`crate::AuditPosition`]. On PostgreSQL
/// only records of transactions below the statement snapshot's horizon (`xmin`: every
/// transaction with a lower id has ended) are read, so no record can later appear before one
/// returned (`postgres/audit_order.rs`).
pub(crate) fn audit_page(dialect: Dialect, tenant: TenantId, query: &AuditPageQuery) -> Sql {
    let mut sql = Sql::new(dialect);
    sql.push(SELECT_AUDIT_COLUMNS);
    sql.push(match dialect {
        Dialect::Sqlite => "0 FROM audit_events",
        Dialect::Postgres => "xact FROM audit_events",
    });
    sql.push(" WHERE tenant_id = ");
    sql.bind(Value::Uuid(tenant.0));
    if dialect == Dialect::Postgres {
        sql.push(" AND xact < pg_snapshot_xmin(pg_current_snapshot())::text::bigint");
    }
    for condition in &query.conditions {
        sql.push(" AND ");
        match condition {
            AuditCondition::ActivityDateTime(op, time) => {
                sql.push("activity_date_time");
                sql.push(operator(*op));
                sql.bind(Value::Integer(time.as_micros()));
            }
            AuditCondition::ActivityType(op, text) => {
                sql.push("operation_kind");
                sql.push(operator(*op));
                sql.bind(Value::Text(text.clone()));
            }
            // Every record of rapd has the one category; compare it as a constant.
            AuditCondition::Category(op, text) => {
                sql.bind(Value::Text(rapd_model::audit::CATEGORY.to_owned()));
                sql.push(operator(*op));
                sql.bind(Value::Text(text.clone()));
            }
        }
    }
    match (dialect, query.after) {
        (_, None) => {}
        (Dialect::Sqlite, Some(after)) => {
            sql.push(" AND seq > ");
            sql.bind(Value::Integer(after.seq));
        }
        (Dialect::Postgres, Some(after)) => {
            sql.push(" AND (xact, seq) > (");
            sql.bind(Value::Integer(after.xact));
            sql.push(", ");
            sql.bind(Value::Integer(after.seq));
            sql.push(")");
        }
    }
    sql.push(match dialect {
        Dialect::Sqlite => " ORDER BY seq LIMIT ",
        Dialect::Postgres => " ORDER BY xact, seq LIMIT ",
    });
    sql.bind(Value::Integer(i64::from(query.limit) + 1));
    sql
}
