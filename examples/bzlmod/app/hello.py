"""Greets the world, then tells how each of its modules was loaded."""

import sys

from greet import greeting


def main():
    print(greeting.greet("world"))
    for name in ("__main__", "greet", "greet.greeting"):
        spec = sys.modules[name].__spec__
        print(f"{name}: {type(spec.loader).__name__} {spec.cached or spec.origin}")


if __name__ == "__main__":
    main()
