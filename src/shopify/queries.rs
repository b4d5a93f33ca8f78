//! Every GraphQL document shopsync sends, from `queries/*.graphql`, and the tests that hold each
//! one to Shopify's published 2026-04 schema (validity and no deprecated field), through the
//! project's extract of it.

/// A document and the name of its operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Document {
    /// The operation name, for logs and errors.
    pub name: &'static str,
    /// The full document text (fragments included).
    pub text: &'static str,
}

/// One page of orders updated in a window (and the shop on the first page).
pub const ORDERS_PAGE: Document = Document {
    name: "OrdersPage",
    text: concat!(
        include_str!("queries/orders_page.graphql"),
        include_str!("queries/shop_fragment.graphql"),
        include_str!("queries/order_fragments.graphql"),
        include_str!("queries/order_head_fragments.graphql"),
        include_str!("queries/line_fragments.graphql"),
    ),
};

/// More line items of one order.
pub const ORDER_LINE_ITEMS: Document = Document {
    name: "OrderLineItems",
    text: concat!(
        include_str!("queries/order_line_items.graphql"),
        include_str!("queries/line_fragments.graphql"),
    ),
};

/// Orders by global ID.
pub const ORDERS_BY_ID: Document = Document {
    name: "OrdersById",
    text: concat!(
        include_str!("queries/orders_by_id.graphql"),
        include_str!("queries/order_fragments.graphql"),
        include_str!("queries/order_head_fragments.graphql"),
        include_str!("queries/line_fragments.graphql"),
    ),
};

/// Orders by name search.
pub const ORDERS_BY_NAME: Document = Document {
    name: "OrdersByName",
    text: concat!(
        include_str!("queries/orders_by_name.graphql"),
        include_str!("queries/order_fragments.graphql"),
        include_str!("queries/order_head_fragments.graphql"),
        include_str!("queries/line_fragments.graphql"),
    ),
};

/// Count of orders matching a search.
pub const ORDERS_COUNT: Document = Document {
    name: "OrdersCount",
    text: include_str!("queries/orders_count.graphql"),
};

/// The token's granted access scopes.
pub const ACCESS_SCOPES: Document = Document {
    name: "AccessScopes",
    text: include_str!("queries/access_scopes.graphql"),
};

/// The shop alone.
pub const SHOP: Document = Document {
    name: "Shop",
    text: concat!(
        include_str!("queries/shop.graphql"),
        include_str!("queries/shop_fragment.graphql"),
    ),
};

/// The bulk export of orders updated in a window; `"WINDOW"` stands for the search string
/// (see [`crate::shopify::bulk`]).
pub const BULK_ORDERS: Document = Document {
    name: "BulkOrders",
    text: concat!(
        include_str!("queries/bulk_orders.graphql"),
        include_str!("queries/order_head_fragments.graphql"),
        include_str!("queries/line_fragments.graphql"),
    ),
};

/// Starts a bulk query.
pub const BULK_RUN: Document = Document {
    name: "RunOrdersExport",
    text: concat!(
        include_str!("queries/bulk_run.graphql"),
        include_str!("queries/bulk_fields.graphql"),
    ),
};

/// Polls a bulk operation.
pub const BULK_POLL: Document = Document {
    name: "BulkOperationPoll",
    text: concat!(
        include_str!("queries/bulk_poll.graphql"),
        include_str!("queries/bulk_fields.graphql"),
    ),
};

/// Cancels a bulk operation.
pub const BULK_CANCEL: Document = Document {
    name: "BulkOperationCancel",
    text: concat!(
        include_str!("queries/bulk_cancel.graphql"),
        include_str!("queries/bulk_fields.graphql"),
    ),
};

/// The newest bulk query operations.
pub const BULK_RECENT: Document = Document {
    name: "RecentBulkOperations",
    text: concat!(
        include_str!("queries/bulk_recent.graphql"),
        include_str!("queries/bulk_fields.graphql"),
    ),
};

