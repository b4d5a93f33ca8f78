//! The bulk operations' part of the served schema and its resolvers: the `Mutation` root,
//! `QueryRoot.bulkOperation`, `currentBulkOperation`, `bulkOperations`, `node` for a bulk
//! operation's gid, and the objects they return.

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;

use super::operation::{OperationView, is_gid};
use super::{Bulk, Caller, UserErrorView};
use crate::sandbox::shopify::resolve::{Ctx, Obj, page_size};
use crate::sandbox::shopify::store::{decode_cursor, encode_cursor};

/// The served schema's bulk operations, names and types as in Shopify's 2026-04 schema (a test
/// checks every one against it).
pub const SDL: &str = r#"
extend schema { mutation: Mutation }

scalar URL

enum BulkOperationStatus { CANCELED CANCELING COMPLETED CREATED EXPIRED FAILED RUNNING }
enum BulkOperationErrorCode { ACCESS_DENIED INTERNAL_SERVER_ERROR TIMEOUT }
enum BulkOperationType { QUERY MUTATION }
enum BulkOperationUserErrorCode { OPERATION_IN_PROGRESS INVALID LIMIT_REACHED }
enum BulkOperationsSortKeys { COMPLETED_AT CREATED_AT }

type BulkOperation implements Node {
  completedAt: DateTime
  createdAt: DateTime!
  errorCode: BulkOperationErrorCode
  fileSize: UnsignedInt64
  id: ID!
  objectCount: UnsignedInt64!
  partialDataUrl: URL
  query: String!
  rootObjectCount: UnsignedInt64!
  status: BulkOperationStatus!
  type: BulkOperationType!
  url: URL
}

type BulkOperationUserError {
  code: BulkOperationUserErrorCode
  field: [String!]
  message: String!
}

type UserError {
  field: [String!]
  message: String!
}

type BulkOperationRunQueryPayload {
  bulkOperation: BulkOperation
  userErrors: [BulkOperationUserError!]!
}

type BulkOperationCancelPayload {
  bulkOperation: BulkOperation
  userErrors: [UserError!]!
}

type BulkOperationConnection {
  edges: [BulkOperationEdge!]!
  nodes: [BulkOperation!]!
  pageInfo: PageInfo!
}

type BulkOperationEdge {
  cursor: String!
  node: BulkOperation!
}

type Mutation {
  bulkOperationRunQuery(query: String!, groupObjects: Boolean! = false): BulkOperationRunQueryPayload
  bulkOperationCancel(id: ID!): BulkOperationCancelPayload
}

extend type QueryRoot {
  bulkOperation(id: ID!): BulkOperation
  bulkOperations(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
                 sortKey: BulkOperationsSortKeys = CREATED_AT, query: String): BulkOperationConnection!
  currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
    @deprecated(reason: "Use `bulkOperations` with status filter instead.")
}
"#;

fn err(message: impl Into<String>) -> FieldError {
    FieldError {
        message: message.into(),
    }
}

fn bulk<'a>(ctx: &'a Ctx<'a>) -> Result<&'a Bulk, FieldError> {
    ctx.bulk
        .ok_or_else(|| err("Bulk operations cannot be read inside a bulk query."))
}

fn arg_str<'a>(info: &'a ResolveInfo<'_>, name: &str) -> Option<&'a str> {
    info.arguments().get(name).and_then(JsonValue::as_str)
}

