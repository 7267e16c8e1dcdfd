"""Schema Registry: tenant field groups and schemas (`models`), their checks (`validation`,
`evolution`), the Accept header rules (`accept`) and the routes (`responses`)."""
