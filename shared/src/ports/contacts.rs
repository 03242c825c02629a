//! Storage port of the contacts aggregate (see docs/architecture.md). Implemented once, by `adapters::dynamo`.
