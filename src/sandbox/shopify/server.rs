//! The HTTP side of the emulator: the GraphQL endpoint (auth, validation against the served and the
//! real schema, cost and bucket, execution, faults) and the client-credentials token endpoint.

use std::sync::Arc;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{OperationType, Selection};
use apollo_compiler::resolvers::{Execution, ObjectValue};
use apollo_compiler::response::{JsonMap, JsonValue};
use apollo_compiler::validation::Valid;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::bulk::resolve::MutationRoot;
use super::resolve::{Ctx, Obj, PROTECTED_DATA_MESSAGE};
use super::store::Visibility;
use super::{Fault, Shared, cost, schema};

/// Shopify rejects queries requesting more than this many points.
/// See: SHOPIFY-API.md section 3 ("A single query to the API cannot exceed a cost of 1000").
pub const MAX_QUERY_COST: u64 = 1000;

/// API versions the emulator answers as themselves; others fall forward to the oldest.
/// See: SHOPIFY-API.md section 1 (versions).
pub const SUPPORTED_VERSIONS: &[&str] = &["2026-01", "2026-04", "2026-07", "2026-10", "unstable"];

const INVALID_TOKEN: &str =
    "[API] Invalid API key or access token (unrecognized login or wrong password)";

fn json_response(
    status: StatusCode,
    body: &Value,
    request: u64,
    version: &str,
    gzip: bool,
) -> Response {
    let text = body.to_string();
    let mut response = if gzip {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let compressed = encoder
            .write_all(text.as_bytes())
            .and_then(|()| encoder.finish());
        match compressed {
            Ok(bytes) => {
                let mut r = (status, bytes).into_response();
                r.headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                r
            }
            Err(_) => (status, text).into_response(),
        }
    } else {
        (status, text).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("emu-{request:08}")) {
        headers.insert("x-request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(version) {
        headers.insert("x-shopify-api-version", v);
    }
    response
}

fn errors(list: impl IntoIterator<Item = Value>) -> Value {
    json!({ "errors": list.into_iter().collect::<Vec<_>>() })
}

/// `POST /admin/api/{version}/graphql.json`.
///
/// Every reply carries Shopify's `Date` header, read off the emulator's clock (hyper's own would
/// be the machine's, wrong under a virtual clock): the client measures how far its clock is from
/// Shopify's by it.
pub async fn graphql(
    State(shared): State<Arc<Shared>>,
    path: Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut response = answer(State(shared.clone()), path, headers, body).await;
    let date = shared
        .clock
        .now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    if let Ok(value) = HeaderValue::from_str(&date) {
        response.headers_mut().insert(header::DATE, value);
    }
    response
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let _busy = shared.stalls.busy();
    let request = shared.count_request();
    shared.record_headers(&headers);
    let served_version = if SUPPORTED_VERSIONS.contains(&version.as_str()) {
        version
    } else {
        SUPPORTED_VERSIONS[0].to_owned()
    };
    let fault = shared.fault_for(request);
    // Shopify compresses when asked; so does the emulator, so the client's gzip path is exercised.
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    let reply = |status: StatusCode, body: &Value| {
        json_response(status, body, request, &served_version, gzip)
    };
    match &fault {
        Some(Fault::Stall(duration)) => shared.stalls.stall(*duration).await,
        Some(Fault::Status {
            status,
            body,
            retry_after,
        }) => {
            let code = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = reply(code, &serde_json::from_str(body).unwrap_or(json!(body)));
            if !body.trim_start().starts_with('{') {
                response.headers_mut().remove(header::CONTENT_ENCODING);
                *response.body_mut() = Body::from(body.clone());
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            }
            if let Some(after) = retry_after
                .as_deref()
                .and_then(|a| HeaderValue::from_str(a).ok())
            {
                response.headers_mut().insert(header::RETRY_AFTER, after);
            }
            return response;
        }
        Some(Fault::Reset) => {
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from_static(b"{\"data\":{\"orders\":{\"nodes\":[")),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "reset",
                )),
            ];
            let mut response = Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            return response;
        }
        Some(Fault::Malformed) => {
            // Plain (not gzip) so the client meets the broken JSON itself.
            let mut response =
                json_response(StatusCode::OK, &json!({}), request, &served_version, false);
            *response.body_mut() =
                Body::from("{\"data\":{\"orders\":{\"pageInfo\":{\"hasNextPage\":tr");
            return response;
        }
        Some(Fault::ServerErrorAfterApply) | None => {}
    }

    let Some(scopes) = shared.authenticate(&headers) else {
        return reply(
            StatusCode::UNAUTHORIZED,
            &json!({ "errors": INVALID_TOKEN }),
        );
    };
    // Only a document that reads an operation's status can see it finish: it names the field
    // (`bulkOperation…`) or, polling through `node`, the type (`... on BulkOperation`).
    if body.windows(12).any(|w| w == b"ulkOperation") {
        shared.bulk.settle().await;
    }
    let (status, body) = execute(&shared, &headers, &body, &scopes);
    if matches!(fault, Some(Fault::ServerErrorAfterApply)) {
        return reply(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({ "errors": "Service Unavailable" }),
        );
    }
    reply(status, &body)
}

