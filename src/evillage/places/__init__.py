from pathlib import Path

# The real subset of divisions shipped with the package (see data/ATTRIBUTION.md).
SHIPPED_DATA_DIR = Path(__file__).resolve().parent / "data"
