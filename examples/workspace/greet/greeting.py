"""Builds greetings."""

PUNCTUATION = frozenset({"!", ".", "?"})


def greet(name):
    """Returns the greeting for name."""
    return f"Hello, {name}!"
