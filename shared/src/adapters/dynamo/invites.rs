//! The DynamoDB side of the invites aggregate: its items, keys (via `keys`), conditions and transactions.
