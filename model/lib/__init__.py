"""The library floor: rules several mechanisms use (ties, carers and network help, group membership, baselines,
packages), each written once.  It imports only the contract (``model.codes``, ``model.rng``, ...)."""
