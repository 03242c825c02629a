//! Storage port of the practice aggregate (see docs/architecture.md). Implemented once, by `adapters::dynamo`.
