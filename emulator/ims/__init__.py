"""IMS: the OAuth token endpoint (`models`: tokens; `responses`: the route)."""
