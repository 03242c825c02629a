//! What a push and a reminder say. Both name only the practice (and the reminder carries
//! the app link): never message text, subject or any person's name (SECURITY.md, API.md).
//! The snapshot tests below make any change to them visible in review.

use crate::domain::ids::ConversationId;
use serde_json::json;

/// The visible text of a push.
pub fn push_alert(practice_name: &str) -> String {
    format!("New message from {practice_name}")
}

/// The SNS `MessageStructure: json` payload of a push: one body per push service, each
/// with the visible text and the conversation id as data, plus SNS's required `default`.
pub fn push_payload(practice_name: &str, conversation: &ConversationId) -> String {
    let alert = push_alert(practice_name);
    let apns = json!({
        "aps": {"alert": alert, "sound": "default", "thread-id": conversation.to_string()},
        "conversation_id": conversation.to_string(),
    })
    .to_string();
    let fcm = json!({
        "notification": {"title": practice_name, "body": alert},
        "data": {"conversation_id": conversation.to_string()},
    })
    .to_string();
    json!({"default": alert, "APNS": apns, "APNS_SANDBOX": apns, "GCM": fcm}).to_string()
}

/// The unread reminder by SMS.
pub fn reminder_sms(practice_name: &str, app_link: &str) -> String {
    format!("{practice_name} sent you a secure message you have not read yet. Open Canopy to read it: {app_link}")
}

/// The unread reminder by email: `(subject, body)`.
pub fn reminder_email(practice_name: &str, app_link: &str) -> (String, String) {
    (
        format!("Unread message from {practice_name}"),
        format!(
            "{practice_name} sent you a secure message you have not read yet.\n\n\
             Open Canopy to read it: {app_link}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_payload_snapshot() {
        let c: ConversationId = "conv_01JD0000000000000000000000".parse().unwrap();
        let payload: serde_json::Value =
            serde_json::from_str(&push_payload("Maple Clinic", &c)).unwrap();
        assert_eq!(payload["default"], "New message from Maple Clinic");
        let apns: serde_json::Value =
            serde_json::from_str(payload["APNS"].as_str().unwrap()).unwrap();
        assert_eq!(
            apns,
            json!({"aps": {"alert": "New message from Maple Clinic", "sound": "default",
                           "thread-id": "conv_01JD0000000000000000000000"},
                   "conversation_id": "conv_01JD0000000000000000000000"})
        );
        let fcm: serde_json::Value =
            serde_json::from_str(payload["GCM"].as_str().unwrap()).unwrap();
        assert_eq!(
            fcm,
            json!({"notification": {"title": "Maple Clinic", "body": "New message from Maple Clinic"},
                   "data": {"conversation_id": "conv_01JD0000000000000000000000"}})
        );
    }

    #[test]
    fn reminder_snapshot() {
        assert_eq!(
            reminder_sms("Maple Clinic", "https://canopy.link"),
            "Maple Clinic sent you a secure message you have not read yet. Open Canopy to read it: https://canopy.link"
        );
        let (subject, body) = reminder_email("Maple Clinic", "https://canopy.link");
        assert_eq!(subject, "Unread message from Maple Clinic");
        assert_eq!(
            body,
            "Maple Clinic sent you a secure message you have not read yet.\n\nOpen Canopy to read it: https://canopy.link"
        );
    }
}
