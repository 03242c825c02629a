//! Storage port of the invites aggregate (see docs/architecture.md). Implemented once, by `adapters::dynamo`.
