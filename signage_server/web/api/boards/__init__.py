"""Board routes: boards and pairing, the devices' own routes (manifest, socket, heartbeats, plays,
screenshots), and board health for operators."""
