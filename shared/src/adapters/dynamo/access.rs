//! The DynamoDB side of the access aggregate: its items, keys (via `keys`), conditions and transactions.