/// Every document, for the fidelity tests.
pub const ALL: &[Document] = &[
    ORDERS_PAGE,
    ORDER_LINE_ITEMS,
    ORDERS_BY_ID,
    ORDERS_BY_NAME,
    ORDERS_COUNT,
    ACCESS_SCOPES,
    SHOP,
    BULK_ORDERS,
    BULK_RUN,
    BULK_POLL,
    BULK_CANCEL,
    BULK_RECENT,
];

#[cfg(test)]
mod tests {
    use super::*;
    use apollo_compiler::executable::{Selection, SelectionSet};
    use apollo_compiler::validation::Valid;
    use apollo_compiler::{ExecutableDocument, Schema};

    /// The project's extract of Shopify's schema (`references/shopify`), which the drift test
    /// holds to the full schema.
    fn schema() -> &'static Valid<Schema> {
        crate::sandbox::shopify::schema::reference()
    }

    /// Every field the document selects, as `Type.field`, with whether it is deprecated.
    fn deprecated_fields(doc: &ExecutableDocument, set: &SelectionSet, out: &mut Vec<String>) {
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    if field.definition.directives.get("deprecated").is_some() {
                        out.push(format!("{}.{}", set.ty, field.name));
                    }
                    for arg in &field.definition.arguments {
                        if arg.directives.get("deprecated").is_some()
                            && field.specified_argument_by_name(&arg.name).is_some()
                        {
                            out.push(format!("{}.{}({})", set.ty, field.name, arg.name));
                        }
                    }
                    deprecated_fields(doc, &field.selection_set, out);
                }
                Selection::FragmentSpread(spread) => {
                    let fragment = &doc.fragments[&spread.fragment_name];
                    deprecated_fields(doc, &fragment.selection_set, out);
                }
                Selection::InlineFragment(inline) => {
                    deprecated_fields(doc, &inline.selection_set, out);
                }
            }
        }
    }

    fn validate(doc: &Document) -> Result<Valid<ExecutableDocument>, String> {
        ExecutableDocument::parse_and_validate(schema(), doc.text, doc.name)
            .map_err(|e| e.errors.to_string())
    }

    #[test]
    fn every_document_validates_against_shopifys_schema() {
        for doc in ALL {
            let valid = validate(doc).unwrap_or_else(|e| {
                panic!(
                    "{}: {e}\n(the extract holds only what the documents and the emulator use: when \
                     Shopify has the field, refresh: cargo run --example refresh_references)",
                    doc.name
                )
            });
            assert!(valid.operations.get(Some(doc.name)).is_ok(), "{}", doc.name);
        }
    }

    #[test]
    fn no_document_uses_a_deprecated_field() {
        for doc in ALL {
            let valid = validate(doc).unwrap();
            let mut found = Vec::new();
            for op in valid.operations.iter() {
                deprecated_fields(&valid, &op.selection_set, &mut found);
            }
            assert!(found.is_empty(), "{} uses deprecated {found:?}", doc.name);
        }
    }

    #[test]
    fn the_checks_catch_unknown_fields_wrong_arguments_and_deprecations() {
        let unknown = Document {
            name: "Bad",
            text: "query Bad { shop { name notAField } }",
        };
        assert!(validate(&unknown).is_err());
        let wrong_arg = Document {
            name: "Bad",
            text: "query Bad { orders(first: \"ten\") { nodes { id } } }",
        };
        assert!(validate(&wrong_arg).is_err());
        let deprecated = Document {
            name: "Old",
            text: "query Old { orders(first: 1) { nodes { id customer { email } } } }",
        };
        let valid = validate(&deprecated).unwrap();
        let mut found = Vec::new();
        for op in valid.operations.iter() {
            deprecated_fields(&valid, &op.selection_set, &mut found);
        }
        assert_eq!(found, ["Customer.email"]);
    }
}
