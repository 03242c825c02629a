//! The DynamoDB side of the conversations aggregate: its items, keys (via `keys`), conditions and transactions.
