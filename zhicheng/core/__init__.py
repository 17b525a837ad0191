"""Small helpers shared by every app: the clock, canonical JSON, validated identifiers."""
