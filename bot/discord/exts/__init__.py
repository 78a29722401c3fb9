"""Discord extensions: thin adapters from commands and events to the quiz service."""
