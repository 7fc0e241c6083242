module github.com/rules-pyc/rules_pyc

go 1.24
