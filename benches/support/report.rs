//! The table of measured figures against their budgets.

use comfy_table::Table;

/// One measured figure and its budget.
pub struct Line {
    /// What was measured.
    pub what: String,
    /// The measurement, formatted.
    pub measured: String,
    /// The budget, formatted.
    pub budget: String,
    /// Whether the budget was met (`None`: informational only).
    pub met: Option<bool>,
}

/// Every line of every scenario.
#[derive(Default)]
pub struct Report {
    lines: Vec<(String, Line)>,
}

impl Report {
    /// A figure checked against a budget.
    pub fn check(
        &mut self,
        scenario: &str,
        what: &str,
        measured: String,
        budget: String,
        met: bool,
    ) {
        self.lines.push((
            scenario.to_owned(),
            Line {
                what: what.to_owned(),
                measured,
                budget,
                met: Some(met),
            },
        ));
    }

    /// A figure shown for context, with no budget.
    pub fn info(&mut self, scenario: &str, what: &str, measured: String) {
        self.lines.push((
            scenario.to_owned(),
            Line {
                what: what.to_owned(),
                measured,
                budget: String::new(),
                met: None,
            },
        ));
    }

    /// Whether every checked figure met its budget.
    pub fn all_met(&self) -> bool {
        self.lines.iter().all(|(_, l)| l.met != Some(false))
    }

    /// The table, one row per figure.
    pub fn table(&self) -> Table {
        let mut table = Table::new();
        table.load_style(comfy_table::presets::ASCII_MARKDOWN);
        table.force_no_tty();
        table.set_header(["scenario", "figure", "measured", "budget", "result"]);
        for (scenario, line) in &self.lines {
            let result = match line.met {
                Some(true) => "ok",
                Some(false) => "MISSED",
                None => "",
            };
            table.add_row([
                scenario.as_str(),
                line.what.as_str(),
                line.measured.as_str(),
                line.budget.as_str(),
                result,
            ]);
        }
        table
    }
}
