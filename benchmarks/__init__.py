"""shop_reco's benchmarks: ``python -m benchmarks [--quick]`` (``make bench`` / ``make bench-quick``)."""
