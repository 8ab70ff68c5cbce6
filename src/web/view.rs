//! Pages kept rendered until the data changes (`cache::ReportCache::kept`), one for each kind of
//! reader (role and visible teams), with the signed-in user's own parts — their e-mail address
//! and their session's CSRF token, in the navigation — filled in for each request.
//!
//! A page is rendered once with placeholders in the navigation (words no data can contain: a
//! random mark made when the process starts), cut at them, and each request joins the pieces
//! with its user's own values, escaped for HTML as the template would have escaped them. So a
//! warm page costs a copy of its text, and no reader ever gets another's token or address.

use std::sync::LazyLock;

use askama::Template;
use axum::response::Html;

use super::auth::{CurrentUser, Nav};
use crate::accounts::{Role, secret};

/// What a placeholder starts with: letters and digits only, which HTML escaping leaves as they
/// are, random so that no data (a team's name) can contain it.
static MARK: LazyLock<String> = LazyLock::new(|| format!("attune{}", &secret::random_hex()[..24]));

/// What a placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Own {
    Email,
    CsrfToken,
}

impl Own {
    const ALL: [Own; 2] = [Own::Email, Own::CsrfToken];

    fn placeholder(self) -> String {
        match self {
            Own::Email => format!("{}email", *MARK),
            Own::CsrfToken => format!("{}csrf", *MARK),
        }
    }
}

/// A piece of a kept page.
#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Own(Own),
}

/// A page rendered for a kind of reader, waiting for its user's own parts.
#[derive(Debug, Clone)]
pub struct KeptPage {
    pieces: Vec<Piece>,
    len: usize,
}

/// The navigation of a page to be kept: a reader with `role`, placeholders for their own parts.
pub fn nav(role: Role) -> Nav {
    Nav::signed_in(
        &Own::Email.placeholder(),
        role,
        Own::CsrfToken.placeholder(),
    )
}

impl KeptPage {
    /// `page` (whose navigation is [`nav`]) rendered and cut at its placeholders.
    pub fn render(page: &impl Template) -> Result<KeptPage, askama::Error> {
        Ok(KeptPage::cut(&page.render()?))
    }

    fn cut(html: &str) -> KeptPage {
        let mut pieces = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find(MARK.as_str()) {
            let after = &rest[at + MARK.len()..];
            let Some(own) = Own::ALL
                .into_iter()
                .find(|own| after.starts_with(&own.placeholder()[MARK.len()..]))
            else {
                // The mark alone is no placeholder: keep it as text.
                pieces.push(Piece::Text(rest[..at + MARK.len()].to_string()));
                rest = after;
                continue;
            };
            pieces.push(Piece::Text(rest[..at].to_string()));
            pieces.push(Piece::Own(own));
            rest = &rest[at + own.placeholder().len()..];
        }
        pieces.push(Piece::Text(rest.to_string()));
        KeptPage {
            len: html.len(),
            pieces,
        }
    }

    /// Roughly how many bytes it takes.
    pub fn weight(&self) -> usize {
        self.len
    }

    /// The page for `user`: their own e-mail address and CSRF token in it.
    pub fn for_user(&self, user: &CurrentUser) -> Html<String> {
        let email = escape(&user.email);
        let csrf = escape(user.csrf_token.as_deref().unwrap_or_default());
        let mut html = String::with_capacity(self.len + 64);
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => html.push_str(text),
                Piece::Own(Own::Email) => html.push_str(&email),
                Piece::Own(Own::CsrfToken) => html.push_str(&csrf),
            }
        }
        Html(html)
    }
}

/// `text` escaped for HTML as askama escapes it.
fn escape(text: &str) -> String {
    askama::filters::escape(text, askama::filters::Html)
        .map(|escaped| escaped.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_page_gets_each_readers_own_address_and_token_escaped() {
        let html = format!(
            "<p>{}</p><input value=\"{}\"><p>{}</p>",
            Own::Email.placeholder(),
            Own::CsrfToken.placeholder(),
            Own::Email.placeholder()
        );
        let page = KeptPage::cut(&html);
        let user = CurrentUser {
            user_id: 1,
            email: "a<b>&\"c\"@example.com".to_string(),
            role: Role::Hr,
            teams: crate::web::auth::TeamScope::All,
            csrf_token: Some("0123abcd".to_string()),
            client_addr: String::new(),
            data_version: crate::db::version::DataVersion {
                database: 1,
                version: 1,
            },
        };
        assert_eq!(
            page.for_user(&user).0,
            "<p>a&#60;b&#62;&#38;&#34;c&#34;@example.com</p><input value=\"0123abcd\">\
             <p>a&#60;b&#62;&#38;&#34;c&#34;@example.com</p>"
        );
    }

    #[test]
    fn the_mark_alone_is_kept_as_text() {
        let html = format!("<p>{}x</p>", *MARK);
        let page = KeptPage::cut(&html);
        let user = CurrentUser {
            user_id: 1,
            email: "ann@example.com".to_string(),
            role: Role::Hr,
            teams: crate::web::auth::TeamScope::All,
            csrf_token: None,
            client_addr: String::new(),
            data_version: crate::db::version::DataVersion {
                database: 1,
                version: 1,
            },
        };
        assert_eq!(page.for_user(&user).0, html);
    }
}
