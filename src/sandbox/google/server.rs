//! The emulator's HTTP front: routing by Google's paths, discovery validation, auth, quotas,
//! injected faults and request counting, in the order Google's front end applies them.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::discovery::{Api, Received};
use super::errors::ApiError;
use super::shared::{Query, Shared};
use super::state::{Fault, Inner, IssuedToken};
use super::token;
use super::{drive, structure, values};

/// Scopes that let a token use the Sheets API.
const SHEETS_SCOPES: &[&str] = &[
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/drive.file",
];
/// Scopes that let a token list Drive files.
const DRIVE_SCOPES: &[&str] = &[
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
    "https://www.googleapis.com/auth/drive.metadata",
    "https://www.googleapis.com/auth/drive.readonly",
];

/// A recognised endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `spreadsheets.get`.
    Get(String),
    /// `spreadsheets.batchUpdate`.
    BatchUpdate(String),
    /// `values.get`.
    ValuesGet(String, String),
    /// `values.update`.
    ValuesUpdate(String, String),
    /// `values.append`.
    Append(String, String),
    /// `values.clear`.
    Clear(String, String),
    /// `values.batchGet`.
    BatchGet(String),
    /// `values.batchUpdate`.
    ValuesBatchUpdate(String),
    /// `values.batchClear`.
    BatchClear(String),
    /// Drive `files.list`.
    FilesList,
    /// Drive `files.get`.
    FilesGet(String),
}

impl Route {
    /// The discovery method id.
    #[must_use]
    pub fn method_id(&self) -> &'static str {
        match self {
            Route::Get(_) => "sheets.spreadsheets.get",
            Route::BatchUpdate(_) => "sheets.spreadsheets.batchUpdate",
            Route::ValuesGet(..) => "sheets.spreadsheets.values.get",
            Route::ValuesUpdate(..) => "sheets.spreadsheets.values.update",
            Route::Append(..) => "sheets.spreadsheets.values.append",
            Route::Clear(..) => "sheets.spreadsheets.values.clear",
            Route::BatchGet(_) => "sheets.spreadsheets.values.batchGet",
            Route::ValuesBatchUpdate(_) => "sheets.spreadsheets.values.batchUpdate",
            Route::BatchClear(_) => "sheets.spreadsheets.values.batchClear",
            Route::FilesList => "drive.files.list",
            Route::FilesGet(_) => "drive.files.get",
        }
    }

    /// The counter/fault name: the method id without the API prefix.
    #[must_use]
    pub fn short_name(&self) -> &'static str {
        let id = self.method_id();
        id.split_once('.').map_or(id, |(_, rest)| rest)
    }

    fn api(&self) -> Api {
        if matches!(self, Route::FilesList | Route::FilesGet(_)) {
            Api::Drive
        } else {
            Api::Sheets
        }
    }
}

fn decode(segment: &str) -> Option<String> {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

/// Maps a method and raw path to an endpoint.
fn route(method: &Method, raw_path: &str) -> Option<Route> {
    if raw_path == "/drive/v3/files" && method == Method::GET {
        return Some(Route::FilesList);
    }
    if let Some(id) = raw_path.strip_prefix("/drive/v3/files/")
        && method == Method::GET
        && !id.contains('/')
    {
        return Some(Route::FilesGet(decode(id)?));
    }
    let rest = raw_path.strip_prefix("/v4/spreadsheets/")?;
    let (id_part, tail) = match rest.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (rest, None),
    };
    match tail {
        None => {
            if let Some(id) = id_part.strip_suffix(":batchUpdate") {
                return (method == Method::POST).then(|| Route::BatchUpdate(id.to_owned()));
            }
            (method == Method::GET).then(|| Route::Get(id_part.to_owned()))
        }
        Some(tail) => {
            let id = id_part.to_owned();
            match (method.as_str(), tail) {
                ("GET", "values:batchGet") => Some(Route::BatchGet(id)),
                ("POST", "values:batchUpdate") => Some(Route::ValuesBatchUpdate(id)),
                ("POST", "values:batchClear") => Some(Route::BatchClear(id)),
                _ => {
                    let range = tail.strip_prefix("values/")?;
                    if range.contains('/') {
                        return None;
                    }
                    match method.as_str() {
                        "GET" => Some(Route::ValuesGet(id, decode(range)?)),
                        "PUT" => Some(Route::ValuesUpdate(id, decode(range)?)),
                        "POST" => {
                            let (r, action) = range.rsplit_once(':')?;
                            match action {
                                "append" => Some(Route::Append(id, decode(r)?)),
                                "clear" => Some(Route::Clear(id, decode(r)?)),
                                _ => None,
                            }
                        }
                        _ => None,
                    }
                }
            }
        }
    }
}

