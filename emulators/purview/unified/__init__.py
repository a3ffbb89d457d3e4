"""Purview Unified Catalog (data governance) emulator, served by the Purview emulator under `/datagovernance/catalog`.

Kept free of imports so `emulators.purview.model.store` can import the catalog model without pulling in the
ASGI layer (which itself depends on the Purview emulator). See `README.md` beside this file.
"""
