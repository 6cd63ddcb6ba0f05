"""Learner-player themes (templates, CSS, JavaScript), shipped as package data."""
