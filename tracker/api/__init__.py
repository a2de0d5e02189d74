"""The JSON API at /api/v1/ (issue 17): per-user tokens, the portfolio read, monthly reports written
through the same services as the forms, problem+json errors, an OpenAPI 3.1 document."""
