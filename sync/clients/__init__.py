"""Clients of the services the app talks to, all on one shared HTTP transport (see transport.py)."""
