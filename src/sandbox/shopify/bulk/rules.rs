//! What `bulkOperationRunQuery` accepts: the inner query is validated like every document (against
//! the extract of Shopify's schema when configured, then the served subset), then held to Shopify's bulk rules,
//! then to what the emulator can export. Every problem becomes an `INVALID` user error.
//!
//! Shopify's rules and their messages are the ones its 2026-04 API answers (recorded replies): at
//! least one connection, at most five, nested at most two levels below the root, selected through
//! `edges { node }`, a nested connection's parent node selecting its `id`, no connection inside a
//! list, no top-level `node`. The emulator adds restrictions of its own, worded as its own: one
//! top-level `orders` connection, no variables, and no pagination (`first`, `after`, `pageInfo`,
//! `cursor`: a bulk export has no pages, and the emulator rejects rather than guess whether
//! Shopify honours a nested `first`).

use std::sync::Arc;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{OperationType, SelectionSet};
use apollo_compiler::validation::Valid;
use serde_json::json;

use super::selected as of;
use crate::sandbox::shopify::cost::is_connection;
use crate::sandbox::shopify::schema;
use crate::sandbox::shopify::server::shopify_wording;
use crate::sandbox::shopify::store::Filter;

/// Shopify's limits on a bulk query's connections.
/// See: the schema's `bulkOperationRunQuery` ("up to five connections with a maximum nesting depth
/// of two levels").
const MAX_CONNECTIONS: usize = 5;
const MAX_NESTING: usize = 2;

/// A bulk query that passed, validated against the served schema (which the export executes).
pub(super) type Prepared = Arc<Valid<ExecutableDocument>>;

/// Validates `query` for a bulk run; the messages of the `userErrors` when it fails.
pub(super) fn prepare(reference: bool, query: &str) -> Result<Prepared, Vec<String>> {
    if reference {
        let doc = ExecutableDocument::parse_and_validate(
            schema::reference(),
            query,
            "bulk_query.graphql",
        )
        .map_err(|e| {
            e.errors
                .iter()
                .map(|d| {
                    let error = shopify_wording(json!(d.to_json()));
                    let message = error["message"].as_str().unwrap_or_default();
                    format!("Invalid bulk query: {message}")
                })
                .collect::<Vec<_>>()
        })?;
        shopify_rules(&doc)?;
    }
    let served = schema::served();
    let doc = ExecutableDocument::parse_and_validate(served, query, "bulk_query.graphql").map_err(
        |e| {
            e.errors
                .iter()
                .map(|d| format!("The Shopify emulator does not serve this: {}", d.error))
                .collect::<Vec<_>>()
        },
    )?;
    if !reference {
        shopify_rules(&doc)?;
    }
    exportable(&doc)?;
    Ok(Arc::new(doc))
}

/// What a walk over the query found.
#[derive(Debug, Default)]
struct Shape<'d> {
    connections: usize,
    /// The most connections above any connection.
    nesting: usize,
    via_nodes: Vec<&'d str>,
    without_id: Vec<&'d str>,
    within_list: bool,
    paging: Vec<(&'d str, &'d str)>,
    page_info: bool,
}

