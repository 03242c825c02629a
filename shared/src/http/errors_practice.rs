//! `ApiError` for the practice use cases' errors: the HTTP edge's half of the mapping.