fn parse_request(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(String, JsonMap, Option<String>), Value> {
    let is_graphql = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/graphql"));
    if is_graphql {
        return Ok((
            String::from_utf8_lossy(body).into_owned(),
            JsonMap::new(),
            None,
        ));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        errors([json!({ "message": format!("Invalid JSON in request body: {e}") })])
    })?;
    let query = value["query"]
        .as_str()
        .ok_or_else(|| errors([json!({ "message": "No query string was present" })]))?
        .to_owned();
    let variables: JsonValue = value
        .get("variables")
        .cloned()
        .unwrap_or(Value::Null)
        .into();
    let variables = variables.as_object().cloned().unwrap_or_default();
    let operation = value["operationName"].as_str().map(ToOwned::to_owned);
    Ok((query, variables, operation))
}

fn cost_block(requested: u64, actual: Option<u64>, shared: &Shared, available: f64) -> Value {
    let config = shared.bucket_config();
    json!({ "cost": {
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": {
            "maximumAvailable": config.maximum,
            // Shopify prints this one as an integer, the other two as floats.
            "currentlyAvailable": available.floor() as u64,
            "restoreRate": config.restore_rate,
        }
    }})
}

fn execute(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
    scopes: &[String],
) -> (StatusCode, Value) {
    let (query, variables, operation_name) = match parse_request(headers, body) {
        Ok(parts) => parts,
        Err(e) => return (StatusCode::BAD_REQUEST, e),
    };
    let served = schema::served();
    let doc = match shared.cached_document(&query) {
        Some(doc) => doc,
        None => match validate(shared, &query) {
            Ok(doc) => {
                let doc = Arc::new(doc);
                shared.cache_document(query, doc.clone());
                doc
            }
            Err(reply) => return reply,
        },
    };
    let op = match doc.operations.get(operation_name.as_deref()) {
        Ok(op) => op,
        Err(e) => {
            return (
                StatusCode::OK,
                errors([json!({ "message": e.message().to_string() })]),
            );
        }
    };
    let vars = match apollo_compiler::request::coerce_variable_values(served, op, &variables) {
        Ok(v) => v,
        Err(e) => {
            return (
                StatusCode::OK,
                errors([json!(e.to_graphql_error(&doc.sources))]),
            );
        }
    };
    if let Some(field) = needs_orders_scope(op)
        && !scopes.iter().any(|s| s == "read_orders")
    {
        return (
            StatusCode::OK,
            json!({ "data": null, "errors": [{
                "message": format!("Access denied for {field} field. Required access: `read_orders` access scope."),
                "path": [field],
                "extensions": {
                    "code": "ACCESS_DENIED",
                    "documentation": "https://shopify.dev/api/usage/access-scopes",
                    "requiredAccess": "`read_orders` access scope."
                }
            }]}),
        );
    }
    let mutation = op.operation_type == OperationType::Mutation;
    let requested = if mutation {
        cost::mutation(op)
    } else {
        cost::requested(served, &doc, &op.selection_set, &vars)
    };
    if requested > MAX_QUERY_COST {
        shared.stats_mut(|s| s.max_cost_exceeded += 1);
        return (
            StatusCode::OK,
            errors([json!({
                "message": format!("Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST})."),
                "extensions": {
                    "code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": MAX_QUERY_COST,
                    "documentation": "https://shopify.dev/api/usage/rate-limits"
                }
            })]),
        );
    }
    let now = shared.clock.now();
    let (taken, available) = shared.bucket_take(now, requested as f64);
    if !taken {
        shared.stats_mut(|s| s.throttled += 1);
        let mut body = errors([json!({ "message": "Throttled", "extensions": {
            "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits" } })]);
        body["extensions"] = cost_block(requested, None, shared, available);
        return (StatusCode::OK, body);
    }
    let window = if scopes.iter().any(|s| s == "read_all_orders") {
        i64::MIN
    } else {
        (now - chrono::Duration::days(shared.window_days)).timestamp()
    };
    let store = shared
        .store
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let ctx = Ctx {
        store: &store,
        vis: Visibility {
            created_after: window,
        },
        scopes,
        protected: shared
            .protected_data
            .load(std::sync::atomic::Ordering::Relaxed),
        bulk: Some(&shared.bulk),
        export: None,
    };
    let query_root = Obj::Query(&ctx);
    let mutation_root = MutationRoot(&ctx);
    let root: &dyn ObjectValue = if mutation {
        &mutation_root
    } else {
        &query_root
    };
    let response = Execution::new(served, &doc)
        .operation(op)
        .coerced_variable_values(&vars)
        .execute_sync(root);
    drop(store);
    let mut response = match response {
        Ok(r) => r,
        Err(e) => {
            return (
                StatusCode::OK,
                errors([json!(e.to_graphql_error(&doc.sources))]),
            );
        }
    };
    for error in &mut response.errors {
        // apollo-compiler prefixes resolver errors; Shopify's messages are bare sentences.
        if let Some(bare) = error.message.strip_prefix("resolver error: ") {
            error.message = bare.to_owned();
        }
        if error.message == PROTECTED_DATA_MESSAGE {
            error
                .extensions
                .insert("code", JsonValue::from("ACCESS_DENIED"));
            error.extensions.insert(
                "documentation",
                JsonValue::from("https://shopify.dev/docs/apps/launch/protected-customer-data"),
            );
        }
    }
    // A mutation costs its flat price whatever it returns (Shopify: `"actualQueryCost": 10`).
    let actual = if mutation {
        requested
    } else {
        response
            .data
            .as_ref()
            .map_or(0, |data| {
                cost::actual(served, &doc, &op.selection_set, &vars, data)
            })
            .min(requested)
    };
    let available = shared.bucket_refund(now, (requested - actual) as f64);
    shared.stats_mut(|s| {
        s.requested_cost += requested;
        s.actual_cost += actual;
        s.answered += 1;
    });
    let mut body = serde_json::to_value(&response).unwrap_or(Value::Null);
    body["extensions"] = cost_block(requested, Some(actual), shared, available);
    (StatusCode::OK, body)
}

