"""Hydra apps that run simulations and write the results store."""
