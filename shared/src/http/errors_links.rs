//! `ApiError` for the links use cases' errors: the HTTP edge's half of the mapping.