/// The emulator's axum router.
pub fn router(shared: Arc<Shared>) -> Router {
    // Google recommends 2 MB payloads but accepts more; do not refuse what it would take.
    Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(shared)
}

fn json_reply(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

fn error_reply(err: &ApiError) -> Response {
    json_reply(err.status, &err.body())
}

/// A reply whose body fails mid-stream: the client sees the connection drop.
fn dropped_reply() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("emulated connection drop"))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(stream))
        .unwrap_or_default()
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let _busy = shared.stalls.busy();
    if uri.path() == "/token" && method == Method::POST {
        let (status, reply) = token_endpoint(&shared, &body);
        return json_reply(status, &reply);
    }
    let Some(route) = route(&method, uri.path()) else {
        return error_reply(&ApiError::not_found());
    };
    let api = route.api();
    let for_api = |err: ApiError| {
        if api == Api::Drive && err.drive_reason.is_none() {
            let reason = match err.status.as_u16() {
                400 => "invalid",
                401 => "authError",
                403 => "insufficientPermissions",
                404 => "notFound",
                _ => "backendError",
            };
            error_reply(&ApiError {
                drive_reason: Some(reason),
                ..err
            })
        } else {
            error_reply(&err)
        }
    };
    {
        let mut inner = shared.lock();
        let count = inner
            .counts
            .entry(route.short_name().to_owned())
            .or_default();
        count.requests += 1;
        count.bytes += body.len() as u64;
    }
    let query = Query(
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    );
    let json_body: Option<Value> = if body.is_empty() {
        None
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => Some(v),
            Err(e) => {
                return for_api(ApiError::invalid(format!(
                    "Invalid JSON payload received. {e}"
                )));
            }
        }
    };
    if let Some(discovery) = &shared.discovery {
        let received = Received {
            http_method: method.as_str(),
            path: uri.path().trim_start_matches('/'),
            query: &query.0,
            body: json_body.as_ref(),
        };
        if let Err(message) = discovery.check(api, route.method_id(), &received) {
            tracing::warn!(method = route.method_id(), %message, "request violates the discovery document");
            shared.lock().violations += 1;
            return for_api(ApiError::invalid(message));
        }
    }
    if let Err(err) = authorize(&shared, &headers, api) {
        return for_api(err);
    }
    let fault = shared.lock().take_fault(route.short_name());
    match fault {
        Some(Fault::Stall(wait)) => shared.stalls.stall(wait).await,
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return for_api(ApiError::server(status));
        }
        Some(Fault::Quota) => {
            return for_api(if method == Method::GET {
                ApiError::quota("Read", shared.read_quota)
            } else {
                ApiError::quota("Write", shared.write_quota)
            });
        }
        Some(Fault::DriveRateLimit) => return error_reply(&ApiError::drive_rate_limit()),
        _ => {}
    }
    if matches!(
        route,
        Route::ValuesBatchUpdate(_) | Route::ValuesUpdate(..) | Route::Append(..)
    ) && let Some(at) = json_body
        .as_ref()
        .and_then(|body| shared.lock().refused_cell(body))
    {
        return for_api(ApiError::invalid_field(
            &at,
            format!("Invalid {at}: a value this emulator was told to refuse"),
        ));
    }
    if api == Api::Sheets
        && let Err(err) = charge_quota(&shared, &method)
    {
        return error_reply(&err);
    }
    let result = {
        let mut inner = shared.lock();
        match &route {
            Route::FilesList => drive::files_list(&inner, &query),
            Route::FilesGet(id) => drive::files_get(&inner, id),
            _ => dispatch(&mut inner, &route, &query, json_body.as_ref()),
        }
    };
    match (result, fault) {
        (Ok(_), Some(Fault::ApplyThen503)) => {
            for_api(ApiError::server(StatusCode::SERVICE_UNAVAILABLE))
        }
        (Ok(_), Some(Fault::ApplyThenDrop)) => dropped_reply(),
        (Ok(value), _) => {
            let value = match query.get("fields") {
                Some(mask) => super::grid::apply_mask(&value, &mask.replace(' ', "")),
                None => value,
            };
            json_reply(StatusCode::OK, &value)
        }
        (Err(err), _) => for_api(err),
    }
}

