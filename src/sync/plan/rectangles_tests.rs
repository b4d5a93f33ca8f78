//! Unit tests of [`super`]: rectangles for appends and updates, and order progress.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::*;
use crate::sync::fixtures::order;
use crate::sync::plan::columns::Column;
use crate::sync::plan::header::HeaderLayout;
use crate::sync::plan::index::SheetIndex;
use crate::sync::plan::rows::{OrderRows, order_rows};
use crate::sync::plan::{Compare, plan};

fn fetched(ids: &[u64]) -> Vec<OrderRows> {
    ids.iter()
        .map(|&id| {
            order_rows(
                &order(id, 1000 + i64::try_from(id).unwrap()),
                chrono_tz::UTC,
            )
        })
        .collect()
}

fn layout(names: &[&str]) -> HeaderLayout {
    let header: Vec<Value> = names.iter().map(|n| json!(n)).collect();
    HeaderLayout::analyze("Orders", &header, true).unwrap()
}

#[test]
fn a_backfill_into_the_default_layout_is_one_rectangle() {
    let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
    let plan = plan(
        fetched(&[1, 2, 3]),
        &index,
        Compare::Hashes(&HashMap::new()),
    );
    let writes = append_writes(&plan.appends);
    assert_eq!(writes.len(), 1);
    let w = &writes[0];
    assert_eq!(
        (w.row, w.last_row(), w.column, w.last_column()),
        (2, 7, 0, 22)
    );
    assert_eq!(w.values.len(), 6);
    assert!(w.values.iter().all(|r| r.len() == 23));
    assert_eq!(w.values[0][1], json!("1"));
    assert_eq!(w.values[0][2], json!("11"));
    assert_eq!(w.values[5][2], json!("32"));
    assert_eq!(
        w.json_len(),
        serde_json::to_string(&w.values).unwrap().len()
    );
    // A slice of the appends (a chunk) still lands on its own rows.
    let tail = append_writes(&plan.appends[4..]);
    assert_eq!((tail[0].row, tail[0].last_row()), (6, 7));
}

#[test]
fn appends_skip_peoples_columns_with_one_rectangle_per_run() {
    let mut names = vec!["Order", "Order ID", "Line Item ID", "Mine"];
    names.extend(Column::ALL[3..].iter().map(|c| c.name()));
    let index = SheetIndex::empty(layout(&names), 10);
    let plan = plan(fetched(&[1, 2]), &index, Compare::Hashes(&HashMap::new()));
    let writes = append_writes(&plan.appends);
    let shapes: Vec<(u32, u32, usize, usize)> = writes
        .iter()
        .map(|w| (w.row, w.last_row(), w.column, w.last_column()))
        .collect();
    assert_eq!(shapes, vec![(10, 13, 0, 2), (10, 13, 4, 23)]);
}

#[test]
fn non_consecutive_rows_are_not_merged() {
    let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
    let mut plan = plan(fetched(&[1, 2]), &index, Compare::Hashes(&HashMap::new()));
    plan.appends[2].row = 20;
    plan.appends[3].row = 21;
    let rows: Vec<(u32, u32)> = append_writes(&plan.appends)
        .iter()
        .map(|w| (w.row, w.last_row()))
        .collect();
    assert_eq!(rows, vec![(2, 3), (20, 21)]);
}

#[test]
fn an_update_is_one_single_row_rectangle_per_run() {
    let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
    let mut plan = plan(fetched(&[1]), &index, Compare::Hashes(&HashMap::new()));
    let append = plan.appends.remove(0);
    let update = crate::sync::plan::Update {
        order: 0,
        key: append.key,
        row: 7,
        runs: append.runs,
        bytes: append.bytes,
    };
    let writes = update.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!((writes[0].row, writes[0].last_row()), (7, 7));
    assert_eq!(writes[0].values[0][15], json!(1));
    assert_eq!(writes[0].values[0][7], json!(""));
}

#[test]
fn orders_complete_only_when_all_their_writes_are_confirmed() {
    let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
    let mut plan = plan(fetched(&[1, 2]), &index, Compare::Hashes(&HashMap::new()));
    plan.orders[1].appends = 0; // pretend order 2 had nothing to write
    let mut progress = OrderProgress::new(&plan);
    assert_eq!(progress.complete_without_writes(), vec![1]);
    assert_eq!(progress.incomplete(), vec![0]);
    assert!(!progress.confirm(0));
    assert!(!progress.is_complete(0));
    assert!(progress.confirm(0));
    assert!(progress.is_complete(0));
    assert!(
        !progress.confirm(0),
        "an extra confirmation changes nothing"
    );
    assert!(!progress.confirm(9), "an unknown order is ignored");
    assert!(progress.incomplete().is_empty());
}

