"""Local sandbox for the Datadog Seats and Microsoft Store for Business APIs."""
__version__ = "1.0.0"
