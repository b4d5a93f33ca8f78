//! Drive v3 `files.list` over the emulator's spreadsheets: the `q` search syntax (`name = '…'` with
//! `\'` and `\\` escapes, `mimeType`, `trashed`, joined by `and`), paging, and only the files shared
//! with the service account.

use serde_json::{Value, json};

use super::errors::ApiError;
use super::shared::Query;
use super::state::Inner;

/// The MIME type of a Google spreadsheet.
pub const SPREADSHEET_MIME: &str = "application/vnd.google-apps.spreadsheet";

#[derive(Debug, PartialEq)]
enum Term {
    Str(String),
    Bool(bool),
}

#[derive(Debug)]
struct Clause {
    field: String,
    op: String,
    value: Term,
}

fn parse_q(q: &str) -> Option<Vec<Clause>> {
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    let mut clauses = Vec::new();
    let skip_ws = |i: &mut usize| {
        while chars.get(*i).is_some_and(|c| c.is_whitespace()) {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        let start = i;
        while chars.get(i).is_some_and(char::is_ascii_alphanumeric) {
            i += 1;
        }
        let field: String = chars[start..i].iter().collect();
        skip_ws(&mut i);
        let op = if chars.get(i) == Some(&'=') {
            i += 1;
            "=".to_owned()
        } else if chars.get(i) == Some(&'!') && chars.get(i + 1) == Some(&'=') {
            i += 2;
            "!=".to_owned()
        } else {
            let s = i;
            while chars.get(i).is_some_and(char::is_ascii_alphabetic) {
                i += 1;
            }
            chars[s..i].iter().collect()
        };
        skip_ws(&mut i);
        let value = match chars.get(i) {
            Some(&quote @ ('\'' | '"')) => {
                i += 1;
                let mut s = String::new();
                loop {
                    match chars.get(i)? {
                        '\\' => {
                            s.push(*chars.get(i + 1)?);
                            i += 2;
                        }
                        c if *c == quote => {
                            i += 1;
                            break;
                        }
                        c => {
                            s.push(*c);
                            i += 1;
                        }
                    }
                }
                Term::Str(s)
            }
            _ => {
                let s = i;
                while chars.get(i).is_some_and(char::is_ascii_alphabetic) {
                    i += 1;
                }
                match chars[s..i].iter().collect::<String>().as_str() {
                    "true" => Term::Bool(true),
                    "false" => Term::Bool(false),
                    _ => return None,
                }
            }
        };
        if !["name", "mimeType", "trashed"].contains(&field.as_str())
            || !["=", "!=", "contains"].contains(&op.as_str())
        {
            return None;
        }
        clauses.push(Clause { field, op, value });
        skip_ws(&mut i);
        if i >= chars.len() {
            return Some(clauses);
        }
        let s = i;
        while chars.get(i).is_some_and(char::is_ascii_alphabetic) {
            i += 1;
        }
        if chars[s..i].iter().collect::<String>() != "and" {
            return None;
        }
    }
}

fn matches(clause: &Clause, name: &str, trashed: bool) -> bool {
    let actual = match clause.field.as_str() {
        "name" => Term::Str(name.to_owned()),
        "mimeType" => Term::Str(SPREADSHEET_MIME.to_owned()),
        _ => Term::Bool(trashed),
    };
    match clause.op.as_str() {
        "=" => actual == clause.value,
        "!=" => actual != clause.value,
        _ => match (&actual, &clause.value) {
            (Term::Str(a), Term::Str(b)) => a.contains(b.as_str()),
            _ => false,
        },
    }
}

/// `files.list`.
pub fn files_list(inner: &Inner, query: &Query) -> Result<Value, ApiError> {
    let clauses = match query.get("q") {
        Some(q) => parse_q(q).ok_or_else(|| ApiError::drive_invalid("Invalid Value"))?,
        None => Vec::new(),
    };
    let page_size = query
        .get("pageSize")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 1000);
    let offset = match query.get("pageToken") {
        Some(token) => token
            .strip_prefix("page-")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| ApiError::drive_invalid("Invalid Value"))?,
        None => 0,
    };
    let hits: Vec<Value> = inner
        .books
        .values()
        .filter(|b| b.shared && clauses.iter().all(|c| matches(c, &b.title, b.trashed)))
        .map(|b| {
            json!({"kind": "drive#file", "id": b.id, "name": b.title, "mimeType": SPREADSHEET_MIME,
                   "createdTime": "2026-01-01T00:00:00.000Z", "modifiedTime": "2026-01-01T00:00:00.000Z"})
        })
        .collect();
    let page: Vec<Value> = hits.iter().skip(offset).take(page_size).cloned().collect();
    let mut out = json!({"kind": "drive#fileList", "incompleteSearch": false, "files": page});
    if offset + page_size < hits.len() {
        out["nextPageToken"] = json!(format!("page-{}", offset + page_size));
    }
    Ok(out)
}

/// `files.get`: a shared spreadsheet's metadata, with `capabilities.canEdit`.
pub fn files_get(inner: &Inner, id: &str) -> Result<Value, ApiError> {
    let book = inner
        .books
        .get(id)
        .filter(|b| b.shared)
        .ok_or_else(|| ApiError::drive_not_found(id))?;
    Ok(json!({
        "kind": "drive#file", "id": book.id, "name": book.title, "mimeType": SPREADSHEET_MIME,
        "trashed": book.trashed,
        "capabilities": {"canEdit": book.editable, "canComment": true, "canCopy": true},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_unescape_quotes_and_backslashes() {
        let q = r"name = 'Valentine\'s \\ Day' and mimeType = 'application/vnd.google-apps.spreadsheet' and trashed = false";
        let clauses = parse_q(q).unwrap();
        assert_eq!(clauses.len(), 3);
        assert_eq!(clauses[0].value, Term::Str(r"Valentine's \ Day".into()));
        assert!(matches(&clauses[0], r"Valentine's \ Day", false));
        assert!(!matches(&clauses[2], "x", true));
        assert!(parse_q("name = 'x' or name = 'y'").is_none());
        assert!(parse_q("owner = 'x'").is_none());
    }
}