impl<'d> Shape<'d> {
    fn walk(
        &mut self,
        doc: &'d ExecutableDocument,
        set: &'d SelectionSet,
        above: usize,
        in_list: bool,
        parent: Option<(&'d str, bool)>,
    ) {
        for field in of(doc, set) {
            if !is_connection(field) {
                if !field.selection_set.selections.is_empty() {
                    let in_list = in_list || field.definition.ty.is_list();
                    self.walk(doc, &field.selection_set, above, in_list, parent);
                }
                continue;
            }
            self.connections += 1;
            self.nesting = self.nesting.max(above);
            self.within_list |= in_list;
            if let Some((name, false)) = parent
                && !self.without_id.contains(&name)
            {
                self.without_id.push(name);
            }
            for arg in &field.arguments {
                if matches!(arg.name.as_str(), "first" | "last" | "after" | "before") {
                    self.paging.push((arg.name.as_str(), field.name.as_str()));
                }
            }
            let name = field.name.as_str();
            for part in of(doc, &field.selection_set) {
                match part.name.as_str() {
                    "edges" => {
                        for edge in of(doc, &part.selection_set) {
                            match edge.name.as_str() {
                                "node" => self.node(doc, &edge.selection_set, above, name),
                                "cursor" => self.page_info = true,
                                _ => {}
                            }
                        }
                    }
                    "nodes" => {
                        if !self.via_nodes.contains(&name) {
                            self.via_nodes.push(name);
                        }
                        self.node(doc, &part.selection_set, above, name);
                    }
                    "pageInfo" => self.page_info = true,
                    _ => {}
                }
            }
        }
    }

    fn node(
        &mut self,
        doc: &'d ExecutableDocument,
        set: &'d SelectionSet,
        above: usize,
        name: &'d str,
    ) {
        let has_id = of(doc, set).iter().any(|f| {
            f.name == "id" && f.alias.is_none() && f.definition.ty.inner_named_type() == "ID"
        });
        self.walk(doc, set, above + 1, false, Some((name, has_id)));
    }
}

/// Shopify's own bulk rules, with its messages.
fn shopify_rules(doc: &ExecutableDocument) -> Result<(), Vec<String>> {
    let Ok(op) = doc.operations.get(None) else {
        return Err(vec![
            "The Shopify emulator runs bulk queries of exactly one operation.".to_owned(),
        ]);
    };
    if op.operation_type != OperationType::Query {
        return Err(vec![
            "Invalid operation type. Only `query` operations are supported.".to_owned(),
        ]);
    }
    let mut problems = Vec::new();
    let top = of(doc, &op.selection_set);
    for name in ["node", "nodes"] {
        if top.iter().any(|f| f.name == name) {
            problems.push(format!(
                "Bulk queries cannot contain a top level `{name}` field."
            ));
        }
    }
    let top_level_only = problems.len();
    let mut shape = Shape::default();
    shape.walk(doc, &op.selection_set, 0, false, None);
    if let Some(first) = shape.via_nodes.first() {
        problems.push(format!(
            "All connection fields in a bulk query must select their contents using 'edges' > \
             'node', e.g: '{first} {{ edges {{ node {{'. Selecting via 'nodes' is not supported. \
             Invalid connection fields: '{}'.",
            shape.via_nodes.join("', '")
        ));
    }
    if shape.nesting > MAX_NESTING {
        problems.push(format!(
            "Bulk queries cannot contain connections with a nesting depth greater than {MAX_NESTING}."
        ));
    }
    if shape.connections > MAX_CONNECTIONS {
        problems.push(format!(
            "Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."
        ));
    }
    if !shape.without_id.is_empty() {
        problems.push(format!(
            "The parent 'node' field for a nested connection must select the 'id' field without an \
             alias and must be of 'ID' return type. Connection fields without 'id': {}.",
            shape.without_id.join(", ")
        ));
    }
    if shape.within_list {
        problems.push(
            "Queries that contain a connection field within a list field are not currently supported."
                .to_owned(),
        );
    }
    if shape.connections == 0 && problems.len() == top_level_only {
        problems.push("Bulk queries must contain at least one connection.".to_owned());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The emulator's own limits on what it exports.
fn exportable(doc: &Valid<ExecutableDocument>) -> Result<(), Vec<String>> {
    let op = doc
        .operations
        .get(None)
        .map_err(|e| vec![e.message().to_string()])?;
    let mut problems = Vec::new();
    if !op.variables.is_empty() {
        problems.push(
            "The Shopify emulator does not accept variables in bulk queries: nothing gives them values."
                .to_owned(),
        );
    }
    let top = of(doc, &op.selection_set);
    match top.as_slice() {
        [root] if root.name == "orders" => {
            let filter = root
                .specified_argument_by_name("query")
                .and_then(|v| v.as_str());
            if let Some(Err(e)) = filter.map(Filter::parse) {
                problems.push(format!("Invalid bulk query: {e}"));
            }
        }
        _ => problems.push(
            "The Shopify emulator exports exactly one top-level connection in bulk: `orders`."
                .to_owned(),
        ),
    }
    let mut shape = Shape::default();
    shape.walk(doc, &op.selection_set, 0, false, None);
    for (arg, connection) in &shape.paging {
        problems.push(format!(
            "The Shopify emulator does not accept pagination arguments in bulk queries, which \
             export every node: `{arg}` on `{connection}`."
        ));
    }
    if shape.page_info {
        problems.push(
            "The Shopify emulator does not serve `pageInfo` or `cursor` in bulk queries: a bulk \
             export has no pages."
                .to_owned(),
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}
