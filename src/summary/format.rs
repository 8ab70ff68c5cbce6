//! Numbers for people, as the summary shows them in every format: one decimal for percentages
//! and scores, thousands separators for counts and money, a true minus sign, and "–" for a
//! value that cannot be computed.

/// Shown for a value that cannot be computed.
pub const UNKNOWN: &str = "–";
/// Shown instead of a survey figure withheld for privacy.
pub const TOO_FEW: &str = "not enough responses";

/// `1234567.8` → `1,234,568`.
pub fn whole(value: f64) -> String {
    let rounded = value.round();
    let digits = format!("{:.0}", rounded.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if rounded < 0.0 {
        format!("−{out}")
    } else {
        out
    }
}

/// A rate on the 0–100 scale: `6.0 %`.
pub fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| UNKNOWN.to_string(), |v| format!("{} %", one_decimal(v)))
}

/// A score or plain number with one decimal: `62.3`.
pub fn number(value: Option<f64>) -> String {
    value.map_or_else(|| UNKNOWN.to_string(), one_decimal)
}

/// An amount of money, without decimals, in the organization's currency (an ISO code), as the
/// other pages show it: "$12,345", "€12,345", "£12,345", "¥12,345", "12,345 CHF".
pub fn money(value: f64, currency: &str) -> String {
    let amount = whole(value);
    let (sign, digits) = match amount.strip_prefix('−') {
        Some(rest) => ("−", rest.to_string()),
        None => ("", amount),
    };
    match currency.trim() {
        "USD" => format!("{sign}${digits}"),
        "EUR" => format!("{sign}€{digits}"),
        "GBP" => format!("{sign}£{digits}"),
        "JPY" => format!("{sign}¥{digits}"),
        "" => format!("{sign}{digits}"),
        other => format!("{sign}{digits} {other}"),
    }
}

/// A change with its sign: `+1.8`, `−0.5`, `0.0`.
pub fn signed(value: f64) -> String {
    let text = format!("{:.1}", value.abs());
    if text == "0.0" {
        text
    } else if value > 0.0 {
        format!("+{text}")
    } else {
        format!("−{text}")
    }
}

fn one_decimal(value: f64) -> String {
    let text = format!("{:.1}", value.abs());
    if value < 0.0 && text != "0.0" {
        format!("−{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_get_thousands_separators() {
        assert_eq!(whole(0.0), "0");
        assert_eq!(whole(999.4), "999");
        assert_eq!(whole(1000.0), "1,000");
        assert_eq!(whole(1_234_567.8), "1,234,568");
        assert_eq!(whole(-25_000.0), "−25,000");
    }

    #[test]
    fn money_is_shown_in_the_organizations_currency() {
        assert_eq!(money(50_400.0, "EUR"), "€50,400");
        assert_eq!(money(50_400.0, "USD"), "$50,400");
        assert_eq!(money(-1_200.0, "GBP"), "−£1,200");
        assert_eq!(money(50_400.0, "CHF"), "50,400 CHF");
    }

    #[test]
    fn changes_carry_their_sign_and_a_true_minus() {
        assert_eq!(signed(1.84), "+1.8");
        assert_eq!(signed(-0.5), "−0.5");
        assert_eq!(signed(-0.04), "0.0");
        assert_eq!(percent(Some(-2.0)), "−2.0 %");
        assert_eq!(number(None), "–");
    }
}
