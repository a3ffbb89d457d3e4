"""Human-readable reports of what the app wrote (read back from the services, never from the app's own state)."""
