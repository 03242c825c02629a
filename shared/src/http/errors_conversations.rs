//! `ApiError` for the conversations use cases' errors: the HTTP edge's half of the mapping.