fn dispatch(
    inner: &mut Inner,
    route: &Route,
    query: &Query,
    body: Option<&Value>,
) -> Result<Value, ApiError> {
    let id = match route {
        Route::Get(id)
        | Route::BatchUpdate(id)
        | Route::ValuesGet(id, _)
        | Route::ValuesUpdate(id, _)
        | Route::Append(id, _)
        | Route::Clear(id, _)
        | Route::BatchGet(id)
        | Route::ValuesBatchUpdate(id)
        | Route::BatchClear(id) => id,
        Route::FilesList | Route::FilesGet(_) => return Err(ApiError::not_found()),
    };
    let book = inner.books.get_mut(id).ok_or_else(ApiError::not_found)?;
    let writes = !matches!(
        route,
        Route::Get(_) | Route::ValuesGet(..) | Route::BatchGet(_)
    );
    if !book.shared || (writes && !book.editable) {
        return Err(ApiError::permission_denied());
    }
    let empty = Value::Object(serde_json::Map::new());
    let body = body.unwrap_or(&empty);
    match route {
        Route::Get(_) => Ok(book.to_json()),
        Route::BatchUpdate(_) => structure::batch_update(book, body),
        Route::ValuesGet(_, range) => values::get(book, range, query),
        Route::ValuesUpdate(_, range) => values::update(book, range, query, body),
        Route::Append(_, range) => values::append(book, range, query, body),
        Route::Clear(_, range) => values::clear(book, range),
        Route::BatchGet(_) => values::batch_get(book, query),
        Route::ValuesBatchUpdate(_) => values::batch_update(book, body),
        Route::BatchClear(_) => values::batch_clear(book, body),
        Route::FilesList | Route::FilesGet(_) => Err(ApiError::not_found()),
    }
}

/// `POST /token`: the JWT-bearer grant. Answers 400 with an RFC 6749 body on any failure.
fn token_endpoint(shared: &Shared, body: &[u8]) -> (StatusCode, Value) {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if field("grant_type") != Some("urn:ietf:params:oauth:grant-type:jwt-bearer") {
        return (
            StatusCode::BAD_REQUEST,
            token::token_error("unsupported_grant_type", "Invalid grant_type"),
        );
    }
    let assertion = field("assertion").unwrap_or("");
    match token::verify_assertion(
        assertion,
        &shared.key,
        &shared.client_email,
        &shared.token_uri,
    ) {
        Ok(grant) => {
            let mut inner = shared.lock();
            inner.tokens_issued += 1;
            let lifetime = inner.token_lifetime.unwrap_or(shared.token_lifetime);
            let access = format!("ya29.sandbox-{}-{}", inner.tokens_issued, fastrand::u64(..));
            inner.tokens.insert(
                access.clone(),
                IssuedToken {
                    expires: Instant::now() + lifetime,
                    scopes: grant.scopes.clone(),
                },
            );
            (
                StatusCode::OK,
                token::token_reply(&access, lifetime, &grant.scopes),
            )
        }
        Err(description) => (
            StatusCode::BAD_REQUEST,
            token::token_error("invalid_grant", &description),
        ),
    }
}

fn authorize(shared: &Shared, headers: &HeaderMap, api: Api) -> Result<(), ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(ApiError::unauthenticated)?;
    let inner = shared.lock();
    let issued = inner
        .tokens
        .get(token)
        .ok_or_else(ApiError::unauthenticated)?;
    if issued.expires <= Instant::now() {
        return Err(ApiError::unauthenticated());
    }
    let needed = if api == Api::Drive {
        DRIVE_SCOPES
    } else {
        SHEETS_SCOPES
    };
    if !issued.scopes.iter().any(|s| needed.contains(&s.as_str())) {
        return Err(ApiError::insufficient_scope());
    }
    Ok(())
}

fn charge_quota(shared: &Shared, method: &Method) -> Result<(), ApiError> {
    let minute = shared.clock.now().timestamp().div_euclid(60);
    let (limit, metric) = if method == Method::GET {
        (shared.read_quota, "Read")
    } else {
        (shared.write_quota, "Write")
    };
    if limit == 0 {
        return Ok(());
    }
    let mut inner = shared.lock();
    let window = if method == Method::GET {
        &mut inner.reads
    } else {
        &mut inner.writes
    };
    if window.minute != minute {
        window.minute = minute;
        window.used = 0;
    }
    if window.used >= limit {
        inner.quota_rejections += 1;
        return Err(ApiError::quota(metric, limit));
    }
    window.used += 1;
    Ok(())
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
