//! The demo's last look at the sheet: a compact table of its first and last rows, read straight
//! from the sandbox's grid, and a count that shows every line item has exactly one row.

use std::collections::HashSet;

use serde_json::Value;

use crate::cli::output::Output;
use crate::order::format_money;

/// The columns the preview shows, by header name.
const COLUMNS: [&str; 6] = [
    "Order",
    "Line Item ID",
    "Product",
    "Quantity",
    "Financial Status",
    "Order Total",
];
/// Rows shown from the top of the sheet.
const HEAD: usize = 10;
/// Rows shown from the bottom (where the newest orders were appended).
const TAIL: usize = 4;
/// Longer cells are cut to this many characters.
const MAX_CELL: usize = 24;

/// What the preview found, beyond the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Data rows with a key.
    pub keyed_rows: usize,
    /// Distinct keys among them.
    pub distinct_keys: usize,
}

/// Renders the table of the first [`HEAD`] and last [`TAIL`] data rows of `rows` (header first).
#[must_use]
pub fn table(out: &Output, rows: &[Vec<Value>]) -> String {
    let Some((header, data)) = rows.split_first() else {
        return "(the sheet is empty)".to_owned();
    };
    let columns: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|name| header.iter().position(|v| v.as_str() == Some(name)))
        .collect();
    let currency = header.iter().position(|v| v.as_str() == Some("Currency"));
    let mut table = out.table(&COLUMNS);
    let render = |row: &Vec<Value>| -> Vec<String> {
        columns
            .iter()
            .zip(COLUMNS)
            .map(|(column, name)| {
                let cell = column
                    .and_then(|c| row.get(c))
                    .map_or_else(String::new, text);
                if name == "Order Total" && !cell.is_empty() {
                    let code = currency.and_then(|c| row.get(c)).map(text);
                    return code.map_or(cell.clone(), |code| match cell.parse() {
                        Ok(amount) => format_money(amount, &code),
                        Err(_) => format!("{cell} {code}"),
                    });
                }
                cut(&cell)
            })
            .collect()
    };
    let (head, tail) = split(data);
    for row in head {
        table.add_row(render(row));
    }
    if !tail.is_empty() {
        let hidden = data.len() - head.len() - tail.len();
        let mut gap = vec![String::new(); COLUMNS.len()];
        gap[2] = format!("… {hidden} more rows …");
        table.add_row(gap);
        for row in tail {
            table.add_row(render(row));
        }
    }
    table.to_string()
}

/// The rows the table shows: all of a short sheet, else the first [`HEAD`] and the last [`TAIL`].
fn split(data: &[Vec<Value>]) -> (&[Vec<Value>], &[Vec<Value>]) {
    if data.len() <= HEAD + TAIL {
        (data, &[])
    } else {
        (&data[..HEAD], &data[data.len() - TAIL..])
    }
}

/// The `Order` cells of the rows the table shows.
#[must_use]
pub fn orders_shown(rows: &[Vec<Value>]) -> HashSet<String> {
    let Some((header, data)) = rows.split_first() else {
        return HashSet::new();
    };
    let Some(column) = header.iter().position(|v| v.as_str() == Some("Order")) else {
        return HashSet::new();
    };
    let (head, tail) = split(data);
    head.iter()
        .chain(tail)
        .filter_map(|r| r.get(column).map(text))
        .collect()
}

/// Counts the keyed rows and their distinct keys (Order ID, Line Item ID).
#[must_use]
pub fn facts(rows: &[Vec<Value>]) -> Facts {
    let Some((header, data)) = rows.split_first() else {
        return Facts {
            keyed_rows: 0,
            distinct_keys: 0,
        };
    };
    let column = |name: &str| header.iter().position(|v| v.as_str() == Some(name));
    let (Some(order), Some(line)) = (column("Order ID"), column("Line Item ID")) else {
        return Facts {
            keyed_rows: 0,
            distinct_keys: 0,
        };
    };
    let keys: Vec<(String, String)> = data
        .iter()
        .map(|r| {
            let get = |i: usize| r.get(i).map_or_else(String::new, text);
            (get(order), get(line))
        })
        .filter(|(o, l)| !o.is_empty() && !l.is_empty())
        .collect();
    let distinct: HashSet<&(String, String)> = keys.iter().collect();
    Facts {
        keyed_rows: keys.len(),
        distinct_keys: distinct.len(),
    }
}

/// A cell as text: strings as they are, numbers as written, empty for nothing.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `text` cut to [`MAX_CELL`] characters with an ellipsis, on one line.
#[must_use]
pub fn cut(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= MAX_CELL {
        return one_line;
    }
    let mut short: String = one_line.chars().take(MAX_CELL - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plain() -> Output {
        Output {
            json: false,
            tty: false,
            color: false,
        }
    }

    fn sheet(rows: usize) -> Vec<Vec<Value>> {
        let mut all = vec![
            json!([
                "Order",
                "Order ID",
                "Line Item ID",
                "Product",
                "Quantity",
                "Financial Status",
                "Order Total",
                "Currency"
            ])
            .as_array()
            .unwrap()
            .clone(),
        ];
        for i in 0..rows {
            all.push(vec![
                json!(format!("#{}", 1001 + i)),
                json!(format!("{}", 500 + i)),
                json!(format!("{}", 900 + i)),
                json!("A very long product title that goes on and on"),
                json!(2),
                json!("PAID"),
                json!(12.5),
                json!("EUR"),
            ]);
        }
        all
    }

    #[test]
    fn a_long_sheet_shows_head_gap_and_tail_with_cut_cells() {
        let text = table(&plain(), &sheet(30));
        assert!(text.contains("#1001"), "{text}");
        assert!(text.contains("#1010"), "{text}");
        assert!(!text.contains("#1011"), "{text}");
        assert!(text.contains("… 16 more rows …"), "{text}");
        assert!(text.contains("#1027") && text.contains("#1030"), "{text}");
        assert!(text.contains("A very long product tit…"), "{text}");
        assert!(
            text.contains("12.50 EUR"),
            "money as printed everywhere: {text}"
        );
        let shown = orders_shown(&sheet(30));
        assert_eq!(shown.len(), 14);
        assert!(shown.contains("#1010") && shown.contains("#1027") && !shown.contains("#1011"));
    }

    #[test]
    fn facts_count_keys_and_duplicates() {
        let mut rows = sheet(5);
        rows.push(rows[1].clone());
        rows.push(vec![json!("a person's row")]);
        assert_eq!(
            facts(&rows),
            Facts {
                keyed_rows: 6,
                distinct_keys: 5
            }
        );
        assert_eq!(table(&plain(), &[]), "(the sheet is empty)");
    }
}
