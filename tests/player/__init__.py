"""Player tests, mirroring player/: core (pure and local state), net (the network edge), screen."""
