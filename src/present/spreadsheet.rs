//! Cells a spreadsheet shows as text, never runs.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some read a leading tab
//! or carriage return the same way) as a formula. Team names, file names and imported values
//! come from people, so every text cell starting with one of those is prefixed with a single
//! quote; numbers (such as `-2.5`) are left as numbers.

/// A cell a spreadsheet will show as text, never run: formula starters get a leading `'`.
pub fn escape(cell: &str) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_quoted() {
        assert_eq!(escape("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(escape("+cmd"), "'+cmd");
        assert_eq!(escape("-1+2"), "'-1+2");
        assert_eq!(escape("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(escape("\tTab"), "'\tTab");
        assert_eq!(escape("\rCR"), "'\rCR");
    }

    #[test]
    fn plain_text_and_negative_numbers_are_left_alone() {
        assert_eq!(escape("Engineering"), "Engineering");
        assert_eq!(escape("-2.5"), "-2.5");
        assert_eq!(escape("a=b"), "a=b");
        assert_eq!(escape(""), "");
    }
}
