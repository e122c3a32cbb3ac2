"""The pure core: plain Python the platform, the SDK and robots share — no Django, no database.

Formatting, bounded input readers, masking, the working-day calendar, back-off and path checks
live here so that any layer may use them without importing a layer above it."""
