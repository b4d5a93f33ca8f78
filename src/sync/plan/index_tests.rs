//! Unit tests of [`super::SheetIndex`] and key normalisation.

use serde_json::{Value, json};

use super::*;

fn default_layout() -> HeaderLayout {
    let names: Vec<Value> = Column::ALL.iter().map(|c| json!(c.name())).collect();
    HeaderLayout::analyze("Orders", &names, true).unwrap()
}

#[test]
fn keys_are_normalised() {
    let cases = [
        (json!("1001"), "1001"),
        (json!(" 1001 "), "1001"),
        (json!("1001.0"), "1001"),
        (json!("1001.00"), "1001"),
        (json!(1001), "1001"),
        (json!(1001.0), "1001"),
        (json!(5_501_234_567_890_u64), "5501234567890"),
        (json!(5_501_234_567_890.0), "5501234567890"),
        (json!("  "), ""),
        (json!(""), ""),
        (json!(null), ""),
        (json!(1001.5), "1001.5"),
        (json!("1001.5"), "1001.5"),
        (json!(".0"), ".0"),
        (json!("#1001"), "#1001"),
        (json!("abc"), "abc"),
    ];
    for (value, want) in cases {
        assert_eq!(normalize_key(&value), want, "{value}");
    }
}

#[test]
fn rows_are_indexed_by_key_wherever_the_key_columns_are() {
    // Key columns at B and C; the block read starts at column A, row 2.
    let rows = vec![
        vec![json!("#1001"), json!("1001"), json!("11")],
        vec![json!("#1001"), json!(1001.0), json!(" 12 ")],
        vec![],
        vec![json!("typed by a person")],
        vec![json!("#1002"), json!("1002"), json!(21)],
    ];
    let index = SheetIndex::from_rows(default_layout(), 2, 0, &rows, 7);
    assert_eq!(index.rows_of(&RowKey::new("1001", "11")), &[2]);
    assert_eq!(index.rows_of(&RowKey::new("1001", "12")), &[3]);
    assert_eq!(index.rows_of(&RowKey::new("1002", "21")), &[6]);
    assert_eq!(index.rows_of(&RowKey::new("1002", "22")), &[] as &[u32]);
    assert!(index.contains(&RowKey::new("1002", "21")));
    assert!(!index.contains(&RowKey::new("1002", "22")));
    let mut keys: Vec<RowKey> = index.keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            RowKey::new("1001", "11"),
            RowKey::new("1001", "12"),
            RowKey::new("1002", "21")
        ]
    );
    assert_eq!(index.key_count(), 3);
    assert_eq!(index.blank_key_rows(), 2);
    assert!(index.duplicates().is_empty());
    assert_eq!(index.first_free_row(), 7);
}

#[test]
fn a_block_starting_at_the_key_columns_is_read_at_an_offset() {
    let names = vec![json!("Mine"), json!("Line Item ID"), json!("Order ID")];
    let layout = HeaderLayout::analyze("Orders", &names, true).unwrap();
    let rows = vec![
        vec![json!("11"), json!("1001")],
        vec![json!("12"), json!("1001")],
    ];
    let index = SheetIndex::from_rows(layout, 2, 1, &rows, 4);
    assert_eq!(index.rows_of(&RowKey::new("1001", "12")), &[3]);
}

#[test]
fn key_columns_read_on_their_own_are_zipped_and_ragged_ends_are_blank() {
    let order_ids = vec![json!("1001"), json!(""), json!("1003"), json!("1004")];
    let line_ids = vec![json!("11"), json!(""), json!("31")];
    let index = SheetIndex::from_key_columns(default_layout(), 2, &order_ids, &line_ids, 0);
    assert_eq!(index.rows_of(&RowKey::new("1001", "11")), &[2]);
    assert_eq!(index.rows_of(&RowKey::new("1003", "31")), &[4]);
    assert_eq!(index.blank_key_rows(), 1);
    assert_eq!(index.partial_key_rows(), &[5]);
    // The first free row is past every row holding anything, whatever the caller said.
    assert_eq!(index.first_free_row(), 6);
}

