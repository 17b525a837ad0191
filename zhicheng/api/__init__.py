"""The HTTP API (django-ninja): public certificate verification and the signing key; OpenAPI at /api/docs."""
