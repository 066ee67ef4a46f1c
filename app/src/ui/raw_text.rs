//! Text for the elements whose children the renderer writes unescaped.
//!
//! tachys (Leptos 0.8's renderer) writes the children of `<textarea>`, `<script>`, `<style>` and
//! `<noscript>` into server-rendered HTML exactly as they are (`ESCAPE_CHILDREN = false`, and it
//! never hydrates them). A saved PEP field holding `</textarea><meta http-equiv=refresh …>`
//! therefore ended its textarea and the rest became live markup for everyone who could edit the
//! section, and the page then failed to hydrate. So in this app those elements never have
//! children (`raw_text_elements_never_have_children` reads every view to hold that), and a
//! textarea's first value reaches the server-rendered page only through [`textarea_content`],
//! as `inner_html`, escaped here.

/// The escaped first value of a `<textarea>`, for `inner_html=`; its live value is `prop:value`.
///
/// In the server's page it starts with a line break because the HTML parser drops one line
/// break straight after `<textarea>`: a value that itself starts with one keeps it. A textarea
/// made in the browser (a target or an action just added) takes `inner_html` as it is, so there
/// the break would be a line of its own, which the field would then send as the person's words.
pub fn textarea_content(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 8);
    if cfg!(not(feature = "hydrate")) {
        html.push('\n');
    }
    html.push_str(&escape_text(text));
    html
}

/// `&`, `<` and `>` as character references: text that can never open or close an element.
pub fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "</textarea><meta http-equiv=\"refresh\" content=\"0;url=https://example.org\">\
                           <!-- ]]> </script> &amp; \"quoted\"";

    #[test]
    fn escaped_text_holds_no_markup() {
        let escaped = escape_text(HOSTILE);
        assert!(
            !escaped.contains('<') && !escaped.contains('>'),
            "{escaped}"
        );
        assert!(escaped.starts_with("&lt;/textarea&gt;"));
        // An ampersand typed as text stays text, not a character reference.
        assert!(escaped.contains("&amp;amp;"));
    }

    #[test]
    fn a_leading_line_break_survives_the_parser() {
        assert_eq!(textarea_content("\nsecond line"), "\n\nsecond line");
        assert_eq!(textarea_content(""), "\n");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_server_rendered_textarea_keeps_hostile_text_inside_it() {
        use leptos::prelude::*;
        use leptos::tachys::view::RenderHtml;
        let html = view! { <textarea id="f" inner_html=textarea_content(HOSTILE) /> }.to_html();
        assert_eq!(html.matches("</textarea>").count(), 1, "{html}");
        assert!(html.ends_with("</textarea>"), "{html}");
        assert!(!html.contains("<meta"), "{html}");
    }

    /// The closing tags that would mean one of these elements was given children in a view.
    const RAW_TEXT_CLOSING_TAGS: [&str; 4] =
        ["</textarea>", "</script>", "</style>", "</noscript>"];

    /// Every `.rs` file of the app, with its path, except this one (which names the tags).
    fn app_sources() -> Vec<(std::path::PathBuf, String)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, String)>) {
            for entry in std::fs::read_dir(dir).expect("readable source folder") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("ui/raw_text.rs")
                {
                    let text = std::fs::read_to_string(&path).expect("readable source file");
                    out.push((path, text));
                }
            }
        }
        let mut out = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut out,
        );
        out
    }

    /// Comment lines and string literals in tests may name the tags; view code may not.
    fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
        text.lines()
            .enumerate()
            .filter(|(_, line)| !line.trim_start().starts_with("//"))
            .map(|(n, line)| (n + 1, line))
    }

    #[test]
    fn raw_text_elements_never_have_children() {
        let sources = app_sources();
        assert!(sources.len() > 50, "the walk found the app's files");
        let mut found = Vec::new();
        for (path, text) in &sources {
            for (n, line) in code_lines(text) {
                if RAW_TEXT_CLOSING_TAGS.iter().any(|tag| line.contains(tag)) {
                    found.push(format!("{}:{n}: {}", path.display(), line.trim()));
                }
            }
        }
        assert!(
            found.is_empty(),
            "a <textarea>, <script>, <style> or <noscript> with children is written unescaped by the \
             server: make it self-closing and give a textarea its first value with \
             inner_html=raw_text::textarea_content(..):\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn inner_html_is_given_only_escaped_or_generated_markup() {
        let mut found = Vec::new();
        for (path, text) in &app_sources() {
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if !line.contains("inner_html=") || line.trim_start().starts_with("//") {
                    continue;
                }
                let escaped_here = line.contains("textarea_content(");
                // Markup the server generates itself (a QR code's SVG) says so on the line above.
                let vouched = i > 0 && lines[i - 1].contains("generated markup:");
                if !escaped_here && !vouched {
                    found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
        assert!(
            found.is_empty(),
            "inner_html with text that was not escaped:\n{}",
            found.join("\n")
        );
    }
}