#[test]
fn a_copied_row_is_a_duplicate_on_both_rows() {
    let order_ids = vec![json!("1001"), json!("1002"), json!(1001)];
    let line_ids = vec![json!("11"), json!("21"), json!("11")];
    let index = SheetIndex::from_key_columns(default_layout(), 2, &order_ids, &line_ids, 5);
    assert_eq!(
        index.duplicates(),
        vec![DuplicateKey {
            key: RowKey::new("1001", "11"),
            rows: vec![2, 4],
        }]
    );
    assert_eq!(
        index.rows_holding([&RowKey::new("1001", "11"), &RowKey::new("1002", "21")]),
        vec![2, 3, 4]
    );
}

#[test]
fn the_header_row_is_never_a_key_row() {
    let order_ids = vec![json!("Order ID"), json!("1001")];
    let line_ids = vec![json!("Line Item ID"), json!("11")];
    let index = SheetIndex::from_key_columns(default_layout(), 1, &order_ids, &line_ids, 3);
    assert_eq!(index.key_count(), 1);
    assert_eq!(index.rows_of(&RowKey::new("1001", "11")), &[2]);
}

#[test]
fn an_empty_tab_appends_from_row_two() {
    let index = SheetIndex::empty(HeaderLayout::fresh(), 0);
    assert_eq!(index.first_free_row(), 2);
    let mut index = SheetIndex::empty(HeaderLayout::fresh(), 1);
    index.record_append(RowKey::new("1", "2"), 2);
    assert_eq!(index.first_free_row(), 3);
    assert!(index.contains(&RowKey::new("1", "2")));
}

#[test]
fn recording_a_row_the_key_already_holds_makes_no_duplicate() {
    // An append confirmed again (a retried chunk found written) names the row the key is on.
    let key = RowKey::new("1001", "11");
    let mut index = SheetIndex::empty(HeaderLayout::fresh(), 1);
    index.record_append(key.clone(), 2);
    index.record_append(key.clone(), 2);
    assert_eq!(index.rows_of(&key), &[2]);
    assert!(index.duplicates().is_empty());
    // A copy on another row is a duplicate, listed once per row however often it is recorded.
    index.record_append(key.clone(), 5);
    index.record_append(key.clone(), 3);
    index.record_append(key.clone(), 5);
    assert_eq!(index.rows_of(&key), &[2, 3, 5]);
}

/// Numeric keys are packed, other text keys are not, and a numeric key that gains a second row
/// moves to the general map: lookups, duplicates and counts see one index either way.
#[test]
fn packed_and_text_keys_behave_alike() {
    let mut index = SheetIndex::empty(default_layout(), 2);
    index.record_append(RowKey::new("1001", "11"), 2);
    index.record_append(RowKey::new("01001", "11"), 3);
    index.record_append(RowKey::new("A-7", "x"), 4);
    index.record_append(RowKey::new("18446744073709551616", "1"), 5);
    assert_eq!(index.rows_of(&RowKey::new("1001", "11")), &[2]);
    assert_eq!(
        index.rows_of(&RowKey::new("01001", "11")),
        &[3],
        "leading zero is other text"
    );
    assert_eq!(index.rows_of(&RowKey::new("A-7", "x")), &[4]);
    assert_eq!(
        index.rows_of(&RowKey::new("18446744073709551616", "1")),
        &[5]
    );
    assert_eq!(index.key_count(), 4);
    assert!(index.duplicates().is_empty());
    // The same row again changes nothing; another row makes a duplicate, in order.
    index.record_append(RowKey::new("1001", "11"), 2);
    assert_eq!(index.key_count(), 4);
    index.record_append(RowKey::new("1001", "11"), 9);
    index.record_append(RowKey::new("1001", "11"), 7);
    assert_eq!(index.rows_of(&RowKey::new("1001", "11")), &[2, 7, 9]);
    assert_eq!(index.key_count(), 4);
    let dups = index.duplicates();
    assert_eq!(dups.len(), 1);
    assert_eq!(
        (dups[0].key.clone(), dups[0].rows.clone()),
        (RowKey::new("1001", "11"), vec![2, 7, 9])
    );
    assert_eq!(index.first_free_row(), 10);
    let mut keys: Vec<RowKey> = index.keys().collect();
    keys.sort();
    assert_eq!(keys.len(), 4);
    assert_eq!(keys[1], RowKey::new("1001", "11"));
}