/// Validates a document against Shopify's schema (when configured) and the served subset.
fn validate(
    shared: &Shared,
    query: &str,
) -> Result<Valid<ExecutableDocument>, (StatusCode, Value)> {
    // Shopify's own schema first (the extract of it): a document Shopify would reject is rejected
    // as Shopify would.
    if shared.reference_schema {
        let reference = schema::reference();
        if let Err(e) = ExecutableDocument::parse_and_validate(reference, query, "query.graphql") {
            return Err((
                StatusCode::OK,
                errors(e.errors.iter().map(|d| shopify_wording(json!(d.to_json())))),
            ));
        }
    }
    ExecutableDocument::parse_and_validate(schema::served(), query, "query.graphql").map_err(|e| {
        let list = e.errors.iter().map(|d| {
            json!({ "message": format!("The Shopify emulator does not serve this: {}", d.error) })
        });
        (StatusCode::OK, errors(list))
    })
}

/// Rewords the most common validation error as Shopify (graphql-ruby) words it:
/// "Field 'x' doesn't exist on type 'Shop'" with `extensions.code` `undefinedField`.
pub(super) fn shopify_wording(mut error: Value) -> Value {
    let message = error["message"].as_str().unwrap_or_default().to_owned();
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    if message.contains("does not have a field")
        && let [type_name, field_name, ..] = quoted[..]
    {
        error["message"] = json!(format!(
            "Field '{field_name}' doesn't exist on type '{type_name}'"
        ));
        error["extensions"] = json!({
            "code": "undefinedField", "typeName": type_name, "fieldName": field_name
        });
    }
    error
}

/// The first top-level field that needs `read_orders`, if any.
fn needs_orders_scope(op: &apollo_compiler::executable::Operation) -> Option<String> {
    op.selection_set.selections.iter().find_map(|s| match s {
        Selection::Field(f)
            if matches!(
                f.name.as_str(),
                "orders" | "order" | "nodes" | "node" | "ordersCount"
            ) =>
        {
            Some(f.name.to_string())
        }
        _ => None,
    })
}

/// `POST /admin/oauth/access_token` (client credentials grant).
pub async fn access_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.stats_mut(|s| s.token_requests += 1);
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let fields: serde_json::Map<String, Value> = if is_form {
        url::form_urlencoded::parse(&body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect()
    } else {
        serde_json::from_slice(&body).unwrap_or_default()
    };
    let field = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"})),
        )
            .into_response();
    }
    match shared.issue_token(field("client_id"), field("client_secret")) {
        Some((token, scope, expires_in)) => axum::Json(json!({
            "access_token": token, "scope": scope, "expires_in": expires_in
        }))
        .into_response(),
        None => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "invalid_client", "error_description": "Client authentication failed"})),
        )
            .into_response(),
    }
}
