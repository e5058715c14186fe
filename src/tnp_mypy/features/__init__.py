"""One module per hooked feature, each with one entry point."""
