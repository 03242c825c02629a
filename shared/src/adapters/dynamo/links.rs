//! The DynamoDB side of the links aggregate: its items, keys (via `keys`), conditions and transactions.
