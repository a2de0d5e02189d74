"""Generated demo portfolios at national scale, for trying the tracker and for the benchmarks."""
