"""A package whose modules are imported from the pycs pyc_library wrote."""
