//! Storage port of the links aggregate (see docs/architecture.md). Implemented once, by `adapters::dynamo`.
