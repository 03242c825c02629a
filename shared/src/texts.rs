//! Every SMS and email text Canopy sends, in one place so snapshot tests can prove none of
//! them carries PHI: a practice name and a link or code at most, never message content,
//! subjects or clinical details.

/// `(subject, body)` of an email, or `("", body)` for an SMS.
pub type Text = (String, String);

/// A one-time code, by SMS.
pub fn code_sms(code: &str) -> Text {
    (
        String::new(),
        format!("Your Canopy code is {code}. It expires in 10 minutes. Never share it."),
    )
}

/// A one-time code, by email.
pub fn code_email(code: &str) -> Text {
    (
        "Your Canopy verification code".to_string(),
        format!(
            "Your Canopy verification code is {code}.\n\nIt expires in 10 minutes. \
             If you did not ask for it, you can ignore this email. Never share this code."
        ),
    )
}

/// A code as an SMS or email, whichever the destination is.
pub fn code_for(destination: &crate::services::otp::Destination, code: &str) -> Text {
    match destination {
        crate::services::otp::Destination::Sms(_) => code_sms(code),
        crate::services::otp::Destination::Email(_) => code_email(code),
    }
}

/// The app download link texted from a practice link's landing page.
pub fn download_sms(download_url: &str, link_code: &str) -> Text {
    (
        String::new(),
        format!("Get the Canopy app to message your care team securely: {download_url} (link code {link_code})"),
    )
}

/// The app download link texted from an invite's landing page: the invite URL itself,
/// which sends a phone to its app store (no practice name: the number was typed by hand).
pub fn invite_download_sms(invite_url: &str) -> Text {
    (
        String::new(),
        format!("Get the Canopy app to accept your invitation securely: {invite_url}"),
    )
}

/// An invitation to a secure conversation, by SMS.
pub fn invite_sms(practice_name: &str, invite_url: &str) -> Text {
    (
        String::new(),
        format!("{practice_name} invites you to message them securely on Canopy: {invite_url}"),
    )
}

/// An invitation to a secure conversation, by email.
pub fn invite_email(practice_name: &str, invite_url: &str) -> Text {
    (
        format!("{practice_name} invited you to Canopy"),
        format!(
            "{practice_name} invites you to message them securely on Canopy.\n\n\
             Get started: {invite_url}\n\nThe link works once and expires in 7 days."
        ),
    )
}

/// A new message in a standard (SMS/email) conversation is delivered as is, by design of
/// standard messaging; secure conversations never send content, only this nudge.
pub fn new_secure_message_sms(practice_name: &str) -> Text {
    (
        String::new(),
        format!(
            "You have a new secure message from {practice_name}. Open the Canopy app to read it."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Snapshots: any change to a text shows up here and must be reviewed for PHI.
    #[test]
    fn texts_snapshot() {
        assert_eq!(
            code_sms("123456").1,
            "Your Canopy code is 123456. It expires in 10 minutes. Never share it."
        );
        assert_eq!(code_email("123456").0, "Your Canopy verification code");
        assert_eq!(
            download_sms("https://apps.example/x", "482913").1,
            "Get the Canopy app to message your care team securely: https://apps.example/x (link code 482913)"
        );
        assert_eq!(
            invite_download_sms("https://canopy.link/i/TOKEN").1,
            "Get the Canopy app to accept your invitation securely: https://canopy.link/i/TOKEN"
        );
        assert_eq!(
            invite_sms("Elm Street Clinic", "https://canopy.link/i/TOKEN").1,
            "Elm Street Clinic invites you to message them securely on Canopy: https://canopy.link/i/TOKEN"
        );
        let (subject, body) = invite_email("Elm Street Clinic", "https://canopy.link/i/TOKEN");
        assert_eq!(subject, "Elm Street Clinic invited you to Canopy");
        assert!(body.contains("https://canopy.link/i/TOKEN"));
    }
}

#[cfg(test)]
mod invite_snapshots {
    use super::*;

    /// The whole invite texts, word for word: the practice name and the link, nothing else.
    #[test]
    fn invite_texts_carry_only_the_practice_name_and_the_link() {
        let url = "https://canopy.link/i/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert_eq!(
            invite_sms("Elm Street Clinic", url),
            (
                String::new(),
                format!("Elm Street Clinic invites you to message them securely on Canopy: {url}")
            )
        );
        assert_eq!(
            invite_email("Elm Street Clinic", url),
            (
                "Elm Street Clinic invited you to Canopy".to_string(),
                format!(
                    "Elm Street Clinic invites you to message them securely on Canopy.\n\n\
                     Get started: {url}\n\nThe link works once and expires in 7 days."
                )
            )
        );
        // The functions take no patient detail at all: their inputs are the whole content.
        let code = code_email("654321").1;
        assert!(!code.contains("Elm") && code.contains("654321"));
    }
}