#[test]
fn a_duplicate_names_its_key_and_rows_in_one_sentence() {
    let dup = DuplicateKey {
        key: RowKey::new("1001", "7"),
        rows: vec![3, 9, 12],
    };
    assert_eq!(
        dup.to_string(),
        "order 1001 line item 7 is on rows 3, 9, 12"
    );
}

/// Only canonical decimal IDs of up to 19 digits pack into a `u64` (so they print back as the same
/// text); anything else a person may have typed stays text.
#[test]
fn only_canonical_decimal_ids_are_packed() {
    let cases = [
        ("0", Some(0)),
        ("7", Some(7)),
        ("1001", Some(1001)),
        ("9999999999999999999", Some(9_999_999_999_999_999_999)),
        // 20 digits: past the rule even where a u64 would hold it.
        ("10000000000000000000", None),
        ("", None),
        ("01", None),
        ("00", None),
        ("+1", None),
        ("-1", None),
        (" 1", None),
        ("1a", None),
        ("1.0", None),
    ];
    for (text, want) in cases {
        assert_eq!(canonical_id(text), want, "{text:?}");
    }
    assert_eq!(numeric(&RowKey::new("1001", "11")), Some((1001, 11)));
    assert_eq!(numeric(&RowKey::new("1001", "011")), None);
    assert_eq!(numeric(&RowKey::new("A-1", "11")), None);
}

/// Where each key lives: numeric keys on one row in the packed map, the rest in the general map,
/// never in both; a key that gains a row stays in the general map.
#[test]
fn numeric_single_row_keys_live_packed_and_the_rest_as_text() {
    let mut index = SheetIndex::empty(default_layout(), 2);
    index.record_append(RowKey::new("1001", "11"), 2);
    index.record_append(RowKey::new("1002", "21"), 3);
    index.record_append(RowKey::new("01003", "31"), 4);
    assert_eq!((index.single.len(), index.other.len()), (2, 1));
    assert_eq!(index.single.get(&(1001, 11)), Some(&2));

    index.record_append(RowKey::new("1001", "11"), 6);
    assert_eq!((index.single.len(), index.other.len()), (1, 2));
    // A third row for a key already in the general map joins it there, in order.
    index.record_append(RowKey::new("1001", "11"), 5);
    assert_eq!((index.single.len(), index.other.len()), (1, 2));
    assert_eq!(index.rows_of(&RowKey::new("1001", "11")), &[2, 5, 6]);
    assert_eq!(index.key_count(), 3);
}

/// A text key (not packed) holds its rows inline until a second row: the same row again is no
/// copy, another row is, and rows stay sorted and unrepeated.
#[test]
fn a_text_key_gains_rows_like_a_numeric_one() {
    let key = RowKey::new("A-7", "x");
    let mut index = SheetIndex::empty(default_layout(), 2);
    index.record_append(key.clone(), 6);
    index.record_append(key.clone(), 6);
    assert_eq!(index.rows_of(&key), &[6]);
    assert!(index.duplicates().is_empty());
    index.record_append(key.clone(), 4);
    assert_eq!(index.rows_of(&key), &[4, 6]);
    index.record_append(key.clone(), 5);
    index.record_append(key.clone(), 6);
    assert_eq!(index.rows_of(&key), &[4, 5, 6]);
    assert_eq!(
        index.duplicates(),
        vec![DuplicateKey {
            key,
            rows: vec![4, 5, 6],
        }]
    );
}
