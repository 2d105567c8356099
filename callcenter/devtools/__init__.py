"""Developer tooling (throwaway servers for tests and benchmarks); not used by the server."""
