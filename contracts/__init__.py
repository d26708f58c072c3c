"""Every message and subject smartgen puts on the bus, and every HTTP body it serves."""
