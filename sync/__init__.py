"""Purview ⇄ CluedIn sync: the Function app's logic (function_app.py only wires it)."""
