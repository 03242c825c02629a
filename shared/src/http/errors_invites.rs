//! `ApiError` for the invites use cases' errors: the HTTP edge's half of the mapping.
