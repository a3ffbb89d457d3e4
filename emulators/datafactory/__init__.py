"""Azure Data Factory emulator: the ARM management-plane subset the app drives, with runs that really copy.

The app generates linked services, datasets, pipelines and schedule triggers in a real factory; this package
stands in for that factory locally so the generated JSON is checked the way ADF checks it (discriminators,
references, names) and a pipeline run really moves a file from Azurite Blob storage to a REST endpoint.
Start it with `python -m emulators.datafactory`; see README.md for the routes and every documented guess.
"""
