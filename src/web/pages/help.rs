//! `/help/{topic}`: the guides of `docs/` as pages Attune serves — how to import data
//! (`docs/importing.md`), how every figure is calculated (`docs/metrics.md`) and the managers'
//! playbook behind "What stands out" (`docs/playbook.md`). The Markdown is
//! compiled into the binary and rendered with `pulldown-cmark` once per process, so the pages
//! work offline and always match the version running.
//!
//! Links between the guides become links between the pages; headings get GitHub's anchors, so
//! `metrics.md#absences` and `/help/metrics#absences` both land on the same heading.

use std::collections::HashMap;
use std::sync::LazyLock;

use askama::Template;
use askama_web::WebTemplate;
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

use crate::web::AppError;
use crate::web::auth::{CurrentUser, Nav};
use crate::web::extract::Path;

/// A guide: its address under `/help/`, and its Markdown.
struct Guide {
    slug: &'static str,
    file: &'static str,
    markdown: &'static str,
}

const GUIDES: &[Guide] = &[
    Guide {
        slug: "importing",
        file: "importing.md",
        markdown: include_str!("../../../docs/importing.md"),
    },
    Guide {
        slug: "metrics",
        file: "metrics.md",
        markdown: include_str!("../../../docs/metrics.md"),
    },
    Guide {
        slug: "playbook",
        file: "playbook.md",
        markdown: crate::present::playbook::MARKDOWN,
    },
    Guide {
        slug: "surveys",
        file: "surveys.md",
        markdown: include_str!("../../../docs/surveys.md"),
    },
];

/// A guide rendered as HTML.
struct Rendered {
    title: String,
    body: String,
}

static RENDERED: LazyLock<HashMap<&'static str, Rendered>> = LazyLock::new(|| {
    GUIDES
        .iter()
        .map(|guide| (guide.slug, render(guide.markdown)))
        .collect()
});

#[derive(Template, WebTemplate)]
#[template(path = "help.html")]
pub struct HelpPage {
    pub nav: Nav,
    pub title: String,
    /// The guide's HTML, rendered from the compiled-in Markdown (not from user input).
    pub body: &'static str,
}

/// `GET /help/{topic}` (signed in, any role).
pub async fn show(user: CurrentUser, Path(topic): Path<String>) -> Result<HelpPage, AppError> {
    let rendered = RENDERED.get(topic.as_str()).ok_or(AppError::NotFound)?;
    Ok(HelpPage {
        nav: user.nav(),
        title: rendered.title.clone(),
        body: &rendered.body,
    })
}

