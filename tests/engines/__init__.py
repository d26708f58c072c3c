"""Engine adapters against loopback servers that speak each API's protocol."""
