//! Escaping text into HTML, for the three pages the project writes (the run report, the liveness
//! report and the trend page); safe inside elements and inside single- or double-quoted attributes.

/// `s` with `&`, `<`, `>`, `"` and `'` replaced by their entities.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_special_character_becomes_an_entity() {
        assert_eq!(super::escape(r#"<a href='x'>"&"</a>"#), "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
    }
}
