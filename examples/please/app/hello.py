"""Prints a greeting, and how the module that made it was loaded."""

from greet import greeting

print(f"{greeting.greet('Please')} (greet.greeting: {type(greeting.__spec__.loader).__name__})")
