"""Streaming inlet: accepts records for a flow (`models`: the asynchronous pipeline) and its route
(`responses`)."""