fn time<'a>(at: chrono::DateTime<chrono::Utc>) -> ResolvedValue<'a> {
    ResolvedValue::leaf(at.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// The `Mutation` root.
pub(crate) struct MutationRoot<'s>(pub &'s Ctx<'s>);

impl ObjectValue for MutationRoot<'_> {
    fn type_name(&self) -> &str {
        "Mutation"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let ctx = self.0;
        match info.field_name() {
            "bulkOperationRunQuery" => {
                let caller = Caller {
                    vis: ctx.vis,
                    scopes: ctx.scopes,
                    protected: ctx.protected,
                };
                let group = info
                    .arguments()
                    .get("groupObjects")
                    .and_then(JsonValue::as_bool)
                    .unwrap_or(false);
                let query = arg_str(info, "query").unwrap_or_default();
                let (op, errors) = bulk(ctx)?.run(caller, query, group);
                Ok(ResolvedValue::object(BulkObj::RunPayload(op, errors)))
            }
            "bulkOperationCancel" => {
                let (op, errors) = bulk(ctx)?.cancel(arg_str(info, "id").unwrap_or_default());
                Ok(ResolvedValue::object(BulkObj::CancelPayload(op, errors)))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// The objects bulk fields return.
pub(crate) enum BulkObj {
    Operation(OperationView),
    RunPayload(Option<OperationView>, Vec<UserErrorView>),
    CancelPayload(Option<OperationView>, Vec<UserErrorView>),
    UserError(UserErrorView, &'static str),
    Connection(Vec<(OperationView, String)>, bool),
    Edge(OperationView, String),
}

fn operation<'a>(op: Option<OperationView>) -> ResolvedValue<'a> {
    ResolvedValue::nullable_object(op.map(BulkObj::Operation))
}

fn user_errors<'a>(errors: &[UserErrorView], type_name: &'static str) -> ResolvedValue<'a> {
    ResolvedValue::list(
        errors
            .iter()
            .map(|e| ResolvedValue::object(BulkObj::UserError(e.clone(), type_name)))
            .collect::<Vec<_>>(),
    )
}

impl ObjectValue for BulkObj {
    fn type_name(&self) -> &str {
        match self {
            Self::Operation(_) => "BulkOperation",
            Self::RunPayload(..) => "BulkOperationRunQueryPayload",
            Self::CancelPayload(..) => "BulkOperationCancelPayload",
            Self::UserError(_, type_name) => type_name,
            Self::Connection(..) => "BulkOperationConnection",
            Self::Edge(..) => "BulkOperationEdge",
        }
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let field = info.field_name();
        Ok(match (self, field) {
            (Self::Operation(op), _) => return resolve_operation(op, info),
            (Self::RunPayload(op, _) | Self::CancelPayload(op, _), "bulkOperation") => {
                operation(op.clone())
            }
            (Self::RunPayload(_, errors), "userErrors") => {
                user_errors(errors, "BulkOperationUserError")
            }
            (Self::CancelPayload(_, errors), "userErrors") => user_errors(errors, "UserError"),
            (Self::UserError(e, _), "field") => {
                e.field.as_ref().map_or_else(ResolvedValue::null, |f| {
                    ResolvedValue::list(f.iter().map(|s| ResolvedValue::leaf(s.as_str())))
                })
            }
            (Self::UserError(e, _), "message") => ResolvedValue::leaf(e.message.as_str()),
            (Self::UserError(e, _), "code") => {
                e.code.map_or_else(ResolvedValue::null, ResolvedValue::leaf)
            }
            (Self::Connection(items, _), "nodes") => ResolvedValue::list(
                items
                    .iter()
                    .map(|(op, _)| ResolvedValue::object(BulkObj::Operation(op.clone()))),
            ),
            (Self::Connection(items, _), "edges") => {
                ResolvedValue::list(items.iter().map(|(op, cursor)| {
                    ResolvedValue::object(BulkObj::Edge(op.clone(), cursor.clone()))
                }))
            }
            (Self::Connection(items, has_next), "pageInfo") => {
                ResolvedValue::object(Obj::PageInfo {
                    has_next: *has_next,
                    start: items.first().map(|(_, c)| c.clone()),
                    end: items.last().map(|(_, c)| c.clone()),
                })
            }
            (Self::Edge(op, _), "node") => ResolvedValue::object(BulkObj::Operation(op.clone())),
            (Self::Edge(_, cursor), "cursor") => ResolvedValue::leaf(cursor.as_str()),
            _ => return Err(self.unknown_field_error(info)),
        })
    }
}

fn resolve_operation<'a>(
    op: &'a OperationView,
    info: &'a ResolveInfo<'a>,
) -> Result<ResolvedValue<'a>, FieldError> {
    let opt = |s: &'a Option<String>| {
        s.as_deref()
            .map_or_else(ResolvedValue::null, ResolvedValue::leaf)
    };
    Ok(match info.field_name() {
        "id" => ResolvedValue::leaf(op.gid.as_str()),
        "status" => ResolvedValue::leaf(op.status.as_str()),
        "type" => ResolvedValue::leaf("QUERY"),
        "errorCode" => op
            .error_code
            .map_or_else(ResolvedValue::null, |c| ResolvedValue::leaf(c.as_str())),
        "createdAt" => time(op.created_at),
        "completedAt" => op.completed_at.map_or_else(ResolvedValue::null, time),
        // UnsignedInt64 is a string on the wire (Shopify: `"objectCount": "4"`).
        "objectCount" => ResolvedValue::leaf(op.object_count.to_string()),
        "rootObjectCount" => ResolvedValue::leaf(op.root_object_count.to_string()),
        "fileSize" => op
            .file_size
            .map_or_else(ResolvedValue::null, |n| ResolvedValue::leaf(n.to_string())),
        "url" => opt(&op.url),
        "partialDataUrl" => opt(&op.partial_data_url),
        "query" => ResolvedValue::leaf(&*op.query),
        _ => {
            return Err(err(format!(
                "Field '{}' doesn't exist on type 'BulkOperation'",
                info.field_name()
            )));
        }
    })
}

/// `QueryRoot` fields about bulk operations, or `None` when `info` is not one.
pub(crate) fn query_field<'a>(
    ctx: &'a Ctx<'a>,
    info: &'a ResolveInfo<'a>,
) -> Option<Result<ResolvedValue<'a>, FieldError>> {
    let resolved = match info.field_name() {
        "bulkOperation" => {
            bulk(ctx).map(|b| operation(arg_str(info, "id").and_then(|id| b.read(id))))
        }
        "node" if arg_str(info, "id").is_some_and(is_gid) => {
            bulk(ctx).map(|b| operation(arg_str(info, "id").and_then(|id| b.read(id))))
        }
        // The app runs no bulk mutations, so there is no current one.
        "currentBulkOperation" if arg_str(info, "type") == Some("MUTATION") => {
            Ok(ResolvedValue::null())
        }
        "currentBulkOperation" => bulk(ctx).map(|b| operation(b.read_current())),
        "bulkOperations" => bulk(ctx).and_then(|b| list(b, info)),
        _ => return None,
    };
    Some(resolved)
}

