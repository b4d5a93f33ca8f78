//! The export behind a bulk operation, on its own thread: the inner query runs through the same
//! resolvers as every request, a chunk of orders at a time, and each chunk is flattened into
//! Shopify's JSONL and written to the result file.
//!
//! The format (SHOPIFY-API.md section 4): one object per line; a connection's nodes become lines of
//! their own, removed from their parent's line, each carrying `__parentId` (last); children come
//! after their parent but, unless `groupObjects`, not next to it: they wait in a pool and leave it
//! in a seeded random order, mixed with later parents' lines. Slashes are escaped (`\/`) when
//! configured, as Shopify's own files do.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Field, SelectionSet};
use apollo_compiler::resolvers::Execution;
use apollo_compiler::response::{JsonMap, JsonValue};

use super::operation::{Outcome, Work};
use super::rules::Prepared;
use super::{BulkErrorCode, selected};
use crate::sandbox::data::OrderData;
use crate::sandbox::shopify::cost::is_connection;
use crate::sandbox::shopify::lock;
use crate::sandbox::shopify::resolve::{Ctx, Obj};
use crate::sandbox::shopify::schema;
use crate::sandbox::shopify::store::{Filter, SortKey, Store, Visibility};

/// Orders resolved per chunk: the store is locked for one chunk at a time, so requests that arrive
/// during a long export are served between chunks.
const CHUNK: usize = 200;
/// Children waiting in the pool beyond which they are written at once.
const POOL: usize = 32;

/// Everything an export needs, owned by its thread.
pub(super) struct Job {
    pub store: Arc<Mutex<Store>>,
    pub doc: Prepared,
    pub vis: Visibility,
    pub scopes: Vec<String>,
    pub protected: bool,
    pub group: bool,
    pub escape_slashes: bool,
    pub seed: u64,
    /// Stop after this many objects and fail with this code.
    pub fail: Option<(BulkErrorCode, u64)>,
    pub work: Arc<Work>,
}

/// Starts the export on its own thread.
pub(super) fn start(job: Job) {
    let work = job.work.clone();
    let spawned = std::thread::Builder::new()
        .name("bulk-export".to_owned())
        .spawn(move || {
            let outcome = if job.scopes.iter().any(|s| s == "read_orders") {
                export(&job).unwrap_or(Outcome::Failed(BulkErrorCode::InternalServerError))
            } else {
                Outcome::Failed(BulkErrorCode::AccessDenied)
            };
            job.work.finish(outcome);
        });
    if spawned.is_err() {
        work.finish(Outcome::Failed(BulkErrorCode::InternalServerError));
    }
}

fn export(job: &Job) -> std::io::Result<Outcome> {
    let doc: &ExecutableDocument = &job.doc;
    let op = job
        .doc
        .operations
        .get(None)
        .map_err(|e| std::io::Error::other(e.message().to_string()))?;
    let root = *selected(doc, &op.selection_set)
        .first()
        .ok_or_else(|| std::io::Error::other("a bulk query without a field"))?;
    let ids = matching(job, root);
    let mut out = Out {
        file: BufWriter::new(File::create(&job.work.path)?),
        escape: job.escape_slashes,
        objects: 0,
        roots: 0,
        bytes: 0,
    };
    let mut lines = Lines {
        rng: fastrand::Rng::with_seed(job.seed),
        group: job.group,
        pool: Vec::new(),
    };
    let served = schema::served();
    for chunk in ids.chunks(CHUNK) {
        if let Some(outcome) = stop(job, &out) {
            out.publish(&job.work)?;
            return Ok(outcome);
        }
        let data = {
            let store = lock(&job.store);
            let orders: Vec<&OrderData> = chunk.iter().filter_map(|id| store.get(*id)).collect();
            let ctx = Ctx {
                store: &store,
                vis: job.vis,
                scopes: &job.scopes,
                protected: job.protected,
                bulk: None,
                export: Some(&orders),
            };
            // Field errors (protected data withheld) leave nulls, as in Shopify's files.
            Execution::new(served, &job.doc)
                .operation(op)
                .execute_sync(&Obj::Query(&ctx))
                .ok()
                .and_then(|response| response.data)
        };
        let Some(value) = data.and_then(|mut d| d.remove(root.response_key().as_str())) else {
            continue;
        };
        for entry in entries(doc, root, value, None) {
            lines.root(entry, &mut out)?;
            if let Some(outcome) = stop(job, &out) {
                out.publish(&job.work)?;
                return Ok(outcome);
            }
        }
        out.publish(&job.work)?;
    }
    lines.finish(&mut out)?;
    out.publish(&job.work)?;
    Ok(Outcome::Finished)
}

/// Whether the export stops here: canceled, or at its injected failure.
fn stop(job: &Job, out: &Out) -> Option<Outcome> {
    if job.work.cancel.load(Ordering::Relaxed) {
        return Some(Outcome::Canceled);
    }
    match job.fail {
        Some((code, after)) if out.objects >= after => Some(Outcome::Failed(code)),
        _ => None,
    }
}

