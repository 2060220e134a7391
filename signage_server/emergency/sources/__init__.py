"""Where emergencies come from besides an operator: one package per source."""
