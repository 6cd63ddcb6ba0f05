"""Accounts: people, sign-in, organisations, roles and the policy that says who may do what."""
