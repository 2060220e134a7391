"""What every domain leans on: users and tokens, passwords, login limits, the signing key,
the audit trail, change notices, the fan-out bus."""
