//! The privacy notice's restricted rich text, shown as text and never as HTML:
//! paragraphs split by blank lines, `**bold**`, lines starting with `- ` as list items,
//! and `[text](https://…)` links.

use leptos::prelude::*;

/// A piece of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Bold(String),
    Link { text: String, href: String },
}

/// A paragraph (its lines) or a list (its items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Vec<Inline>>),
    List(Vec<Vec<Inline>>),
}

/// Splits `source` into blocks.
#[must_use]
pub fn parse(source: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    for chunk in source.replace("\r\n", "\n").split("\n\n") {
        let mut lines: Vec<Vec<Inline>> = Vec::new();
        let mut items: Vec<Vec<Inline>> = Vec::new();
        for line in chunk.lines().filter(|l| !l.trim().is_empty()) {
            if let Some(item) = line.trim_start().strip_prefix("- ") {
                if !lines.is_empty() {
                    blocks.push(Block::Paragraph(std::mem::take(&mut lines)));
                }
                items.push(inlines(item));
            } else {
                if !items.is_empty() {
                    blocks.push(Block::List(std::mem::take(&mut items)));
                }
                lines.push(inlines(line));
            }
        }
        if !lines.is_empty() {
            blocks.push(Block::Paragraph(lines));
        }
        if !items.is_empty() {
            blocks.push(Block::List(items));
        }
    }
    blocks
}

/// Only web and mail links are made clickable.
fn safe_href(href: &str) -> bool {
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| href.starts_with(scheme))
        && !href.contains(char::is_whitespace)
}

/// `[text](href)` at the start of `rest`: the link and the length it takes.
fn link_at(rest: &str) -> Option<(Inline, usize)> {
    let close = rest.find("](")?;
    let text = &rest[1..close];
    let after = &rest[close + 2..];
    let end = after.find(')')?;
    let href = &after[..end];
    (!text.is_empty() && !text.contains('[') && safe_href(href)).then(|| {
        (
            Inline::Link {
                text: text.to_owned(),
                href: href.to_owned(),
            },
            close + 2 + end + 1,
        )
    })
}

fn push_text(out: &mut Vec<Inline>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Inline::Text(last)) = out.last_mut() {
        last.push_str(text);
    } else {
        out.push(Inline::Text(text.to_owned()));
    }
}

/// Splits one line into text, bold and links.
#[must_use]
pub fn inlines(line: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut rest = line;
    while !rest.is_empty() {
        let next = rest.find(['*', '[']).unwrap_or(rest.len());
        push_text(&mut out, &rest[..next]);
        rest = &rest[next..];
        if let Some(after) = rest.strip_prefix("**") {
            if let Some(end) = after.find("**").filter(|e| *e > 0) {
                out.push(Inline::Bold(after[..end].to_owned()));
                rest = &after[end + 2..];
                continue;
            }
        } else if rest.starts_with('[') {
            if let Some((link, len)) = link_at(rest) {
                out.push(link);
                rest = &rest[len..];
                continue;
            }
        }
        // A lone marker is just text.
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            push_text(&mut out, &c.to_string());
        }
        rest = chars.as_str();
    }
    out
}

fn inline_view(parts: Vec<Inline>) -> impl IntoView {
    parts
        .into_iter()
        .map(|part| match part {
            Inline::Text(t) => t.into_any(),
            Inline::Bold(t) => view! { <strong>{t}</strong> }.into_any(),
            Inline::Link { text, href } => view! {
                <a href=href target="_blank" rel="noopener noreferrer">
                    {text}
                </a>
            }
            .into_any(),
        })
        .collect_view()
}

/// The notice as paragraphs and lists.
pub fn render(source: &str) -> impl IntoView {
    parse(source)
        .into_iter()
        .map(|block| match block {
            Block::Paragraph(lines) => {
                let count = lines.len();
                let body = lines
                    .into_iter()
                    .enumerate()
                    .map(|(i, line)| {
                        view! {
                            {inline_view(line)}
                            {(i + 1 < count).then(|| view! { <br /> })}
                        }
                    })
                    .collect_view();
                view! { <p>{body}</p> }.into_any()
            }
            Block::List(items) => view! {
                <ul>
                    {items
                        .into_iter()
                        .map(|item| view! { <li>{inline_view(item)}</li> })
                        .collect_view()}
                </ul>
            }
            .into_any(),
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_owned())
    }

    #[test]
    fn bold_links_and_lists_are_recognised() {
        let blocks = parse(
            "We process:\n- **Service**: orders\n- see [policy](https://example.com/p)\n\nThanks",
        );
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[0], Block::Paragraph(vec![vec![text("We process:")]]));
        assert_eq!(
            blocks[1],
            Block::List(vec![
                vec![Inline::Bold("Service".into()), text(": orders")],
                vec![
                    text("see "),
                    Inline::Link {
                        text: "policy".into(),
                        href: "https://example.com/p".into()
                    }
                ],
            ])
        );
    }

    #[test]
    fn unsafe_links_and_stray_markers_stay_text() {
        assert_eq!(
            inlines("[x](javascript:alert(1)) a*b <b>"),
            vec![text("[x](javascript:alert(1)) a*b <b>")]
        );
        assert_eq!(inlines("**"), vec![text("**")]);
    }
}
