"""The Files API: upload, list, retrieve, download, signed URLs, delete (through lifecycle)."""
