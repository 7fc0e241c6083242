"""Shouts its arguments with //legacy, imported from the .pyc pyc_library made."""

import sys

from legacy import shout


def main():
    print(shout.shout(" ".join(sys.argv[1:]) or "hello"))
    print(f"legacy.shout: {type(shout.__spec__.loader).__name__} {shout.__spec__.cached}")


if __name__ == "__main__":
    main()
