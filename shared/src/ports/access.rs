//! Storage port of the access aggregate (see docs/architecture.md). Implemented once, by `adapters::dynamo`.
