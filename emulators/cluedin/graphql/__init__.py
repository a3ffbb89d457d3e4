"""GraphQL for the CluedIn emulator: schema-first SDL (ariadne), cached documents, a fast read path."""
