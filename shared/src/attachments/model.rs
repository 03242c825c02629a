//! The attachment as the domain sees it: what was declared at reservation (type, size,
//! file name), where it stands (`uploading` → `ready` | `rejected`), and the pure rules:
//! which types are accepted, how large each may be, whether the first bytes of an object
//! are what was declared, and the object key (ids only, never a name).

use crate::domain::ids::{AccountId, AttachmentId, ConversationId, MessageId};
use serde::{Deserialize, Serialize};

const MIB: u64 = 1024 * 1024;
/// Largest image or PDF (API.md: 25 MB).
pub const MAX_DOCUMENT_BYTES: u64 = 25 * MIB;
/// Largest video (API.md: 200 MB).
pub const MAX_VIDEO_BYTES: u64 = 200 * MIB;
/// How many leading bytes the upload check reads: PDF allows its `%PDF` header anywhere in
/// the first 1,024 bytes; the ISO-BMFF types (HEIC, MP4, QuickTime) need the first box.
pub const SNIFF_BYTES: u64 = 4096;

/// The accepted content types (API.md); anything else is refused with 415.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContentType {
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/heic")]
    Heic,
    #[serde(rename = "video/mp4")]
    Mp4,
    #[serde(rename = "video/quicktime")]
    QuickTime,
    #[serde(rename = "application/pdf")]
    Pdf,
}

/// The declared type is not one Canopy accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("content_type: must be one of image/jpeg, image/png, image/heic, video/mp4, video/quicktime, application/pdf")]
pub struct UnsupportedType;

impl ContentType {
    pub const ALL: [ContentType; 6] = [
        Self::Jpeg,
        Self::Png,
        Self::Heic,
        Self::Mp4,
        Self::QuickTime,
        Self::Pdf,
    ];

    /// Exact media types, compared case-insensitively (`Image/JPEG` is `image/jpeg`).
    pub fn parse(raw: &str) -> Result<Self, UnsupportedType> {
        let lower = raw.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == lower)
            .ok_or(UnsupportedType)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Heic => "image/heic",
            Self::Mp4 => "video/mp4",
            Self::QuickTime => "video/quicktime",
            Self::Pdf => "application/pdf",
        }
    }

    pub fn is_video(self) -> bool {
        matches!(self, Self::Mp4 | Self::QuickTime)
    }

    pub fn max_bytes(self) -> u64 {
        if self.is_video() {
            MAX_VIDEO_BYTES
        } else {
            MAX_DOCUMENT_BYTES
        }
    }

    /// Whether `head` (the object's first bytes) carries this type's magic bytes.
    /// One matcher per declared type, never "guess the type, then compare": HEIC, MP4 and
    /// QuickTime all start with an ISO-BMFF `ftyp` box and differ only in its brand.
    pub fn matches(self, head: &[u8]) -> bool {
        match self {
            Self::Jpeg => infer::image::is_jpeg(head),
            Self::Png => infer::image::is_png(head),
            Self::Heic => infer::image::is_heif(head),
            Self::Mp4 => infer::video::is_mp4(head),
            Self::QuickTime => infer::video::is_mov(head),
            Self::Pdf => infer::archive::is_pdf(head),
        }
    }
}

/// A declared size the contract refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadSize {
    #[error("must be at least 1 byte")]
    Empty,
    /// 413 at the edge: the cap for this type, in bytes.
    #[error("may be at most {0} bytes for this type")]
    TooLarge(u64),
}

/// The declared size, checked against the type's cap.
pub fn check_size(content_type: ContentType, size: u64) -> Result<u64, BadSize> {
    if size == 0 {
        return Err(BadSize::Empty);
    }
    if size > content_type.max_bytes() {
        return Err(BadSize::TooLarge(content_type.max_bytes()));
    }
    Ok(size)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadFilename {
    #[error("must not be empty")]
    Empty,
    #[error("may be at most 255 characters")]
    TooLong,
    #[error("may not contain control characters, '/' or '\\'")]
    Forbidden,
}

/// The file name the sender's device gave (shown to readers; never part of an object key
/// or a URL, since a name can carry PHI). Its Debug never prints it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Filename(String);

impl Filename {
    /// At most 255 characters as sent (the contract's `maxLength`), not only whitespace;
    /// stored trimmed.
    pub fn parse(raw: &str) -> Result<Self, BadFilename> {
        if raw.chars().count() > 255 {
            return Err(BadFilename::TooLong);
        }
        let name = raw.trim();
        if name.is_empty() {
            return Err(BadFilename::Empty);
        }
        if name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
        {
            return Err(BadFilename::Forbidden);
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Filename {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Filename(<{} chars>)", self.0.chars().count())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Reserved; the presigned PUT may not have happened yet.
    Uploading,
    /// Checked: the bytes are of the declared type and size. Only now can it be attached
    /// or downloaded.
    Ready,
    /// The object did not match its declaration (and was deleted).
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uploading => "uploading",
            Self::Ready => "ready",
            Self::Rejected => "rejected",
        }
    }
}

/// Why the upload check rejected an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The object's size is not the declared size.
    SizeMismatch,
    /// The first bytes are not the declared type's magic bytes.
    TypeMismatch,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SizeMismatch => "size_mismatch",
            Self::TypeMismatch => "type_mismatch",
        }
    }
}

/// One attachment of a secure conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: AttachmentId,
    pub conversation_id: ConversationId,
    pub uploader: AccountId,
    pub filename: Filename,
    pub content_type: ContentType,
    pub size: u64,
    pub status: Status,
    pub reject_reason: Option<RejectReason>,
    /// The S3 ETag of the object the check accepted: a later event for the same key with
    /// another ETag means the object was replaced and is checked again.
    pub checked_etag: Option<String>,
    /// The message it is attached to (at most one).
    pub message_id: Option<MessageId>,
    pub created_at: i64,
}

