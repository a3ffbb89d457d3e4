"""Fixtures for integration tests against Azurite (the `state` fixture moved to tests/conftest.py)."""
