//! How written JSON values become cells: `RAW` stores them as they are, `USER_ENTERED` parses
//! them as if typed into the UI (numbers, booleans, ISO dates, `=` formulas, a leading `'`).

use chrono::NaiveDate;
use serde_json::Value;

use super::grid::Cell;

/// `valueInputOption`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputOption {
    /// Stored as given.
    Raw,
    /// Parsed like typing.
    UserEntered,
}

/// What a written JSON value does to a cell: `None` leaves it alone (Google skips `null`).
#[must_use]
pub fn to_cell(value: &Value, option: InputOption) -> Option<Cell> {
    match value {
        Value::Null => None,
        Value::Bool(b) => Some(Cell::Bool(*b)),
        Value::Number(n) => Some(Cell::Number(n.as_f64().unwrap_or(0.0))),
        Value::String(s) if s.is_empty() => Some(Cell::Empty),
        Value::String(s) => Some(match option {
            InputOption::Raw => Cell::Text(s.clone()),
            InputOption::UserEntered => parse_typed(s),
        }),
        // Objects and arrays are rejected by the caller before this point.
        other => Some(Cell::Text(other.to_string())),
    }
}

/// The characters a cell holds, as counted against the 50,000 limit: UTF-16 code units, as
/// Sheets (JavaScript strings) counts them, so an emoji counts two.
#[must_use]
pub fn char_len(value: &Value) -> usize {
    value.as_str().map_or(0, |s| s.encode_utf16().count())
}

fn parse_typed(text: &str) -> Cell {
    if let Some(rest) = text.strip_prefix('\'') {
        return Cell::Text(rest.to_owned());
    }
    if let Some(expr) = text.strip_prefix('=') {
        let result = eval(expr).map_or_else(|| Cell::Text("#NAME?".to_owned()), Cell::Number);
        return Cell::Formula(text.to_owned(), Box::new(result));
    }
    let trimmed = text.trim();
    if let Ok(n) = trimmed.parse::<f64>()
        && n.is_finite()
        && !trimmed.eq_ignore_ascii_case("nan")
        && !trimmed.contains("inf")
    {
        return Cell::Number(n);
    }
    if trimmed.eq_ignore_ascii_case("true") {
        return Cell::Bool(true);
    }
    if trimmed.eq_ignore_ascii_case("false") {
        return Cell::Bool(false);
    }
    if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
        #[allow(clippy::cast_precision_loss)]
        let serial = (date - epoch).num_days() as f64;
        return Cell::Date(serial, trimmed.to_owned());
    }
    Cell::Text(text.to_owned())
}

/// Evaluates simple arithmetic (`4/2`, `(1+2)*3`); anything else is not understood.
fn eval(expr: &str) -> Option<f64> {
    struct P<'a> {
        s: &'a [u8],
        i: usize,
    }
    impl P<'_> {
        fn ws(&mut self) {
            while self.s.get(self.i) == Some(&b' ') {
                self.i += 1;
            }
        }
        fn expr(&mut self) -> Option<f64> {
            let mut v = self.term()?;
            loop {
                self.ws();
                match self.s.get(self.i) {
                    Some(b'+') => {
                        self.i += 1;
                        v += self.term()?;
                    }
                    Some(b'-') => {
                        self.i += 1;
                        v -= self.term()?;
                    }
                    _ => return Some(v),
                }
            }
        }
        fn term(&mut self) -> Option<f64> {
            let mut v = self.atom()?;
            loop {
                self.ws();
                match self.s.get(self.i) {
                    Some(b'*') => {
                        self.i += 1;
                        v *= self.atom()?;
                    }
                    Some(b'/') => {
                        self.i += 1;
                        v /= self.atom()?;
                    }
                    _ => return Some(v),
                }
            }
        }
        fn atom(&mut self) -> Option<f64> {
            self.ws();
            match self.s.get(self.i) {
                Some(b'(') => {
                    self.i += 1;
                    let v = self.expr()?;
                    self.ws();
                    (self.s.get(self.i) == Some(&b')')).then(|| {
                        self.i += 1;
                        v
                    })
                }
                Some(b'-') => {
                    self.i += 1;
                    self.atom().map(|v| -v)
                }
                _ => {
                    let start = self.i;
                    while self
                        .s
                        .get(self.i)
                        .is_some_and(|b| b.is_ascii_digit() || *b == b'.')
                    {
                        self.i += 1;
                    }
                    std::str::from_utf8(&self.s[start..self.i])
                        .ok()?
                        .parse()
                        .ok()
                }
            }
        }
    }
    let mut p = P {
        s: expr.as_bytes(),
        i: 0,
    };
    let v = p.expr()?;
    p.ws();
    (p.i == expr.len()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::google::grid::Render;
    use serde_json::json;

    #[test]
    fn user_entered_matches_the_recorded_coercions() {
        let ue = |v: Value| to_cell(&v, InputOption::UserEntered).unwrap();
        assert_eq!(ue(json!("0042")).render(Render::Unformatted), json!(42));
        assert_eq!(
            ue(json!("2020-01-01")).render(Render::Unformatted),
            json!(43831)
        );
        assert_eq!(
            ue(json!("2020-01-01")).render(Render::UnformattedDateString),
            json!("2020-01-01")
        );
        let formula = ue(json!("=4/2"));
        assert_eq!(formula.render(Render::Unformatted), json!(2));
        assert_eq!(formula.render(Render::Formula), json!("=4/2"));
        assert_eq!(ue(json!("=3/2")).render(Render::Formatted), json!("1.5"));
        assert_eq!(
            ue(json!("'=1+1")).render(Render::Unformatted),
            json!("=1+1")
        );
    }

    #[test]
    fn raw_keeps_text_as_text_and_null_skips() {
        let raw = |v: Value| to_cell(&v, InputOption::Raw);
        assert_eq!(raw(json!("=1+1")), Some(Cell::Text("=1+1".into())));
        assert_eq!(raw(json!("0042")), Some(Cell::Text("0042".into())));
        assert_eq!(raw(json!("")), Some(Cell::Empty));
        assert_eq!(raw(Value::Null), None);
    }
}
