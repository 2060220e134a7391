"""From schedules to each board's signed manifest: resolution, building, batching, the composer worker."""
