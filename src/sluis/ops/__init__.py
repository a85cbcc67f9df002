"""Operations endpoints: liveness, readiness and Prometheus metrics (docs/operations.md)."""
