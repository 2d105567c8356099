"""The HTTP surface: middlewares, health and metrics, the OpenAPI document."""
