"""Views of the web UI: thin shells that scope queries, call the action functions and render."""
