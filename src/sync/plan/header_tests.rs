//! Unit tests of [`super::HeaderLayout`]: moved columns, people's columns, missing and duplicated
//! headers, foreign layouts.

use serde_json::{Value, json};

use super::*;
use crate::sync::plan::tab::TabError;

fn header(names: &[&str]) -> Vec<Value> {
    names.iter().map(|n| json!(n)).collect()
}

fn defaults() -> Vec<&'static str> {
    Column::ALL.iter().map(|c| c.name()).collect()
}

#[test]
fn a_fresh_tab_gets_every_default_column_from_a() {
    for layout in [
        HeaderLayout::fresh(),
        HeaderLayout::analyze("Orders", &[], false).unwrap(),
        HeaderLayout::analyze("Orders", &[json!(""), json!(null)], false).unwrap(),
    ] {
        assert_eq!(layout.additions().len(), COLUMN_COUNT);
        for (i, column) in Column::ALL.into_iter().enumerate() {
            assert_eq!(layout.index_of(column), i);
        }
        let (first, names) = layout.addition_cells().unwrap();
        assert_eq!(first, 0);
        assert_eq!(names, header(&defaults()));
        assert_eq!(layout.width(), COLUMN_COUNT);
        assert_eq!(layout.runs(Column::ALL), vec![(0, Column::ALL.to_vec())]);
    }
}

#[test]
fn the_default_header_needs_nothing() {
    let layout = HeaderLayout::analyze("Orders", &header(&defaults()), true).unwrap();
    assert!(layout.additions().is_empty());
    assert_eq!(layout.addition_cells(), None);
    assert_eq!(layout.index_of(Column::Test), 22);
}

#[test]
fn moved_columns_and_peoples_columns_are_found_by_name() {
    let row1 = header(&[
        "My notes",
        " Order ID ",
        "Line Item ID",
        "Order",
        "",
        "Packed by",
        "Quantity",
        "SKU",
    ]);
    let layout = HeaderLayout::analyze("Orders", &row1, true).unwrap();
    assert_eq!(layout.index_of(Column::OrderId), 1);
    assert_eq!(layout.index_of(Column::LineItemId), 2);
    assert_eq!(layout.index_of(Column::Order), 3);
    assert_eq!(layout.index_of(Column::Quantity), 6);
    assert_eq!(layout.index_of(Column::Sku), 7);
    // The 18 missing owned columns go to the right of the last header, in default order.
    let added: Vec<(Column, usize)> = layout
        .additions()
        .iter()
        .map(|a| (a.column, a.index))
        .collect();
    assert_eq!(added.len(), 18);
    assert_eq!(added[0], (Column::CreatedAt, 8));
    assert_eq!(added[1], (Column::UpdatedAt, 9));
    assert_eq!(added.last(), Some(&(Column::Test, 25)));
    assert_eq!(layout.width(), 26);
    // Runs break at people's columns (0, 4, 5) and at gaps in the chosen set.
    assert_eq!(
        layout.runs([
            Column::Sku,
            Column::Order,
            Column::OrderId,
            Column::Quantity,
            Column::LineItemId
        ]),
        vec![
            (1, vec![Column::OrderId, Column::LineItemId, Column::Order]),
            (6, vec![Column::Quantity, Column::Sku]),
        ]
    );
    assert_eq!(
        layout.runs([Column::Sku, Column::CreatedAt]),
        vec![(7, vec![Column::Sku, Column::CreatedAt])]
    );
    assert_eq!(
        layout.runs([Column::Order, Column::Sku]),
        vec![(3, vec![Column::Order]), (7, vec![Column::Sku]),]
    );
    let owned = layout.owned();
    assert_eq!(owned.len(), COLUMN_COUNT);
    assert_eq!(owned[0], (1, Column::OrderId));
}

#[test]
fn committing_additions_keeps_the_indexes() {
    let mut layout =
        HeaderLayout::analyze("Orders", &header(&["Order ID", "Line Item ID"]), true).unwrap();
    let before = layout.index_of(Column::Note);
    layout.commit_additions();
    assert!(layout.additions().is_empty());
    assert_eq!(layout.index_of(Column::Note), before);
}

#[test]
fn a_duplicated_owned_header_is_refused_with_its_columns() {
    let row1 = header(&["Order ID", "Line Item ID", "Note", "Mine", "Note "]);
    let err = HeaderLayout::analyze("Orders", &row1, true).unwrap_err();
    assert_eq!(
        err,
        TabError::DuplicateHeader {
            tab: "Orders".to_owned(),
            header: "Note",
            columns: vec![2, 4],
        }
    );
    let message = err.to_string();
    assert!(
        message.contains("\"Orders\"") && message.contains("C, E"),
        "{message}"
    );
    // People's headers may repeat freely.
    let row1 = header(&["Order ID", "Line Item ID", "Mine", "Mine"]);
    assert!(HeaderLayout::analyze("Orders", &row1, true).is_ok());
}

/// Row 1, whether rows below hold data, and the key headers reported missing (`None`: accepted).
type ForeignCase = (Vec<Value>, bool, Option<Vec<&'static str>>);

#[test]
fn a_foreign_layout_is_refused_and_an_empty_tab_is_not() {
    let cases: Vec<ForeignCase> = vec![
        // Another tool's export: data, no key headers.
        (
            header(&["Order Number", "Customer", "Total"]),
            true,
            Some(vec!["Order ID", "Line Item ID"]),
        ),
        // Headers only, no rows: adopted, the owned headers added at the right (DESIGN.md
        // section 9, "Owned columns": only a tab with data is another layout).
        (header(&["Name", "Email"]), false, None),
        // Data below a blank header row.
        (vec![], true, Some(vec!["Order ID", "Line Item ID"])),
        // One key header only.
        (
            header(&["Order ID", "Order"]),
            true,
            Some(vec!["Line Item ID"]),
        ),
        (header(&["Line Item ID"]), false, None),
        // Nothing at all: a fresh tab.
        (vec![], false, None),
        // Both keys: fine even with little else.
        (header(&["Line Item ID", "Order ID"]), true, None),
    ];
    for (row1, below, want) in cases {
        let got = HeaderLayout::analyze("Orders", &row1, below);
        match want {
            None => assert!(got.is_ok(), "{row1:?}: {got:?}"),
            Some(missing) => assert_eq!(
                got.unwrap_err(),
                TabError::ForeignLayout {
                    tab: "Orders".to_owned(),
                    missing,
                },
                "{row1:?}"
            ),
        }
    }
}

#[test]
fn non_text_header_cells_are_peoples_columns() {
    let row1 = vec![
        json!("Order ID"),
        json!(42),
        json!(true),
        json!("Line Item ID"),
    ];
    let layout = HeaderLayout::analyze("Orders", &row1, true).unwrap();
    assert_eq!(layout.index_of(Column::LineItemId), 3);
    assert_eq!(layout.additions()[0].index, 4);
}