impl Attachment {
    pub fn object_key(&self) -> String {
        object_key(&self.conversation_id, &self.id)
    }
}

/// Where the bytes live in the bucket: ids only, so neither a key nor a log line that names
/// one carries a file name or anything about the patient.
pub fn object_key(conversation: &ConversationId, attachment: &AttachmentId) -> String {
    format!("{OBJECT_PREFIX}{conversation}/{attachment}")
}
/// Every attachment object's key starts with this (the S3 notification's prefix filter).
pub const OBJECT_PREFIX: &str = "attachments/";

/// The ids an object key names, or None for any key Canopy did not make.
pub fn parse_object_key(key: &str) -> Option<(ConversationId, AttachmentId)> {
    let (conversation, attachment) = key.strip_prefix(OBJECT_PREFIX)?.split_once('/')?;
    Some((conversation.parse().ok()?, attachment.parse().ok()?))
}

/// What the upload check concludes from the object's real size and first bytes.
pub fn verdict(
    declared: ContentType,
    declared_size: u64,
    size: u64,
    head: &[u8],
) -> Result<(), RejectReason> {
    if size != declared_size {
        return Err(RejectReason::SizeMismatch);
    }
    if !declared.matches(head) {
        return Err(RejectReason::TypeMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D,
    ];

    fn ftyp(brand: &[u8; 4]) -> Vec<u8> {
        let mut b = vec![0, 0, 0, 0x18, b'f', b't', b'y', b'p'];
        b.extend_from_slice(brand);
        b.extend_from_slice(&[0, 0, 0, 0]);
        b.extend_from_slice(brand);
        b.extend_from_slice(b"mif1");
        b
    }

    #[test]
    fn accepts_exactly_the_contract_types_in_any_case() {
        assert_eq!(ContentType::parse("IMAGE/JPEG"), Ok(ContentType::Jpeg));
        assert_eq!(ContentType::parse("application/pdf"), Ok(ContentType::Pdf));
        for t in ContentType::ALL {
            assert_eq!(ContentType::parse(t.as_str()), Ok(t));
        }
        for bad in [
            "image/gif",
            "text/html",
            "image/svg+xml",
            "",
            "image/jpeg; x=1",
        ] {
            assert_eq!(ContentType::parse(bad), Err(UnsupportedType), "{bad}");
        }
    }

    #[test]
    fn caps_are_25_mib_for_images_and_pdfs_and_200_mib_for_video() {
        assert_eq!(
            check_size(ContentType::Pdf, MAX_DOCUMENT_BYTES),
            Ok(MAX_DOCUMENT_BYTES)
        );
        assert_eq!(
            check_size(ContentType::Png, MAX_DOCUMENT_BYTES + 1),
            Err(BadSize::TooLarge(MAX_DOCUMENT_BYTES))
        );
        assert_eq!(
            check_size(ContentType::Mp4, MAX_VIDEO_BYTES),
            Ok(MAX_VIDEO_BYTES)
        );
        assert_eq!(check_size(ContentType::Jpeg, 0), Err(BadSize::Empty));
    }

    #[test]
    fn magic_bytes_must_be_the_declared_types() {
        assert!(ContentType::Jpeg.matches(JPEG));
        assert!(ContentType::Png.matches(PNG));
        assert!(!ContentType::Pdf.matches(PNG), "a PNG renamed to PDF");
        assert!(ContentType::Pdf.matches(b"%PDF-1.4\n%\xE2\xE3"));
        assert!(ContentType::Heic.matches(&ftyp(b"heic")));
        assert!(!ContentType::Mp4.matches(&ftyp(b"heic")));
        assert!(ContentType::Mp4.matches(&ftyp(b"isom")));
        assert!(ContentType::QuickTime.matches(&ftyp(b"qt  ")));
        assert!(!ContentType::Jpeg.matches(&[]));
    }

    #[test]
    fn the_verdict_checks_size_first_then_type() {
        assert_eq!(verdict(ContentType::Jpeg, 11, 11, JPEG), Ok(()));
        assert_eq!(
            verdict(ContentType::Jpeg, 12, 11, JPEG),
            Err(RejectReason::SizeMismatch)
        );
        assert_eq!(
            verdict(ContentType::Pdf, 12, 12, PNG),
            Err(RejectReason::TypeMismatch)
        );
    }

    #[test]
    fn object_keys_are_ids_only_and_round_trip() {
        let c = ConversationId::generate();
        let a = AttachmentId::generate();
        let key = object_key(&c, &a);
        assert_eq!(key, format!("attachments/{c}/{a}"));
        assert_eq!(parse_object_key(&key), Some((c, a)));
        assert_eq!(parse_object_key("attachments/x/y"), None);
        assert_eq!(parse_object_key(&format!("other/{c}/{a}")), None);
    }

    #[test]
    fn filenames_are_plain_and_hidden_from_debug() {
        assert_eq!(Filename::parse("  rash.jpg ").unwrap().as_str(), "rash.jpg");
        assert_eq!(Filename::parse(" "), Err(BadFilename::Empty));
        assert_eq!(
            Filename::parse("../etc/passwd"),
            Err(BadFilename::Forbidden)
        );
        assert_eq!(Filename::parse("a\nb"), Err(BadFilename::Forbidden));
        assert_eq!(Filename::parse(&"x".repeat(256)), Err(BadFilename::TooLong));
        assert!(!format!("{:?}", Filename::parse("rash.jpg").unwrap()).contains("rash"));
    }
}