/// The IDs of the orders the root connection selects, in its order, as of now.
fn matching(job: &Job, root: &Field) -> Vec<u64> {
    let arg = |name: &str| root.specified_argument_by_name(name);
    let filter = arg("query")
        .and_then(|v| v.as_str())
        .and_then(|q| Filter::parse(q).ok())
        .unwrap_or_default();
    let key = SortKey::parse(
        arg("sortKey")
            .and_then(|v| v.as_enum())
            .map_or("PROCESSED_AT", |name| name.as_str()),
    );
    let reverse = arg("reverse").and_then(|v| v.to_bool()).unwrap_or(false);
    let store = lock(&job.store);
    store
        .list(&filter, key, reverse, None, store.len(), job.vis)
        .map(|page| page.items.into_iter().map(|(order, _)| order.id).collect())
        .unwrap_or_default()
}

/// A line to write and the lines of its connections' nodes.
struct Entry {
    line: Vec<u8>,
    children: Vec<Entry>,
}

/// The nodes of a connection's reply as entries, each child of `parent` (an `id` value).
fn entries(
    doc: &ExecutableDocument,
    connection: &Field,
    value: JsonValue,
    parent: Option<&JsonValue>,
) -> Vec<Entry> {
    let JsonValue::Object(mut reply) = value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for edges in selected(doc, &connection.selection_set) {
        if edges.name != "edges" {
            continue;
        }
        let Some(JsonValue::Array(list)) = reply.remove(edges.response_key().as_str()) else {
            continue;
        };
        for edge in list {
            let JsonValue::Object(mut edge) = edge else {
                continue;
            };
            for node in selected(doc, &edges.selection_set) {
                if node.name != "node" {
                    continue;
                }
                if let Some(JsonValue::Object(fields)) = edge.remove(node.response_key().as_str()) {
                    out.push(entry(doc, &node.selection_set, fields, parent));
                }
            }
        }
    }
    out
}

fn entry(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    mut fields: JsonMap,
    parent: Option<&JsonValue>,
) -> Entry {
    let id = fields.get("id").cloned();
    let mut children = Vec::new();
    for field in selected(doc, set) {
        if is_connection(field)
            && let Some(value) = fields.remove(field.response_key().as_str())
        {
            children.extend(entries(doc, field, value, id.as_ref()));
        }
    }
    if let Some(parent) = parent {
        fields.insert("__parentId", parent.clone());
    }
    let line = serde_json::to_vec(&JsonValue::Object(fields)).unwrap_or_default();
    Entry { line, children }
}

/// The result file being written, and what it holds so far.
struct Out {
    file: BufWriter<File>,
    escape: bool,
    objects: u64,
    roots: u64,
    bytes: u64,
}

impl Out {
    fn line(&mut self, line: &[u8]) -> std::io::Result<()> {
        if self.escape {
            for (i, part) in line.split(|b| *b == b'/').enumerate() {
                if i > 0 {
                    self.file.write_all(b"\\/")?;
                    self.bytes += 2;
                }
                self.file.write_all(part)?;
                self.bytes += part.len() as u64;
            }
        } else {
            self.file.write_all(line)?;
            self.bytes += line.len() as u64;
        }
        self.file.write_all(b"\n")?;
        self.bytes += 1;
        self.objects += 1;
        Ok(())
    }

    /// Flushes and makes the counts visible to polls (`objectCount` is a running count).
    fn publish(&mut self, work: &Work) -> std::io::Result<()> {
        self.file.flush()?;
        work.bytes.store(self.bytes, Ordering::Relaxed);
        work.roots.store(self.roots, Ordering::Relaxed);
        work.objects.store(self.objects, Ordering::Relaxed);
        Ok(())
    }
}

/// The order lines leave in: parents in query order, children later and mixed.
struct Lines {
    rng: fastrand::Rng,
    group: bool,
    pool: Vec<Entry>,
}

impl Lines {
    fn root(&mut self, entry: Entry, out: &mut Out) -> std::io::Result<()> {
        out.roots += 1;
        self.emit(entry, out)?;
        if self.group {
            return Ok(());
        }
        for _ in 0..self.rng.usize(0..=3) {
            self.emit_any(out)?;
        }
        while self.pool.len() > POOL {
            self.emit_any(out)?;
        }
        Ok(())
    }

    /// Writes `entry`; its children follow at once (grouped) or join the pool, so they can only
    /// ever come after it.
    fn emit(&mut self, entry: Entry, out: &mut Out) -> std::io::Result<()> {
        out.line(&entry.line)?;
        if self.group {
            for child in entry.children {
                self.emit(child, out)?;
            }
        } else {
            self.pool.extend(entry.children);
        }
        Ok(())
    }

    fn emit_any(&mut self, out: &mut Out) -> std::io::Result<()> {
        if self.pool.is_empty() {
            return Ok(());
        }
        let entry = self.pool.swap_remove(self.rng.usize(..self.pool.len()));
        self.emit(entry, out)
    }

    fn finish(&mut self, out: &mut Out) -> std::io::Result<()> {
        while !self.pool.is_empty() {
            self.emit_any(out)?;
        }
        Ok(())
    }
}
