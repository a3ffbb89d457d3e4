"""A local stand-in for CluedIn: auth, UI and data GraphQL, REST, the ingestion endpoint and simulated users.

Start it with `python -m emulators.cluedin`, or in-process with `build_cluedin_app()` and the shared kit's
`running()`; tests use the `cluedin_emulator` fixture from `emulators.cluedin.testing`.
"""

from emulators.cluedin.app import build_cluedin_app

__all__ = ["build_cluedin_app"]
