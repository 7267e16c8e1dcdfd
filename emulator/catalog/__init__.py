"""Catalog: datasets, their batches and ingested records (`models`) and the routes (`responses`)."""