/// The address of a link in a guide, as the help pages serve it: another guide's page, a
/// heading of this one, or a web address. `None` for files of the repository that Attune does
/// not serve (their link is dropped; the text stays).
fn link_target(destination: &str) -> Option<String> {
    if destination.starts_with('#')
        || destination.starts_with("https://")
        || destination.starts_with("http://")
        || destination.starts_with("mailto:")
    {
        return Some(destination.to_string());
    }
    let (file, anchor) = match destination.split_once('#') {
        Some((file, anchor)) => (file, Some(anchor)),
        None => (destination, None),
    };
    let guide = GUIDES.iter().find(|g| g.file == file)?;
    Some(match anchor {
        Some(anchor) => format!("/help/{}#{anchor}", guide.slug),
        None => format!("/help/{}", guide.slug),
    })
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
fn anchor(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Render a guide: its title (the first heading) and its HTML, with anchors on the headings and
/// links rewritten by [`link_target`].
fn render(markdown: &str) -> Rendered {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events: Vec<Event> = Parser::new_ext(markdown, options).collect();
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut title = None;
    let mut used: HashMap<String, usize> = HashMap::new();
    // Links whose target is not served: their end tag is dropped too.
    let mut dropped_links = Vec::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading { level, .. }) => {
                let level = *level;
                let end = events[i..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                    .map_or(events.len(), |offset| i + offset);
                let text: String = events[i + 1..end]
                    .iter()
                    .filter_map(|e| match e {
                        Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect();
                if level == HeadingLevel::H1 && title.is_none() {
                    title = Some(text.clone());
                }
                // GitHub numbers repeated anchors: absences, absences-1, …
                let base = anchor(&text);
                let seen = used.entry(base.clone()).or_insert(0);
                let id = if *seen == 0 {
                    base
                } else {
                    format!("{base}-{seen}")
                };
                *seen += 1;
                out.push(Event::Html(CowStr::from(format!("<{level} id=\"{id}\">"))));
                for event in &events[i + 1..end] {
                    out.push(event.clone());
                }
                out.push(Event::Html(CowStr::from(format!("</{level}>\n"))));
                i = end + 1;
                continue;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match link_target(dest_url) {
                Some(target) => {
                    dropped_links.push(false);
                    out.push(Event::Start(Tag::Link {
                        link_type: *link_type,
                        dest_url: CowStr::from(target),
                        title: title.clone(),
                        id: id.clone(),
                    }));
                }
                None => dropped_links.push(true),
            },
            // Wide tables scroll inside a focusable box, like the other pages' tables.
            Event::Start(Tag::Table(_)) => {
                out.push(Event::Html(CowStr::from(
                    "<div class=\"table-wrap\" tabindex=\"0\">",
                )));
                out.push(events[i].clone());
            }
            Event::End(TagEnd::Table) => {
                out.push(Event::End(TagEnd::Table));
                out.push(Event::Html(CowStr::from("</div>\n")));
            }
            Event::End(TagEnd::Link) => {
                if !dropped_links.pop().unwrap_or(false) {
                    out.push(Event::End(TagEnd::Link));
                }
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    let mut body = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut body, out.into_iter());
    Rendered {
        title: title.unwrap_or_else(|| "Help".to_string()),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::{GUIDES, anchor, link_target, render};

    #[test]
    fn headings_get_githubs_anchors() {
        assert_eq!(anchor("Termination types"), "termination-types");
        assert_eq!(
            anchor("Customers (revenue, retention)"),
            "customers-revenue-retention"
        );
        assert_eq!(anchor("`employees`: the roster"), "employees-the-roster");
        let rendered =
            render("# Guide\n\n## Absences\n\n## Absences\n\nSee [below](#absences-1).\n");
        assert_eq!(rendered.title, "Guide");
        assert!(rendered.body.contains("<h2 id=\"absences\">Absences</h2>"));
        assert!(
            rendered
                .body
                .contains("<h2 id=\"absences-1\">Absences</h2>")
        );
        assert!(rendered.body.contains("<a href=\"#absences-1\">below</a>"));
    }

    #[test]
    fn links_between_guides_become_links_between_help_pages() {
        assert_eq!(
            link_target("metrics.md#absences").as_deref(),
            Some("/help/metrics#absences")
        );
        assert_eq!(
            link_target("importing.md").as_deref(),
            Some("/help/importing")
        );
        assert_eq!(link_target("#privacy").as_deref(), Some("#privacy"));
        assert_eq!(
            link_target("https://www.statsmodels.org/").as_deref(),
            Some("https://www.statsmodels.org/")
        );
        // Files Attune does not serve: the text stays, the link goes.
        assert_eq!(link_target("architecture.md"), None);
        let rendered =
            render("Read [the architecture](architecture.md) and [metrics](metrics.md).");
        assert!(rendered.body.contains("Read the architecture and"));
        assert!(
            rendered
                .body
                .contains("<a href=\"/help/metrics\">metrics</a>")
        );
    }

    #[test]
    fn every_anchor_a_guide_links_to_exists() {
        for guide in GUIDES {
            let bodies: Vec<(&str, String)> = GUIDES
                .iter()
                .map(|g| (g.slug, render(g.markdown).body))
                .collect();
            let body = &render(guide.markdown).body;
            for link in body.split("href=\"").skip(1) {
                let target = &link[..link.find('"').unwrap()];
                let (page, fragment) = match target.split_once('#') {
                    Some((page, fragment)) => (page, fragment),
                    None => continue,
                };
                let in_page = if page.is_empty() {
                    body.as_str()
                } else {
                    let slug = page.trim_start_matches("/help/");
                    &bodies.iter().find(|(s, _)| *s == slug).unwrap().1
                };
                assert!(
                    in_page.contains(&format!("id=\"{fragment}\"")),
                    "{}: the link to {target} leads nowhere",
                    guide.file
                );
            }
        }
    }
}
