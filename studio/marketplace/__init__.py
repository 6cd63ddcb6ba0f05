"""Marketplace: submissions, their review and notifications, and the public catalogue pages."""
