//! The DynamoDB side of the contacts aggregate: its items, keys (via `keys`), conditions and transactions.
