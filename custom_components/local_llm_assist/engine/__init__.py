"""The model engine: pure Python, no Home Assistant imports below this package.

It is to the integration what a PyPI library is to a core integration: prompt building,
grammar compilation, output parsing and the model worker process all live here and are
unit-testable without Home Assistant.
"""
