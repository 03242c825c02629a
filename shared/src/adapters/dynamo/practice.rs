//! The DynamoDB side of the practice aggregate: its items, keys (via `keys`), conditions and transactions.
