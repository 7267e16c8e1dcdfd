"""Customer.io App API: reporting webhooks per workspace (`models`), delivering events to them
(`delivery`, payloads from `events`) and the routes (`responses`)."""
