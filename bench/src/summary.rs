//! The table: every figure measured in this run, its target beside it, and whether
//! it is met. Sections add their rows as they measure; the table is printed first.

use std::fmt::Write as _;

struct Row {
    figure: String,
    measured: String,
    target: String,
    met: Option<bool>,
}

#[derive(Default)]
pub struct Summary {
    rows: Vec<Row>,
}

impl Summary {
    /// A figure with a target: `met` says whether this run meets it.
    pub fn add(&mut self, figure: &str, measured: String, target: &str, met: bool) {
        self.rows.push(Row {
            figure: figure.into(),
            measured,
            target: target.into(),
            met: Some(met),
        });
    }

    /// A figure reported without a pass/fail target.
    pub fn report(&mut self, figure: &str, measured: String, target: &str) {
        self.rows.push(Row {
            figure: figure.into(),
            measured,
            target: target.into(),
            met: None,
        });
    }

    pub fn markdown(&self) -> String {
        let mut out = String::from(
            "## Summary: the issue's figures and targets (this run)\n\n| figure | measured | target | met |\n|---|---|---|---|\n",
        );
        for r in &self.rows {
            let met = match r.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "(reported)",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {met} |",
                r.figure, r.measured, r.target
            );
        }
        out.push('\n');
        out
    }
}
