//! The parts of an inbound MIME message Canopy keeps: the sender's address and the text
//! (subject first, then the plain-text body, or the HTML body as text, without the quoted
//! earlier messages a reply carries).

use canopy_shared::domain::contact_info::EmailAddress;
use mail_parser::MessageParser;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMail {
    pub from: EmailAddress,
    pub text: String,
}

pub fn read(raw: &[u8]) -> Option<InboundMail> {
    let message = MessageParser::default().parse(raw)?;
    let from = message.from()?.first()?.address()?;
    let from = EmailAddress::parse(from).ok()?;
    let body = message
        .body_text(0)
        .map(|b| b.into_owned())
        .unwrap_or_default();
    let body = without_quote(&body);
    let text = match message.subject().map(str::trim).filter(|s| !s.is_empty()) {
        Some(subject) if !body.is_empty() => format!("{subject}\n\n{body}"),
        Some(subject) => subject.to_string(),
        None => body,
    };
    Some(InboundMail { from, text })
}

/// The reply above the quote: stops at a line `On … wrote:` or the first `>` line.
fn without_quote(body: &str) -> String {
    let mut kept = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        if t.starts_with('>') || (t.starts_with("On ") && t.ends_with("wrote:")) {
            break;
        }
        kept.push(line);
    }
    kept.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_sender_subject_and_the_reply_without_the_quote() {
        let raw = b"From: Ann Lee <Ann@Example.com>\r\nTo: maple@reply.example\r\nSubject: Re: Message from Maple\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee you Tuesday.\r\n\r\nOn Mon, Nov 30, 2026 Maple wrote:\r\n> Your results are in.\r\n";
        let mail = read(raw).unwrap();
        assert_eq!(mail.from.as_str(), "Ann@example.com");
        assert_eq!(mail.text, "Re: Message from Maple\n\nSee you Tuesday.");
    }

    #[test]
    fn multipart_mail_gives_its_plain_text_part() {
        let raw = b"From: a@example.com\r\nSubject: Hi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nPlain words\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>Html words</p>\r\n--b--\r\n";
        assert_eq!(read(raw).unwrap().text, "Hi\n\nPlain words");
    }

    #[test]
    fn garbage_is_unreadable() {
        assert!(read(b"no headers at all").is_none());
    }
}
