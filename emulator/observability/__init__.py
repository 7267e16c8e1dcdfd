"""Observability Insights: the V2 metrics query (`models`) and its route (`responses`)."""
