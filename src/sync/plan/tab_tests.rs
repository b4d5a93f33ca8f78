//! Unit tests of [`super::judge`]: every case of the tab policy and its one wording.

use serde_json::{Value, json};

use super::*;
use crate::sync::plan::columns::COLUMN_COUNT;

fn header(names: &[&str]) -> Vec<Value> {
    names.iter().map(|n| json!(n)).collect()
}

fn full() -> Vec<Value> {
    Column::ALL.iter().map(|c| json!(c.name())).collect()
}

fn judged(read: Option<&TabRead>, bound: BoundTab<'_>) -> Result<TabVerdict, TabError> {
    judge(&TabFacts {
        title: "Orders",
        read,
        bound,
    })
}

fn read(row1: Vec<Value>, rows_below: bool) -> TabRead {
    TabRead { row1, rows_below }
}

#[test]
fn a_missing_tab_is_created_unless_the_db_is_bound_to_one() {
    let created = judged(None, BoundTab::Unbound).unwrap();
    assert_eq!(created, TabVerdict::Create(HeaderLayout::fresh()));
    assert_eq!(created.layout().additions().len(), COLUMN_COUNT);

    let err = judged(None, BoundTab::Titled("Orders 2025")).unwrap_err();
    assert_eq!(
        err,
        TabError::Renamed {
            tab: "Orders".to_owned(),
            now: "Orders 2025".to_owned()
        }
    );
    let message = err.to_string();
    let (_, advice) = message.split_once("; ").unwrap();
    assert!(advice.contains("\"Orders 2025\""), "{message}");

    let err = judged(None, BoundTab::Gone).unwrap_err();
    assert_eq!(
        err,
        TabError::Gone {
            tab: "Orders".to_owned()
        }
    );
    let message = err.to_string();
    assert!(
        message.contains("Version history") && message.contains("SHOPSYNC_DB"),
        "{message}"
    );
}

#[test]
fn a_header_only_tab_is_adopted_and_an_empty_one_is_blank() {
    // shopsync's own header with no data rows.
    let verdict = judged(Some(&read(full(), false)), BoundTab::Unbound).unwrap();
    match verdict {
        TabVerdict::Adopt { layout, blank } => {
            assert!(!blank);
            assert!(layout.additions().is_empty());
        }
        other @ TabVerdict::Create(_) => panic!("{other:?}"),
    }
    // A person's header with no data rows: adopted, owned headers added at the right.
    let verdict = judged(
        Some(&read(header(&["Notes", "", "Owner"]), false)),
        BoundTab::Unbound,
    )
    .unwrap();
    let TabVerdict::Adopt { layout, blank } = verdict else {
        panic!("{verdict:?}")
    };
    assert!(!blank);
    assert_eq!(layout.additions()[0].index, 3);
    assert_eq!(layout.additions().len(), COLUMN_COUNT);
    // Row 1 blank and nothing below: an empty tab, the header written and frozen.
    let verdict = judged(
        Some(&read(vec![json!(""), Value::Null], false)),
        BoundTab::Unbound,
    )
    .unwrap();
    assert!(matches!(verdict, TabVerdict::Adopt { blank: true, .. }));
}

#[test]
fn data_without_the_key_headers_and_duplicates_are_refused() {
    for row1 in [vec![], header(&["id", "total"])] {
        assert!(needs_rows_below(&row1));
        let err = judged(Some(&read(row1, true)), BoundTab::Unbound).unwrap_err();
        assert!(matches!(err, TabError::ForeignLayout { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("point `worksheet` at a new or empty tab"),
            "{err}"
        );
    }
    assert!(!needs_rows_below(&full()));
    let err = judged(
        Some(&read(
            header(&["Order ID", "Line Item ID", "Order ID"]),
            true,
        )),
        BoundTab::Titled("Orders"),
    )
    .unwrap_err();
    assert!(matches!(err, TabError::DuplicateHeader { .. }), "{err}");
}

#[test]
fn column_letters_for_messages() {
    assert_eq!(letters(&[0, 25, 26, 27, 701, 702]), "A, Z, AA, AB, ZZ, AAA");
}
