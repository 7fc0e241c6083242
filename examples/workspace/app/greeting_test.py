"""Tests greet, imported from the .pyc files rules_pyc compiled."""

import os
import unittest

from greet import greeting


class GreetingTest(unittest.TestCase):
    def test_greet(self):
        self.assertEqual(greeting.greet("Bazel"), "Hello, Bazel!")

    def test_compiled_module_is_in_runfiles(self):
        self.assertTrue(os.path.isfile(greeting.__spec__.cached), greeting.__spec__.cached)


if __name__ == "__main__":
    unittest.main()
