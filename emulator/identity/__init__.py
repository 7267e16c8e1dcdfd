"""Identity Service: identity namespaces (`models`) and their routes (`responses`)."""
