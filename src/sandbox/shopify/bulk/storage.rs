//! The stand-in for Google Cloud Storage, where Shopify puts bulk results: signed URLs that need no
//! Shopify token and expire, served on their own loopback port (another origin, as in production),
//! with Google's XML errors, byte ranges, and the download faults.

use std::collections::HashMap;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::DownloadFault;
use super::operation::ResultFile;
use crate::sandbox::shopify::Shared;

/// The bucket every result lives in.
pub(crate) const BUCKET: &str = "shopsync-sandbox-bulk-outputs";
/// Who signs the URLs (a service account, as on Shopify's URLs).
const ACCESS_ID: &str = "bulk-exports@shopsync-sandbox.iam.gserviceaccount.com";
/// Bytes per body chunk.
const CHUNK: usize = 64 * 1024;

/// Signs and checks result URLs (HMAC-SHA256 over method, expiry and object, as V2 signed URLs).
#[derive(Debug)]
pub(crate) struct Signer {
    base: String,
    key: [u8; 32],
}

impl Signer {
    pub fn new(base: String, seed: u64) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut key = [0u8; 32];
        rng.fill(&mut key);
        Self { base, key }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn key(&self) -> ring::hmac::Key {
        ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &self.key)
    }

    fn message(object: &str, expires: i64) -> String {
        format!("GET\n\n\n{expires}\n/{BUCKET}/bulk-operation-outputs/{object}")
    }

    fn signature(&self, object: &str, expires: i64) -> String {
        let tag = ring::hmac::sign(&self.key(), Self::message(object, expires).as_bytes());
        base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
    }

    /// The signed URL of `object`, the result of operation `id`, valid until `expires` (unix s).
    pub fn url(&self, object: &str, id: u64, expires: i64) -> String {
        let encode = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
        let disposition =
            format!("attachment; filename=\"bulk-{id}.jsonl\"; filename*=UTF-8''bulk-{id}.jsonl");
        format!(
            "{}/{BUCKET}/bulk-operation-outputs/{object}?GoogleAccessId={}&Expires={expires}\
             &Signature={}&response-content-disposition={}&response-content-type={}",
            self.base,
            encode(ACCESS_ID),
            encode(&self.signature(object, expires)),
            encode(&disposition),
            encode("application/jsonl"),
        )
    }

    fn verify(&self, object: &str, expires: i64, signature: &str) -> bool {
        let Ok(tag) = base64::engine::general_purpose::STANDARD.decode(signature) else {
            return false;
        };
        let message = Self::message(object, expires);
        ring::hmac::verify(&self.key(), message.as_bytes(), &tag).is_ok()
    }
}

/// Google's XML error reply.
fn xml_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=UTF-8"),
    );
    response
}

/// The bytes `Range` asks for, inclusive; `Err` when it cannot be satisfied.
fn range(headers: &HeaderMap, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(value) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let spec = value.strip_prefix("bytes=").ok_or(())?;
    let (start, end) = spec.split_once('-').ok_or(())?;
    let (start, end) = if start.is_empty() {
        let suffix: u64 = end.parse().map_err(|_| ())?;
        (size.saturating_sub(suffix), size.saturating_sub(1))
    } else {
        let start: u64 = start.parse().map_err(|_| ())?;
        let end = if end.is_empty() {
            size.saturating_sub(1)
        } else {
            end.parse::<u64>().map_err(|_| ())?.min(size - 1)
        };
        (start, end)
    };
    if start > end || start >= size {
        return Err(());
    }
    Ok(Some((start, end)))
}

/// `GET /{bucket}/bulk-operation-outputs/{object}?Expires=…&Signature=…`.
pub(crate) async fn download(
    State(shared): State<Arc<Shared>>,
    Path((bucket, object)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let bulk = &shared.bulk;
    let fault = bulk.count_download(headers.contains_key("x-shopify-access-token"));
    if bucket != BUCKET {
        return xml_error(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist.",
        );
    }
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let (Some(expires), Some(signature)) = (
        params.get("Expires").and_then(|e| e.parse::<i64>().ok()),
        params.get("Signature"),
    ) else {
        return xml_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Anonymous caller does not have storage.objects.get access to the Google Cloud Storage object.",
        );
    };
    if !bulk.signer.verify(&object, expires, signature) {
        return xml_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        );
    }
    // The signature proves the emulator issued the URL, so its expiry is checked first.
    if bulk.clock.now().timestamp() >= expires {
        return xml_error(StatusCode::BAD_REQUEST, "ExpiredToken", "Invalid argument.");
    }
    let Some(file) = bulk.result(&object) else {
        return xml_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        );
    };
    if let Some(DownloadFault::Status(status)) = fault {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return xml_error(
            status,
            "InternalError",
            "We encountered an internal error. Please try again.",
        );
    }
    let Ok(span) = range(&headers, file.size) else {
        let mut response = xml_error(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "InvalidRange",
            "The requested range cannot be satisfied.",
        );
        if let Ok(v) = HeaderValue::from_str(&format!("bytes */{}", file.size)) {
            response.headers_mut().insert(header::CONTENT_RANGE, v);
        }
        return response;
    };
    let cut = fault == Some(DownloadFault::CutHalfway);
    serve(shared.clone(), &file, span, cut)
}

/// Streams the file (or the span of it), cut half way when asked.
fn serve(shared: Arc<Shared>, file: &ResultFile, span: Option<(u64, u64)>, cut: bool) -> Response {
    let (start, end) = span.unwrap_or((0, file.size.saturating_sub(1)));
    let len = if file.size == 0 { 0 } else { end - start + 1 };
    let opened = std::fs::File::open(&file.work.path).and_then(|mut f| {
        f.seek(SeekFrom::Start(start))?;
        Ok(f)
    });
    let Ok(reader) = opened else {
        return xml_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "We encountered an internal error. Please try again.",
        );
    };
    let stop_at = if cut { len / 2 } else { len };
    let state = Stream {
        reader,
        sent: 0,
        stop_at,
        len,
        shared,
        _work: file.work.clone(),
    };
    let body = futures_util::stream::unfold(Some(state), |state| async move {
        let mut state = state?;
        if state.sent >= state.len {
            return None;
        }
        if state.sent >= state.stop_at {
            // Let the headers and the half already sent reach the client before the connection
            // drops: a cut download, not a refused one.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let cut = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "cut half way");
            return Some((Err(cut), None));
        }
        // A local file chunk from the page cache: blocking for microseconds is fine here.
        let want = usize::try_from(state.stop_at - state.sent)
            .unwrap_or(CHUNK)
            .min(CHUNK);
        let mut buf = vec![0; want];
        match state.reader.read(&mut buf) {
            Ok(0) => Some((
                Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof)),
                None,
            )),
            Ok(n) => {
                buf.truncate(n);
                state.sent += n as u64;
                state.shared.bulk.count_bytes(n as u64);
                Some((Ok(Bytes::from(buf)), Some(state)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    let status = if span.is_some() {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    let mut response = Response::new(Body::from_stream(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jsonl"),
    );
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    let mut set = |name, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    };
    set(header::CONTENT_LENGTH, len.to_string());
    set(
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"bulk-{}.jsonl\"", file.id),
    );
    if span.is_some() {
        set(
            header::CONTENT_RANGE,
            format!("bytes {start}-{end}/{}", file.size),
        );
    }
    response
}

/// A download in flight: the open file (kept alive by its work) and how far it got.
struct Stream {
    reader: std::fs::File,
    sent: u64,
    stop_at: u64,
    len: u64,
    shared: Arc<Shared>,
    _work: Arc<super::operation::Work>,
}
