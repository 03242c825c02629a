//! SMS keywords (the CTIA / carrier set that AWS End User Messaging also recognises): a
//! text that is only a keyword changes the sender's opt-out state or asks for help instead
//! of landing in a conversation.

/// What an inbound SMS asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT: no more texts from this practice.
    Stop,
    /// START, UNSTOP: texts are welcome again.
    Start,
    /// HELP: one automatic reply naming the practice and how to opt out.
    Help,
}

impl Keyword {
    /// The keyword a whole message is, if any: case and surrounding whitespace or
    /// punctuation are ignored ("Stop.", " stop "), a sentence that merely contains the
    /// word is not a keyword ("please don't stop texting me").
    pub fn of(body: &str) -> Option<Keyword> {
        let word = body
            .trim()
            .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
            .to_ascii_uppercase();
        match word.as_str() {
            "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" => Some(Keyword::Stop),
            "START" | "UNSTOP" => Some(Keyword::Start),
            "HELP" => Some(Keyword::Help),
            _ => None,
        }
    }
}

/// The automatic answer to HELP: the practice's name and how to opt out, nothing else
/// (no message content, no PHI).
pub fn help_reply(practice_name: &str) -> String {
    format!(
        "{practice_name}: messages from your care team. Reply STOP to opt out, START to opt back in. Msg&data rates may apply."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stop_family_opts_out_in_any_case() {
        for w in [
            "STOP",
            "stop",
            " Stop. ",
            "STOPALL",
            "unsubscribe",
            "Cancel",
            "END",
            "quit!",
        ] {
            assert_eq!(Keyword::of(w), Some(Keyword::Stop), "{w}");
        }
        assert_eq!(Keyword::of("start"), Some(Keyword::Start));
        assert_eq!(Keyword::of("UNSTOP"), Some(Keyword::Start));
        assert_eq!(Keyword::of("help?"), Some(Keyword::Help));
    }

    #[test]
    fn sentences_are_messages_not_keywords() {
        assert_eq!(Keyword::of("please don't stop"), None);
        assert_eq!(Keyword::of("stop by tomorrow"), None);
        assert_eq!(Keyword::of(""), None);
    }

    #[test]
    fn the_help_reply_names_the_practice_and_the_way_out() {
        // The whole text, pinned: a change to what carriers and patients read is deliberate.
        assert_eq!(
            help_reply("Maple Clinic"),
            "Maple Clinic: messages from your care team. Reply STOP to opt out, START to opt back in. Msg&data rates may apply."
        );
    }
}
