"""Shouts."""


def shout(text):
    """Returns text, louder."""
    return text.upper() + "!"
