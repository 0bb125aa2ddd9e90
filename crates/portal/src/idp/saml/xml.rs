//! A writer that emits XML already in its exclusive canonical form (Exclusive XML
//! Canonicalization 1.0, `http://www.w3.org/2001/10/xml-exc-c14n#`, without comments).
//!
//! Why hand-written: the portal signs only documents it builds itself, in a fixed shape, so
//! instead of parsing them back and canonicalizing with a crate (the candidates are young and
//! bring an XML stack of their own) it writes them canonical in the first place, and then the
//! canonical form of the signed subtree *is* its bytes. What that takes, and what this writer
//! does:
//!
//! * no XML declaration, no DTD, no comments, no processing instructions;
//! * every element as a start and an end tag (`<a></a>`, never `<a/>`);
//! * the namespace declarations of an element first, then its attributes sorted by name (all
//!   our attributes are unqualified; callers declare a prefix only on the element where it
//!   first appears in the signed subtree, and that element's subtree uses no other prefix);
//! * attribute values in double quotes with `&`, `<`, `"`, tab, LF and CR as references;
//!   text with `&`, `<`, `>` and CR as references (C14N 1.0, section 2.3);
//! * characters XML 1.0 does not allow (most C0 controls, U+FFFE, U+FFFF) dropped, so no input
//!   can make the document unparsable.
//!
//! Whether that is right is not taken on trust: the tests verify every signed document with
//! libxmlsec1's `xmlsec1 --verify`, which canonicalizes with its own code.

/// A document being written.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    pub fn new() -> Self {
        Self::default()
    }

    /// `<name xmlns:p="uri"... a="v"...>`; `attrs` are sorted here.
    pub fn open(&mut self, name: &str, namespaces: &[(&str, &str)], attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        let mut namespaces = namespaces.to_vec();
        namespaces.sort_unstable();
        for (prefix, uri) in namespaces {
            self.out.push_str(" xmlns:");
            self.out.push_str(prefix);
            self.out.push_str("=\"");
            attribute_value(&mut self.out, uri);
            self.out.push('"');
        }
        let mut attrs = attrs.to_vec();
        attrs.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            attribute_value(&mut self.out, value);
            self.out.push('"');
        }
        self.out.push('>');
    }

    pub fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    pub fn text(&mut self, text: &str) {
        for c in text.chars().filter(|&c| allowed(c)) {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '\r' => self.out.push_str("&#xD;"),
                c => self.out.push(c),
            }
        }
    }

    /// An element with attributes and text content only.
    pub fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.open(name, &[], attrs);
        self.text(text);
        self.close(name);
    }

    /// Bytes that are already canonical XML (another [`Writer`]'s output).
    pub fn raw(&mut self, canonical: &str) {
        self.out.push_str(canonical);
    }

    pub fn finish(self) -> String {
        self.out
    }
}

fn attribute_value(out: &mut String, value: &str) {
    for c in value.chars().filter(|&c| allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// XML 1.0's `Char` production.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_canonical_form() {
        let mut w = Writer::new();
        w.open(
            "p:a",
            &[("p", "urn:x")],
            &[("z", "1"), ("B", "a\"b<c&d\te\nf\rg'h>"), ("m", "")],
        );
        w.leaf("p:b", &[], "x & y < z > w \r \"q\" 'r' \u{1}\u{fffe}é");
        w.close("p:a");
        assert_eq!(
            w.finish(),
            "<p:a xmlns:p=\"urn:x\" B=\"a&quot;b&lt;c&amp;d&#x9;e&#xA;f&#xD;g'h>\" m=\"\" z=\"1\">\
             <p:b>x &amp; y &lt; z &gt; w &#xD; \"q\" 'r' é</p:b></p:a>"
        );
    }
}
