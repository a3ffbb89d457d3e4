"""Local Functions host for machines without Azure Functions Core Tools, plus the one-command demo."""
