//! Query cost by Shopify's published rules: the requested cost from the document before it runs,
//! the actual cost from what the reply holds, so the difference can be refunded to the bucket.
//!
//! Rules (See: SHOPIFY-API.md section 3): scalars and enums 0, objects 1, connections
//! 2 + `first` × the cost of one node, lists of objects by their `first` (or their `ids`) × the
//! element cost, nested costs multiplied through. The query root itself is free.

use apollo_compiler::ExecutableDocument;
use apollo_compiler::Schema;
use apollo_compiler::ast::Value;
use apollo_compiler::executable::{DirectiveList, Selection, SelectionSet};
use apollo_compiler::response::{JsonMap, JsonValue};
use apollo_compiler::schema::ExtendedType;

/// Whether `@skip` / `@include` leave this selection in.
pub fn included(directives: &DirectiveList, vars: &JsonMap) -> bool {
    let flag = |name: &str| {
        directives.get(name).and_then(|d| {
            d.specified_argument_by_name("if")
                .map(|v| match v.as_ref() {
                    Value::Boolean(b) => *b,
                    Value::Variable(var) => vars
                        .get(var.as_str())
                        .and_then(JsonValue::as_bool)
                        .unwrap_or(false),
                    _ => false,
                })
        })
    };
    flag("skip") != Some(true) && flag("include") != Some(false)
}

fn int_arg(value: &Value, vars: &JsonMap) -> Option<u64> {
    match value {
        Value::Int(i) => i.try_to_i32().ok().and_then(|v| u64::try_from(v).ok()),
        Value::Variable(var) => vars.get(var.as_str()).and_then(JsonValue::as_u64),
        _ => None,
    }
}

fn list_len(value: &Value, vars: &JsonMap) -> Option<u64> {
    match value {
        Value::List(items) => Some(items.len() as u64),
        Value::Variable(var) => vars
            .get(var.as_str())
            .and_then(JsonValue::as_array)
            .map(|a| a.len() as u64),
        _ => None,
    }
}

/// The fields of a selection set with fragments flattened, in order.
pub(super) fn fields<'d>(
    doc: &'d ExecutableDocument,
    set: &'d SelectionSet,
    vars: &JsonMap,
    out: &mut Vec<&'d apollo_compiler::executable::Field>,
) {
    for selection in &set.selections {
        match selection {
            Selection::Field(f) if included(&f.directives, vars) => out.push(f),
            Selection::FragmentSpread(s) if included(&s.directives, vars) => {
                if let Some(fragment) = doc.fragments.get(&s.fragment_name) {
                    fields(doc, &fragment.selection_set, vars, out);
                }
            }
            Selection::InlineFragment(i) if included(&i.directives, vars) => {
                fields(doc, &i.selection_set, vars, out);
            }
            _ => {}
        }
    }
}

fn is_leaf(schema: &Schema, field: &apollo_compiler::executable::Field) -> bool {
    matches!(
        schema.types.get(field.definition.ty.inner_named_type()),
        Some(ExtendedType::Scalar(_) | ExtendedType::Enum(_)) | None
    )
}

pub(super) fn is_connection(field: &apollo_compiler::executable::Field) -> bool {
    field
        .definition
        .ty
        .inner_named_type()
        .ends_with("Connection")
}

/// Shopify charges every mutation this much. See: SHOPIFY-API.md section 3 ("mutation 10").
pub const MUTATION_COST: u64 = 10;

/// The cost of a mutation operation: the flat price for each of its top-level fields.
pub fn mutation(op: &apollo_compiler::executable::Operation) -> u64 {
    MUTATION_COST * op.selection_set.selections.len().max(1) as u64
}

/// The cost Shopify charges up front for `set`.
pub fn requested(
    schema: &Schema,
    doc: &ExecutableDocument,
    set: &SelectionSet,
    vars: &JsonMap,
) -> u64 {
    let mut list = Vec::new();
    fields(doc, set, vars, &mut list);
    list.into_iter()
        .map(|field| {
            if is_leaf(schema, field) {
                return 0;
            }
            let arg = |name: &str| field.specified_argument_by_name(name);
            let sub = requested(schema, doc, &field.selection_set, vars);
            if is_connection(field) {
                let n = arg("first")
                    .or_else(|| arg("last"))
                    .and_then(|v| int_arg(v, vars))
                    .unwrap_or(0);
                2 + n * connection_node_cost(schema, doc, &field.selection_set, vars)
            } else if field.definition.ty.is_list() {
                let n = arg("first")
                    .and_then(|v| int_arg(v, vars))
                    .or_else(|| arg("ids").and_then(|v| list_len(v, vars)))
                    .unwrap_or(1);
                n * (1 + sub)
            } else {
                1 + sub
            }
        })
        .sum()
}

