"""One module per console screen; each exports `routes`."""