#[test]
fn every_order_without_writes_is_complete_from_the_start() {
    let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
    let mut plan = plan(
        fetched(&[1, 2, 3]),
        &index,
        Compare::Hashes(&HashMap::new()),
    );
    plan.orders[0].appends = 0;
    plan.orders[2].appends = 0;
    let mut progress = OrderProgress::new(&plan);
    assert_eq!(progress.complete_without_writes(), vec![0, 2]);
    assert_eq!(progress.incomplete(), vec![1]);
    assert!(!progress.confirm(2), "nothing was pending");
    assert!(!progress.confirm(1));
    assert!(progress.confirm(1));
    assert_eq!(progress.complete_without_writes(), vec![0, 1, 2]);
}

/// The chunker: requests by size, rows kept whole, halves for isolating a refused row.
mod chunks {
    use crate::sync::plan::Plan;
    use crate::sync::plan::header::HeaderLayout;
    use crate::sync::plan::index::SheetIndex;
    use crate::sync::plan::rectangles::*;

    use crate::sync::fixtures::{order, rows_of};
    use crate::sync::plan::{Compare, plan};

    /// A plan appending one row per order to a fresh tab.
    fn backfill_plan(orders: u64) -> Plan {
        let orders: Vec<_> = (1..=orders)
            .map(|i| order(5_500_000 + i, 1000 + i64::try_from(i).unwrap()))
            .collect();
        let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
        let tracked = std::collections::HashMap::new();
        plan(rows_of(&orders), &index, Compare::Hashes(&tracked))
    }

    #[test]
    fn chunks_respect_the_size_and_keep_rows_whole() {
        let plan = backfill_plan(300);
        let whole = chunk_plan(&plan, usize::MAX, 0);
        assert_eq!(whole.len(), 1);
        // One rectangle per run for consecutive appended rows.
        assert_eq!(whole[0].writes(&plan).len(), 1);
        assert_eq!(whole[0].appends.len(), 600);

        let size = whole[0].writes(&plan)[0].json_len();
        let chunks = chunk_plan(&plan, size / 4, 0);
        assert!(chunks.len() >= 4, "{}", chunks.len());
        let rows: usize = chunks.iter().map(|c| c.appends.len()).sum();
        assert_eq!(rows, 600);
        for chunk in &chunks {
            let writes = chunk.writes(&plan);
            let bytes: usize = writes.iter().map(RangeWrite::json_len).sum();
            assert!(bytes <= size / 4, "{bytes} > {}", size / 4);
            let written: usize = writes.iter().map(|w| w.values.len()).sum();
            assert_eq!(written, chunk.appends.len());
        }
    }

    #[test]
    fn each_request_is_filled_to_within_a_row_of_the_limit_and_never_over() {
        let plan = backfill_plan(300);
        let range = crate::sheets::range_bytes("Orders");
        let max = 40_000;
        let chunks = chunk_plan(&plan, max, range);
        assert!(chunks.len() >= 4, "{}", chunks.len());
        let row =
            |i: usize| -> usize { plan.appends[i].runs.iter().map(|r| r.json_len() + 1).sum() };
        for (n, chunk) in chunks.iter().enumerate() {
            let encoded = chunk.encode(&plan);
            let sent: usize = encoded.iter().map(|e| e.values.len() + range).sum();
            assert!(sent <= max, "request {n}: {sent} > {max}");
            if let Some(next) = chunks.get(n + 1) {
                assert!(
                    sent + row(next.appends[0]) > max,
                    "request {n}: {sent} bytes, and the next row would have fitted"
                );
            }
        }
    }

    #[test]
    fn halves_split_the_rows_evenly_and_lose_none() {
        let plan = backfill_plan(3);
        let mut chunk = chunk_plan(&plan, usize::MAX, 0).remove(0);
        chunk.appends.truncate(5);
        chunk.updates = vec![0, 1];
        let (first, second) = chunk.halves().expect("seven rows halve");
        assert_eq!(
            (first.appends.clone(), first.updates.clone()),
            (vec![0, 1, 2], vec![])
        );
        assert_eq!(
            (second.appends.clone(), second.updates.clone()),
            (vec![3, 4], vec![0, 1])
        );
        let (a, b) = second.halves().expect("four rows halve");
        assert_eq!(
            (a.appends, a.updates, b.appends, b.updates),
            (vec![3, 4], vec![], vec![], vec![0, 1])
        );
        let single = Chunk {
            size: 0,
            appends: Vec::new(),
            updates: vec![1],
        };
        assert!(single.halves().is_none());
        let two = Chunk {
            size: 0,
            appends: vec![4],
            updates: vec![1],
        };
        let (a, b) = two.halves().expect("two rows halve");
        assert_eq!(
            (a.appends, a.updates, b.appends, b.updates),
            (vec![4], vec![], vec![], vec![1])
        );
    }

