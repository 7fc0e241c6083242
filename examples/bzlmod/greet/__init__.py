"""Greetings, compiled ahead of time."""
