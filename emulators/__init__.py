"""Local emulators of Microsoft Purview, CluedIn and Azure Data Factory (development and tests only)."""