    /// A chunk's size is what its request sends: the values' JSON and each rectangle's range. A
    /// chunk takes rows up to exactly the limit: at it, one chunk; one byte under it, the last row
    /// goes to a second.
    #[test]
    fn appends_fill_a_chunk_up_to_exactly_the_limit() {
        let plan = backfill_plan(3);
        let range = 80;
        let sent = |chunk: &Chunk| -> usize {
            chunk
                .encode(&plan)
                .iter()
                .map(|e| e.values.len() + range)
                .sum()
        };
        let singles = chunk_plan(&plan, 1, range);
        assert_eq!(singles.len(), 6, "each row alone when none fits");
        for chunk in &singles {
            assert_eq!(chunk.encode(&plan).len(), 1);
            assert_eq!(chunk.size, sent(chunk));
        }
        let whole = chunk_plan(&plan, usize::MAX, range);
        assert_eq!(whole.len(), 1);
        let total = sent(&whole[0]);
        assert_eq!(whole[0].size, total);

        let at_limit = chunk_plan(&plan, total, range);
        assert_eq!(at_limit.len(), 1);
        assert_eq!(at_limit[0].appends, vec![0, 1, 2, 3, 4, 5]);
        let under = chunk_plan(&plan, total - 1, range);
        assert_eq!(under.len(), 2);
        assert_eq!(under[0].appends, vec![0, 1, 2, 3, 4]);
        assert_eq!(under[1].appends, vec![5]);
    }

    /// Rows of one shape with a gap between them are two rectangles, and the chunk counts the
    /// second one's range too.
    #[test]
    fn rows_after_a_gap_start_a_rectangle_of_their_own() {
        let mut plan = backfill_plan(3);
        for append in &mut plan.appends[3..] {
            append.row += 5;
        }
        let chunk = chunk_plan(&plan, usize::MAX, 80).remove(0);
        let encoded = chunk.encode(&plan);
        assert_eq!(
            encoded
                .iter()
                .map(|e| (e.row, e.height))
                .collect::<Vec<_>>(),
            [(2, 3), (10, 3)]
        );
        let sent: usize = encoded.iter().map(|e| e.values.len() + 80).sum();
        assert_eq!(chunk.size, sent);
    }

    /// Updates are chunked by size too: each counts its one-row rectangles plus 80 bytes of range
    /// per rectangle, and a chunk takes updates up to exactly the limit.
    #[test]
    fn updates_fill_a_chunk_up_to_exactly_the_limit() {
        let mut plan = backfill_plan(2);
        for (n, append) in std::mem::take(&mut plan.appends).into_iter().enumerate() {
            plan.updates.push(crate::sync::plan::Update {
                row: 40 - 3 * u32::try_from(n).unwrap(),
                ..append
            });
        }
        let whole = chunk_plan(&plan, usize::MAX, 80);
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].updates, vec![0, 1, 2, 3]);
        let encoded = whole[0].encode(&plan);
        assert_eq!(encoded.len(), 4);
        let total: usize = encoded.iter().map(|e| e.values.len() + 80).sum();
        assert_eq!(whole[0].size, total);

        assert_eq!(chunk_plan(&plan, total, 80).len(), 1);
        let under = chunk_plan(&plan, total - 1, 80);
        assert_eq!(
            under
                .iter()
                .map(|c| (c.appends.clone(), c.updates.clone()))
                .collect::<Vec<_>>(),
            vec![(vec![], vec![0, 1, 2]), (vec![], vec![3])]
        );
        let singles = chunk_plan(&plan, 1, 80);
        assert_eq!(singles.len(), 4, "each update alone when none fits");
    }
}

/// The encoded rectangles a write sends are the same rectangles, byte for byte the JSON of the
/// values [`Chunk::writes`] builds: appends around people's columns, a gap, and updates.
#[test]
fn encoding_from_the_cells_gives_the_values_json_byte_for_byte() {
    let mut names = vec!["Order", "Order ID", "Line Item ID", "Mine"];
    names.extend(Column::ALL[3..].iter().map(|c| c.name()));
    let index = SheetIndex::empty(layout(&names), 10);
    let mut plan = plan(
        fetched(&[1, 2, 3]),
        &index,
        Compare::Hashes(&HashMap::new()),
    );
    // A gap after the second appended row, and the last two rows as updates.
    for append in &mut plan.appends[2..] {
        append.row += 5;
    }
    for append in plan.appends.split_off(plan.appends.len() - 2) {
        plan.updates.push(crate::sync::plan::Update {
            order: append.order,
            key: append.key,
            row: append.row + 100,
            runs: append.runs,
            bytes: append.bytes,
        });
    }
    let chunk = chunk_plan(&plan, usize::MAX, 0).remove(0);
    let writes = chunk.writes(&plan);
    let encoded = chunk.encode(&plan);
    assert_eq!(encoded.len(), writes.len());
    assert_eq!(writes.len(), 8, "2 runs × (2 append blocks + 2 updates)");
    assert_encoded_as_written(&encoded, &writes);
}

