"""Data Prep (conversion): versioned mapping sets (`models`), applying them to records (`mapper`),
the expression language (`expressions`, `functions`) and the routes (`responses`)."""
