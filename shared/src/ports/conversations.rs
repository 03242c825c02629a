//! Storage port of the conversations aggregate (see docs/architecture.md). Implemented once, by `adapters::dynamo`.
