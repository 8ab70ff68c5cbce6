//! Matching a file's header to a kind's canonical columns.
//!
//! Headers are compared after dropping case, spaces, underscores and punctuation ("Hire Date" =
//! hire_date), and each column knows the names common HRIS exports give it (BambooHR, Gusto,
//! Rippling, Personio, HiBob, ADP, and the public HRDataset_v14). docs/importing.md lists them.

/// One canonical column of a data kind.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    /// Other names, already normalized (see [`normalize`]), best first.
    pub aliases: &'static [&'static str],
}

/// How a file's header maps onto a kind's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// For each canonical column present: (canonical name, header index, header as written).
    pub columns: Vec<(&'static str, usize, String)>,
    /// Headers that map to nothing: ignored and not stored.
    pub ignored: Vec<String>,
}

impl Mapping {
    /// The header index of a canonical column, if the file has it.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .find(|(column, _, _)| *column == name)
            .map(|(_, index, _)| *index)
    }
}

/// `Hire Date`, `hire_date` and `HireDate` all become `hiredate`.
pub fn normalize(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The first two headers that are the same after [`normalize`] (1-based positions), with the
/// first as written: a file that has them is rejected, since which one holds the data would be
/// a guess.
pub fn duplicate(headers: &[String]) -> Option<(usize, usize, String)> {
    let normalized: Vec<String> = headers.iter().map(|h| normalize(h)).collect();
    for (second, name) in normalized.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        if let Some(first) = normalized[..second].iter().position(|n| n == name) {
            return Some((first + 1, second + 1, headers[first].clone()));
        }
    }
    None
}

/// Map `headers` onto `columns`. For each column the best-ranked matching header wins (its own
/// name before its aliases, earlier aliases before later ones). Returns the missing required
/// columns as the error.
pub fn map(columns: &[Column], headers: &[String]) -> Result<Mapping, Vec<&'static str>> {
    let normalized: Vec<String> = headers.iter().map(|h| normalize(h)).collect();
    let mut mapped = Vec::new();
    let mut used = vec![false; headers.len()];
    for column in columns {
        let candidates = std::iter::once(normalize(column.name))
            .chain(column.aliases.iter().map(|a| a.to_string()));
        let found = candidates.into_iter().find_map(|candidate| {
            normalized
                .iter()
                .enumerate()
                .find(|(index, header)| !used[*index] && **header == candidate)
                .map(|(index, _)| index)
        });
        if let Some(index) = found {
            used[index] = true;
            mapped.push((column.name, index, headers[index].clone()));
        }
    }
    let missing: Vec<&'static str> = columns
        .iter()
        .filter(|c| c.required && !mapped.iter().any(|(name, _, _)| name == &c.name))
        .map(|c| c.name)
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let ignored = headers
        .iter()
        .zip(&used)
        .filter(|(header, used)| !**used && !header.is_empty())
        .map(|(header, _)| header.clone())
        .collect();
    Ok(Mapping {
        columns: mapped,
        ignored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column {
            name: "employee_id",
            required: true,
            aliases: &["empid", "employeenumber"],
        },
        Column {
            name: "hire_date",
            required: true,
            aliases: &["dateofhire", "startdate"],
        },
        Column {
            name: "email",
            required: false,
            aliases: &[],
        },
    ];

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn duplicate_headers_are_found_after_normalizing() {
        assert_eq!(
            duplicate(&headers(&[
                "responded_at",
                "team",
                "score",
                "Score ",
                "team"
            ])),
            Some((3, 4, "score".to_string()))
        );
        assert_eq!(
            duplicate(&headers(&["Hire Date", "x", "hire_date"])),
            Some((1, 3, "Hire Date".to_string()))
        );
        assert_eq!(duplicate(&headers(&["a", "", "", "b"])), None);
        assert_eq!(duplicate(&headers(&["employee_id", "team"])), None);
    }

    #[test]
    fn headers_match_ignoring_case_spaces_and_punctuation() {
        let m = map(
            COLUMNS,
            &headers(&["Employee ID", "Hire-Date", "Shoe size"]),
        )
        .unwrap();
        assert_eq!(m.index("employee_id"), Some(0));
        assert_eq!(m.index("hire_date"), Some(1));
        assert_eq!(m.ignored, ["Shoe size"]);
    }

    #[test]
    fn the_canonical_name_wins_over_an_alias() {
        let m = map(COLUMNS, &headers(&["Start Date", "EmpID", "hire_date"])).unwrap();
        assert_eq!(m.index("hire_date"), Some(2));
        assert_eq!(m.ignored, ["Start Date"]);
    }

    #[test]
    fn missing_required_columns_are_all_named() {
        assert_eq!(
            map(COLUMNS, &headers(&["email"])),
            Err(vec!["employee_id", "hire_date"])
        );
    }
}
