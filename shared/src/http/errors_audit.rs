//! `ApiError` for reading the audit trail (`GET /v1/audit`; the access aggregate).

use super::ApiError;
use crate::access::audit::ReadAuditError;

impl From<ReadAuditError> for ApiError {
    fn from(err: ReadAuditError) -> Self {
        match err {
            ReadAuditError::NotAllowed(e) => e.into(),
            ReadAuditError::Invalid { field, problem } => ApiError::invalid(field, problem),
            ReadAuditError::BadCursor => ApiError::invalid("cursor", "not valid for this list"),
            ReadAuditError::Store(e) => e.into(),
        }
    }
}
