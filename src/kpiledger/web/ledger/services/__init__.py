"""The ledger's operations; views and the CLI reach the database only through these."""
