"""Greetings."""


def greet(name):
    """Returns the greeting for name."""
    return f"Hello, {name}!"
