//! Accounts, as plain types and pure functions: roles, the password policy and its argon2id
//! hashing, and the random secrets behind sessions, CSRF and API tokens.
//!
//! Nothing here knows about HTTP or SQL; `db::users` stores what this module produces and
//! `web::auth` and the CLI use it.

pub mod password;
pub mod secret;

use std::fmt;
use std::str::FromStr;

/// What an account may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Uploads data, manages users, teams and settings; sees everything.
    Hr,
    /// Sees only the teams assigned to them (with their child teams), plus the organization.
    Manager,
    /// Reads everything, changes nothing.
    Executive,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Hr, Role::Manager, Role::Executive];

    /// The name stored in the database and used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Hr => "hr",
            Role::Manager => "manager",
            Role::Executive => "executive",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Hr => "HR",
            Role::Manager => "Manager",
            Role::Executive => "Executive",
        }
    }

    /// Whether this role sees every team (otherwise only assigned ones).
    pub fn sees_all_teams(self) -> bool {
        !matches!(self, Role::Manager)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Role, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "hr" => Ok(Role::Hr),
            "manager" => Ok(Role::Manager),
            "executive" => Ok(Role::Executive),
            other => Err(format!(
                "unknown role \"{other}\": use hr, manager or executive"
            )),
        }
    }
}

/// An e-mail address as accounts use it: trimmed, with something on both sides of one `@`.
/// Case is kept for display; comparisons in the database ignore it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Email {
    type Err = String;

    fn from_str(text: &str) -> Result<Email, String> {
        let text = text.trim();
        let valid = text.len() <= 254
            && !text.chars().any(char::is_whitespace)
            && text
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
        if valid {
            Ok(Email(text.to_string()))
        } else {
            Err(format!("\"{text}\" is not an e-mail address"))
        }
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_their_names_in_any_case() {
        assert_eq!("HR".parse::<Role>(), Ok(Role::Hr));
        assert_eq!(" manager ".parse::<Role>(), Ok(Role::Manager));
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn an_email_needs_something_on_both_sides_of_the_at_sign() {
        assert_eq!(
            " Ann@Example.com ".parse::<Email>().unwrap().as_str(),
            "Ann@Example.com"
        );
        assert!("ann".parse::<Email>().is_err());
        assert!("@example.com".parse::<Email>().is_err());
        assert!("ann@".parse::<Email>().is_err());
        assert!("ann smith@example.com".parse::<Email>().is_err());
    }
}
