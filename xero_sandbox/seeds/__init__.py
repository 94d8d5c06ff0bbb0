"""Seeds: the demo organisations and a deterministic large organisation for benchmarks."""

from .demo import BUREAU_TENANT_ID, DEMO_TENANT_ID, demo_clients, seed_demo
from .scale import seed_scale

__all__ = ["BUREAU_TENANT_ID", "DEMO_TENANT_ID", "demo_clients", "seed_demo", "seed_scale"]