/// The cost of one node of a connection: its `nodes` element or its `edges { node }`.
fn connection_node_cost(
    schema: &Schema,
    doc: &ExecutableDocument,
    set: &SelectionSet,
    vars: &JsonMap,
) -> u64 {
    let mut list = Vec::new();
    fields(doc, set, vars, &mut list);
    list.into_iter()
        .map(|f| match f.name.as_str() {
            "nodes" => 1 + requested(schema, doc, &f.selection_set, vars),
            "edges" => requested(schema, doc, &f.selection_set, vars),
            _ => 0,
        })
        .sum()
}

/// The cost of what a reply actually holds for `set`.
pub fn actual(
    schema: &Schema,
    doc: &ExecutableDocument,
    set: &SelectionSet,
    vars: &JsonMap,
    data: &JsonMap,
) -> u64 {
    let mut list = Vec::new();
    fields(doc, set, vars, &mut list);
    list.into_iter()
        .map(|field| {
            let Some(value) = data.get(field.response_key().as_str()) else {
                return 0;
            };
            if is_leaf(schema, field) {
                return 0;
            }
            let object_cost = |v: &JsonValue| {
                v.as_object().map_or(0, |o| {
                    1 + actual(schema, doc, &field.selection_set, vars, o)
                })
            };
            if is_connection(field) {
                return value.as_object().map_or(0, |conn| {
                    2 + actual_connection(schema, doc, &field.selection_set, vars, conn)
                });
            }
            match value {
                JsonValue::Array(items) => items.iter().map(object_cost).sum(),
                other => object_cost(other),
            }
        })
        .sum()
}

fn actual_connection(
    schema: &Schema,
    doc: &ExecutableDocument,
    set: &SelectionSet,
    vars: &JsonMap,
    conn: &JsonMap,
) -> u64 {
    let mut list = Vec::new();
    fields(doc, set, vars, &mut list);
    list.into_iter()
        .map(|f| {
            let items = conn
                .get(f.response_key().as_str())
                .and_then(JsonValue::as_array);
            let Some(items) = items else { return 0 };
            match f.name.as_str() {
                "nodes" => items
                    .iter()
                    .filter_map(JsonValue::as_object)
                    .map(|o| 1 + actual(schema, doc, &f.selection_set, vars, o))
                    .sum(),
                "edges" => items
                    .iter()
                    .filter_map(JsonValue::as_object)
                    .map(|o| actual(schema, doc, &f.selection_set, vars, o))
                    .sum(),
                _ => 0,
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::shopify::schema::served;

    fn cost(query: &str, vars: serde_json::Value) -> u64 {
        let schema = served();
        let doc = ExecutableDocument::parse_and_validate(schema, query, "q.graphql").unwrap();
        let op = doc.operations.get(None).unwrap();
        let vars: JsonValue = vars.into();
        requested(schema, &doc, &op.selection_set, vars.as_object().unwrap())
    }

    #[test]
    fn requested_cost_follows_shopifys_rules() {
        // Shopify's own example: products(first: 10){edges{node{id title}}} costs 12; the same
        // shape over orders here.
        assert_eq!(
            cost(
                "{ orders(first: 10) { edges { node { id name } } } }",
                serde_json::json!({})
            ),
            12
        );
        assert_eq!(cost("{ shop { name } }", serde_json::json!({})), 1);
        let nested = "query($n: Int!) { orders(first: $n) { pageInfo { hasNextPage } nodes { id \
            currentTotalPriceSet { shopMoney { amount } } lineItems(first: 10) { nodes { id product { id } } } } } }";
        // per order: 1 + (1 + 1) + (2 + 10 × (1 + 1)) = 25; 2 + 4 × 25.
        assert_eq!(cost(nested, serde_json::json!({"n": 4})), 102);
        let skipped = "query($s: Boolean!) { shop @include(if: $s) { name } orders(first: 1) { nodes { id } } }";
        assert_eq!(cost(skipped, serde_json::json!({"s": false})), 3);
        assert_eq!(cost(skipped, serde_json::json!({"s": true})), 4);
        let nodes =
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Order { id customer { id } } } }";
        assert_eq!(cost(nodes, serde_json::json!({"ids": ["a", "b", "c"]})), 6);
    }
}
