"""The Purview change feed: Atlas entity notifications from Event Hubs, planned as they arrive (decision 0901)."""