/// Each encoded rectangle covers the cells of its write, and its text is the JSON of its values.
fn assert_encoded_as_written(encoded: &[EncodedRectangle], writes: &[RangeWrite]) {
    assert_eq!(encoded.len(), writes.len());
    for (e, w) in encoded.iter().zip(writes) {
        assert_eq!(
            (e.row, e.column as usize, e.height, e.width as usize),
            (
                w.row,
                w.column,
                w.last_row() - w.row + 1,
                w.last_column() - w.column + 1
            )
        );
        assert_eq!(
            String::from_utf8(e.values.clone()).unwrap(),
            serde_json::to_string(&w.values).unwrap()
        );
    }
}

/// A run's JSON length, counted from its cells, is the length of the text it writes and of the
/// values it stands for, whatever its width.
#[test]
fn a_runs_json_length_is_counted_exactly() {
    let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
    let plan = plan(fetched(&[1]), &index, Compare::Hashes(&HashMap::new()));
    let full = plan.appends[0].runs[0].clone();
    for width in [0, 1, 2, 3, full.cells.len()] {
        let run = CellRun {
            column: full.column,
            cells: full.cells[..width].to_vec(),
        };
        let mut written = Vec::new();
        run.write_json(&mut written);
        let text = String::from_utf8(written).unwrap();
        assert_eq!(text, serde_json::to_string(&run.to_json()).unwrap());
        assert_eq!(run.json_len(), text.len(), "{width} cells: {text}");
    }
}

/// Consecutive appended rows share rectangles only when their runs have the same columns and
/// widths: a row writing fewer runs, or a narrower run at the same column, starts new ones (in the
/// values built and in the text encoded alike).
#[test]
fn consecutive_rows_of_different_shapes_are_not_merged() {
    let mut names = vec!["Order", "Order ID", "Line Item ID", "Mine"];
    names.extend(Column::ALL[3..].iter().map(|c| c.name()));
    let index = SheetIndex::empty(layout(&names), 2);
    let mut plan = plan(
        fetched(&[1, 2, 3]),
        &index,
        Compare::Hashes(&HashMap::new()),
    );
    // Rows 2-3: both runs; row 4: the first run only; row 5: the first run cut to two cells;
    // row 6: both runs again, the second one cell narrower; row 7 like row 6.
    plan.appends[2].runs.truncate(1);
    plan.appends[3].runs.truncate(1);
    plan.appends[3].runs[0].cells.truncate(2);
    plan.appends[4].runs[1].cells.pop();
    plan.appends[5].runs[1].cells.pop();
    for append in &mut plan.appends {
        append.bytes = crate::sync::plan::runs_bytes(&append.runs);
    }
    let shapes = |writes: &[RangeWrite]| -> Vec<(u32, u32, usize, usize)> {
        writes
            .iter()
            .map(|w| (w.row, w.last_row(), w.column, w.last_column()))
            .collect()
    };
    let want = vec![
        (2, 3, 0, 2),
        (2, 3, 4, 23),
        (4, 4, 0, 2),
        (5, 5, 0, 1),
        (6, 7, 0, 2),
        (6, 7, 4, 22),
    ];
    assert_eq!(shapes(&append_writes(&plan.appends)), want);
    let chunk = chunk_plan(&plan, usize::MAX, 80).remove(0);
    let writes = chunk.writes(&plan);
    assert_eq!(shapes(&writes), want);
    let encoded = chunk.encode(&plan);
    assert_eq!(encoded.len(), want.len());
    // The chunk counted each of the six rectangles' ranges, not only the merged rows' text.
    let sent: usize = encoded.iter().map(|e| e.values.len() + 80).sum();
    assert_eq!(chunk.size, sent);
    assert_encoded_as_written(&encoded, &writes);
}

/// A block of appended rows reserves its text once, for about the rows that follow it: a
/// 600-row backfill's encoded text never holds more than twice the memory it needs.
#[test]
fn encoding_reserves_about_the_text_it_writes() {
    let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
    let ids: Vec<u64> = (1..=300).collect();
    let plan = plan(fetched(&ids), &index, Compare::Hashes(&HashMap::new()));
    let chunk = chunk_plan(&plan, usize::MAX, 80).remove(0);
    let encoded = chunk.encode(&plan);
    assert_eq!(encoded.len(), 1);
    let text = &encoded[0].values;
    assert_eq!(encoded[0].height, 600);
    assert!(
        text.capacity() <= 2 * text.len(),
        "{} bytes reserved for {}",
        text.capacity(),
        text.len()
    );
}
