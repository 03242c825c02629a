//! `ApiError` for the access use cases' errors: the HTTP edge's half of the mapping.
