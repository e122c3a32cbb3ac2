"""A robot from outside the platform's package: it imports the platform only through the SDK
and gets its pages, API endpoint and command with no edit of platform code."""
