//! The little S3 XML Canopy reads and writes: an error's `<Code>` and `<Message>`, the
//! `<Tag>`s of GetObjectTagging, the `<Contents>` of ListObjectsV2, and the `<Tagging>` body
//! of PutObjectTagging. S3's documents are flat and machine-written, so elements are found
//! by name (no namespaces, no nesting of the same name) rather than by a full XML parser.

/// The text of each `<name>` element in `xml`, in order, still escaped (`<name/>` is "").
pub fn raw_elements<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        let Some(end_of_tag) = after.find('>') else {
            break;
        };
        let attributes = &after[..end_of_tag];
        // `<TagSet>` is not `<Tag>`: the name must end at `>`, `/` or a space.
        if !(attributes.is_empty()
            || attributes.starts_with('/')
            || attributes.starts_with(char::is_whitespace))
        {
            rest = after;
            continue;
        }
        let body = &after[end_of_tag + 1..];
        if attributes.ends_with('/') {
            found.push("");
            rest = body;
            continue;
        }
        let Some(stop) = body.find(&close) else {
            break;
        };
        found.push(&body[..stop]);
        rest = &body[stop + close.len()..];
    }
    found
}

/// The unescaped text of the first `<name>` element.
pub fn element(xml: &str, name: &str) -> Option<String> {
    raw_elements(xml, name).first().map(|raw| unescape(raw))
}

/// An S3 error document's `<Code>` and `<Message>`.
pub fn error_code_and_message(xml: &str) -> (Option<String>, Option<String>) {
    (element(xml, "Code"), element(xml, "Message"))
}

/// The (key, value) pairs of a GetObjectTagging answer.
pub fn tags(xml: &str) -> Vec<(String, String)> {
    raw_elements(xml, "Tag")
        .into_iter()
        .filter_map(|tag| {
            Some((
                element(tag, "Key")?,
                element(tag, "Value").unwrap_or_default(),
            ))
        })
        .collect()
}

/// A PutObjectTagging body.
pub fn tagging(tags: &[(String, String)]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>"#,
    );
    for (key, value) in tags {
        xml.push_str("<Tag><Key>");
        xml.push_str(&escape(key));
        xml.push_str("</Key><Value>");
        xml.push_str(&escape(value));
        xml.push_str("</Value></Tag>");
    }
    xml.push_str("</TagSet></Tagging>");
    xml
}

/// One page of ListObjectsV2: (key, ETag without quotes, size) of each object, and the
/// continuation token when there are more.
pub fn list_page(xml: &str) -> (Vec<(String, String, u64)>, Option<String>) {
    let objects = raw_elements(xml, "Contents")
        .into_iter()
        .filter_map(|object| {
            let key = element(object, "Key")?;
            let etag = element(object, "ETag")?;
            let size = element(object, "Size")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            Some((key, etag.trim_matches('"').to_string(), size))
        })
        .collect();
    let truncated = element(xml, "IsTruncated").is_some_and(|t| t == "true");
    let next = element(xml, "NextContinuationToken").filter(|_| truncated);
    (objects, next)
}

/// Text for an element: `&`, `<`, `>`, `"` and `'` escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The five named entities and numeric references (`&#13;`, `&#x0D;`); anything else is
/// kept as written.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let decoded = after.find(';').and_then(|end| {
            let entity = &after[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            }?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_error_code_and_message() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The resource you requested does not exist</Message><Resource>/a</Resource></Error>"#;
        assert_eq!(
            error_code_and_message(xml),
            (
                Some("NoSuchKey".to_string()),
                Some("The resource you requested does not exist".to_string())
            )
        );
        assert_eq!(
            error_code_and_message("<html>bad gateway</html>"),
            (None, None)
        );
    }

    #[test]
    fn reads_tags_not_the_tag_set() {
        let xml = r#"<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>canopy-state</Key><Value>unattached</Value></Tag><Tag><Key>a&amp;b</Key><Value/></Tag></TagSet></Tagging>"#;
        assert_eq!(
            tags(xml),
            vec![
                ("canopy-state".to_string(), "unattached".to_string()),
                ("a&b".to_string(), String::new()),
            ]
        );
        assert!(tags("<Tagging><TagSet/></Tagging>").is_empty());
    }

    #[test]
    fn writes_tagging_escaped() {
        let xml = tagging(&[("k<".to_string(), "v&\"'>".to_string())]);
        assert!(
            xml.ends_with("<TagSet><Tag><Key>k&lt;</Key><Value>v&amp;&quot;&apos;&gt;</Value></Tag></TagSet></Tagging>"),
            "{xml}"
        );
        assert_eq!(tags(&xml), vec![("k<".to_string(), "v&\"'>".to_string())]);
    }

    #[test]
    fn reads_a_list_page() {
        let xml = r#"<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>attachments/a</Key><ETag>&quot;abc&quot;</ETag><Size>12</Size></Contents><Contents><Key>attachments/b</Key><ETag>"def"</ETag><Size>0</Size></Contents><NextContinuationToken>tok+/=</NextContinuationToken></ListBucketResult>"#;
        let (objects, next) = list_page(xml);
        assert_eq!(
            objects,
            vec![
                ("attachments/a".to_string(), "abc".to_string(), 12),
                ("attachments/b".to_string(), "def".to_string(), 0),
            ]
        );
        assert_eq!(next.as_deref(), Some("tok+/="));
        let last = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
        assert_eq!(list_page(last), (vec![], None));
    }

    #[test]
    fn unescapes_entities_and_keeps_the_rest() {
        assert_eq!(unescape("a&#13;&#x41;&lt;&bogus;&"), "a\rA<&bogus;&");
    }
}