/// `bulkOperations(first:, after:, query:, sortKey:, reverse:)`: newest first by default.
fn list<'a>(bulk: &Bulk, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
    let first = page_size(info)?;
    let filter = arg_str(info, "query").unwrap_or_default();
    let by_completion = arg_str(info, "sortKey") == Some("COMPLETED_AT");
    let reverse = info
        .arguments()
        .get("reverse")
        .and_then(JsonValue::as_bool)
        .unwrap_or(false);
    let mut all: Vec<OperationView> = bulk
        .read_all()
        .into_iter()
        .filter(|op| matches_filter(op, filter))
        .collect();
    let key = |op: &OperationView| {
        let at = if by_completion {
            op.completed_at
        } else {
            Some(op.created_at)
        };
        (at.map_or(i64::MIN, |t| t.timestamp()), op.gid.clone())
    };
    all.sort_by_key(|op| std::cmp::Reverse(key(op)));
    if reverse {
        all.reverse();
    }
    let cursor = |op: &OperationView| {
        let (at, _) = key(op);
        let number = op
            .gid
            .rsplit('/')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        encode_cursor(number, at)
    };
    let start = match arg_str(info, "after") {
        Some(after) => {
            let (id, _) = decode_cursor(after).map_err(err)?;
            all.iter()
                .position(|op| op.gid.ends_with(&format!("/{id}")))
                .map_or(all.len(), |i| i + 1)
        }
        None => 0,
    };
    let page: Vec<(OperationView, String)> = all
        .iter()
        .skip(start)
        .take(first)
        .map(|op| (op.clone(), cursor(op)))
        .collect();
    let has_next = start + page.len() < all.len();
    Ok(ResolvedValue::object(BulkObj::Connection(page, has_next)))
}

/// The `status:` and `operation_type:` terms of a `bulkOperations` search; other terms match all.
fn matches_filter(op: &OperationView, query: &str) -> bool {
    query
        .split_whitespace()
        .all(|term| match term.split_once(':') {
            Some(("status", value)) => op
                .status
                .as_str()
                .eq_ignore_ascii_case(value.trim_matches('\'')),
            Some(("operation_type", value)) => {
                value.trim_matches('\'').eq_ignore_ascii_case("query")
            }
            _ => true,
        })
}
