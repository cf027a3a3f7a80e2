//! Cells written for spreadsheets: a cell Excel or LibreOffice would read as a formula
//! (`=`, `+`, `-`, `@`, a tab or a carriage return first) is written inert, with a
//! leading apostrophe, so that a value a customer typed cannot run when the file is
//! opened (CSV injection).

use std::borrow::Cow;

/// `cell` as it may be written.
#[must_use]
pub fn inert(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_written_inert_and_the_rest_as_is() {
        for cell in ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(inert(cell), format!("'{cell}"));
        }
        for cell in ["", "张三", "a=b", "138 0013 8000", "'quoted"] {
            assert_eq!(inert(cell), cell);
        }
    }
}
