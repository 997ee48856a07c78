"""eVillage: an open platform for rural e-commerce."""
