//! `ApiError` for the contacts use cases' errors: the HTTP edge's half of the mapping.
