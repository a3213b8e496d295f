"""capmap: map which areas of migration management (A-I taxonomy) documents address."""

__version__ = "0.1.0"
